#!/usr/bin/env bash
# `vmhosts list` beside 100,000 containers, served by the benchmarks'
# stand-in Docker API (bench/docker-standin.py): every container's name
# and short ID once, as a table and as JSON, within a bounded address
# space.  Each name listed used to be compared with every name before it
# and to carry a whole answer (2 KiB), its table row 3 KiB more, and the
# JSON was one tree: the table took 11 minutes and 1.7 GB; now two or
# three seconds and some 80 MB (tools/diagnose/explain_names.c,
# tools/cli/cmd_list.c).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-commands.sh"

require_built

COUNT=100000
MEMORY_KB=393216 # ulimit -v: 384 MiB of address space
SOCKET=$T/standin.sock
"$PYTHON" "$top_srcdir/bench/docker-standin.py" "$SOCKET" "$COUNT" "$T/standin.log" \
    >"$T/standin.out" 2>&1 &
STANDIN_PID=$!
at_exit 'kill $STANDIN_PID 2>/dev/null; wait $STANDIN_PID 2>/dev/null'
for ((tries = 0; tries < 1200; tries++)); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || bail_out "the stand-in Docker API did not start: $(cat "$T/standin.out")"

# The refresh's budget is timeout_ms: the default of lib.sh's write_conf
# (1,500 ms) is about what listing 100,000 containers takes here, so a
# slower machine would bail out below instead of testing the list.
write_conf docker_socket="$SOCKET" ttl=3600 timeout_ms=60000
"$VMHOSTS" refresh --backend docker >"$T/refresh.out" 2>&1 && diag "$(cat "$T/refresh.out")" ||
    bail_out "vmhosts refresh failed: $(cat "$T/refresh.out")"

# list_bounded ARGS...: `vmhosts list -n ARGS` within MEMORY_KB, stdout in
# $T/list, exit status in RC.
list_bounded() {
    (ulimit -v "$MEMORY_KB" && exec timeout 600 "$VMHOSTS" list -n "$@") \
        >"$T/list" 2>"$T/list.err"
    RC=$?
}

list_bounded
check_eq "list of $COUNT containers: exit status" 0 "$RC"
[ "$RC" = 0 ] || diag "stderr: $(head -c 2000 "$T/list.err")"
check_eq "list: every container's name, once" "$COUNT" \
    "$(grep -cE '^bench-[0-9]+\.docker ' "$T/list")"
check_eq "list: every short ID, once" "$COUNT" "$(grep -cE '^[0-9a-f]{12}\.docker ' "$T/list")"
check_eq "list: no name twice" "" "$(awk 'NR > 1 {print $1}' "$T/list" | sort | uniq -d | head -n 3)"
table_names=$(awk 'NR > 1 {print $1}' "$T/list" | sort | md5sum)

list_bounded --json
check_eq "list --json of $COUNT containers: exit status" 0 "$RC"
"$PYTHON" -c '
import json, sys
for entry in json.load(open(sys.argv[1]))["names"]:
    print(entry["name"])' "$T/list" >"$T/json-names" 2>"$T/json.err" || diag "$(tail -n 3 "$T/json.err")"
check_eq "list --json: every container's name, once" "$COUNT" \
    "$(grep -cE '^bench-[0-9]+\.docker$' "$T/json-names")"
check_eq "list --json: the table's names" "$table_names" "$(sort "$T/json-names" | md5sum)"

done_testing
