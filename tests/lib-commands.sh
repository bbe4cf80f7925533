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

# enable_on_copy HOSTS-LINE: in a mount namespace with a throwaway overlay on
# /etc (the system's files stay untouched) whose nsswitch.conf has the
# system's passwd/group lines and HOSTS-LINE, runs the real `vmhosts enable`
# (no --file), `vmhosts status`, getent, `vmhosts enable` again and
# `vmhosts disable`.  Sets COPY to a folder holding what each left:
# enable.rc enable.out after backup status.rc status.out getent again.out
# disable.rc restored.
enable_on_copy() {
    COPY=$(mktemp -d "$T/etc.XXXXXX")
    mkdir "$COPY/upper" "$COPY/work"
    {
        grep -E '^[[:space:]]*(passwd|group|shadow|gshadow):' /etc/nsswitch.conf
        echo "$1"
    } >"$COPY/nsswitch.conf"
    LD_LIBRARY_PATH="$MODULE_DIR" VMHOSTS_CONF="$VMHOSTS_CONF" unshare -m bash -c '
        dir=$1 vmhosts=$2
        mount -t overlay overlay -o "lowerdir=/etc,upperdir=$dir/upper,workdir=$dir/work" /etc ||
            exit 125
        if [ -d /run/nscd ]; then mount -t tmpfs none /run/nscd || exit 125; fi
        rm -f /etc/nsswitch.conf /etc/nsswitch.conf.vmhosts-backup
        cp "$dir/nsswitch.conf" /etc/nsswitch.conf
        "$vmhosts" enable >"$dir/enable.out" 2>&1
        echo $? >"$dir/enable.rc"
        grep -E "^hosts[[:space:]:]" /etc/nsswitch.conf >"$dir/after"
        grep -E "^hosts[[:space:]:]" /etc/nsswitch.conf.vmhosts-backup >"$dir/backup" 2>/dev/null
        "$vmhosts" status >"$dir/status.out" 2>&1
        echo $? >"$dir/status.rc"
        getent hosts vmh-web.docker | awk "{print \$1}" | sort | xargs >"$dir/getent"
        "$vmhosts" enable >"$dir/again.out" 2>&1
        "$vmhosts" disable >/dev/null 2>&1
        echo $? >"$dir/disable.rc"
        grep -E "^hosts[[:space:]:]" /etc/nsswitch.conf >"$dir/restored"' enable_on_copy "$COPY" "$VMHOSTS"
}

# copy_result FILE: one of enable_on_copy's results.
copy_result() { cat "$COPY/$1" 2>/dev/null; }
