# Helpers for tests/e2e-commands.sh, sourced after tests/lib.sh.

# run_vmhosts ARGS...: runs the built vmhosts with the test's settings and
# the test's nsswitch.conf (status reads /etc/nsswitch.conf); stdout in OUT,
# stderr in ERR, exit status in RC.
run_vmhosts() {
    OUT=$(with_nss "$VMHOSTS" "$@" 2>"$T/stderr")
    RC=$?
    ERR=$(cat "$T/stderr")
}

# check_rc DESCRIPTION EXPECTED: the last run_vmhosts exited EXPECTED.
check_rc() {
    check_eq "$1: exit status" "$2" "$RC"
    [ "$RC" = "$2" ] || diag "stdout: $OUT" "stderr: $ERR"
}

# check_out DESCRIPTION EXTENDED-REGEX: the last stdout matches.
check_out() {
    if grep -Eq -- "$2" <<<"$OUT"; then ok "$1"; else fail "$1"; diag "no /$2/ in:" "$OUT"; fi
}

# check_err DESCRIPTION EXTENDED-REGEX: the last stderr matches.
check_err() {
    if grep -Eq -- "$2" <<<"$ERR"; then ok "$1"; else fail "$1"; diag "no /$2/ in:" "$ERR"; fi
}

# json_get PYTHON-EXPRESSION: evaluates it with `d` the JSON of the last
# stdout; prints the result (lists space-separated and sorted).
json_get() {
    "$PYTHON" -c '
import json, sys
d = json.loads(sys.stdin.read())
v = eval(sys.argv[1])
print(" ".join(sorted(v)) if isinstance(v, list) else v)' "$1" <<<"$OUT"
}
