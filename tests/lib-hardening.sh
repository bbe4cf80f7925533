# Shell helpers of the hardening tests (issue 6), sourced after tests/lib.sh.

# standin_start: tests/hostile-docker.py on $T/standin.sock answering the
# recorded fixtures (mode "good"; write another mode to $STANDIN_MODE), and
# STANDIN_NAME, STANDIN_ID, STANDIN_ADDRESSES: the fixture's first running
# container with addresses and what it resolves to (sorted, all families).
STANDIN_SOCK=
STANDIN_MODE=
STANDIN_LOG=
standin_start() {
    STANDIN_SOCK=$T/standin.sock
    STANDIN_MODE=$T/standin.mode
    STANDIN_LOG=$T/standin.log
    echo good >"$STANDIN_MODE"
    : >"$STANDIN_LOG"
    "$PYTHON" "$top_srcdir/tests/hostile-docker.py" "$STANDIN_SOCK" "$STANDIN_MODE" \
        "$STANDIN_LOG" "$FIXTURES/docker" >"$T/standin.out" 2>"$T/standin.err" &
    STANDIN_PID=$!
    at_exit 'kill $STANDIN_PID 2>/dev/null; wait $STANDIN_PID 2>/dev/null'
    local tries
    for ((tries = 0; tries < 50; tries++)); do [ -s "$T/standin.out" ] && break; sleep 0.1; done
    [ -S "$STANDIN_SOCK" ] || bail_out "the stand-in Docker did not start: $(cat "$T/standin.err")"
    read -r STANDIN_NAME STANDIN_ID STANDIN_ADDRESSES < <("$PYTHON" -c '
import json, sys
for c in json.load(open(sys.argv[1])):
    addresses = sorted({a for n in c["NetworkSettings"]["Networks"].values()
                        for a in (n["IPAddress"], n["GlobalIPv6Address"]) if a})
    if c["State"] == "running" and addresses:
        print(c["Names"][0][1:], c["Id"], " ".join(addresses))
        break' "$FIXTURES/docker/docker-containers-json-list-api1.52-reconstructed.json")
    [ -n "$STANDIN_ADDRESSES" ] || bail_out "no running container with addresses in the list fixture"
}
