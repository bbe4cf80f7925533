#!/usr/bin/env bash
# A hostile or broken Docker (tests/hostile-docker.py on a Unix socket): one
# that accepts and never answers, answers a byte at a time, answers HTTP 500,
# malformed JSON, garbage, a 1 GiB body (past what a list may take), or
# closes the connection mid-body.
# For each: a lookup through the module (real getent) returns within the
# timeout, `vmhosts refresh` exits 1 and says what failed, the cache keeps
# the last good data (taken first from the same stand-in answering the
# recorded fixtures), and nothing crashes or is left running.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss

TIMEOUT_MS=1500
# Starting the namespace and getent themselves, on a busy machine.
SLACK_MS=700
SOCKET=$T/hostile.sock
MODE_FILE=$T/mode
SERVER_LOG=$T/server.log
CACHE=$T/cache/hosts.cache
LIST_FIXTURE=$FIXTURES/docker/docker-containers-json-list-api1.52-reconstructed.json

echo good >"$MODE_FILE"
: >"$SERVER_LOG"
"$PYTHON" "$top_srcdir/tests/hostile-docker.py" "$SOCKET" "$MODE_FILE" "$SERVER_LOG" \
    "$FIXTURES/docker" >"$T/server.out" 2>"$T/server.err" &
server_pid=$!
at_exit 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null'
for ((tries = 0; tries < 50; tries++)); do [ -s "$T/server.out" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || bail_out "the stand-in Docker did not start: $(cat "$T/server.err")"

write_conf docker_socket="$SOCKET" ttl=1 timeout_ms=$TIMEOUT_MS
write_hosts_file "192.0.2.10 files-only.test"

# The fixture's running container with addresses, and what it should resolve to.
read -r NAME ID EXPECTED < <("$PYTHON" -c '
import json, sys
for c in json.load(open(sys.argv[1])):
    addresses = sorted({a for n in c["NetworkSettings"]["Networks"].values()
                        for a in (n["IPAddress"], n["GlobalIPv6Address"]) if a})
    if c["State"] == "running" and addresses:
        print(c["Names"][0][1:], c["Id"], " ".join(addresses))
        break' "$LIST_FIXTURE")
[ -n "$EXPECTED" ] || bail_out "no running container with addresses in $LIST_FIXTURE"

# --- last good data first ---------------------------------------------------
check_eq "good Docker: vmhosts refresh --backend docker exits 0" 0 \
    "$("$VMHOSTS" refresh --backend docker 2>"$T/good.err" >&2; echo $?)"
check_eq "good Docker: getent ahosts $NAME.docker answers the fixture's addresses" \
    "$EXPECTED" "$(getent_ahosts "$NAME.docker")"
check "good Docker: the cache holds $NAME and its ID" grep -qaF "$ID" "$CACHE"
good_lines=$(grep -c "^good " "$SERVER_LOG")
check "good Docker: the stand-in was asked (list and inspect: $good_lines requests)" \
    test "$good_lines" -ge 2

# A refresh that failed is retried by the module only this long after.
FAILED_BACKOFF=2.1

# hostile MODE WHAT MESSAGE_REGEX
hostile() {
    local mode=$1 what=$2 message=$3 started elapsed found status
    echo "$mode" >"$MODE_FILE"
    # Past the TTL and past the back-off of the previous mode's failure.
    sleep "$FAILED_BACKOFF"
    started=$(now_ms)
    found=$(with_nss getent hosts "$NAME.docker" 2>&1)
    status=$?
    elapsed=$(($(now_ms) - started))
    check "$what: getent hosts $NAME.docker exits cleanly (exit $status, no signal)" \
        test "$status" -lt 128
    check "$what: ... within the timeout (${elapsed} ms < ${TIMEOUT_MS} + ${SLACK_MS} ms)" \
        test "$elapsed" -lt $((TIMEOUT_MS + SLACK_MS))
    check "$what: ... after the refresher reached the stand-in" grep -q "^$mode " "$SERVER_LOG"
    check_eq "$what: files-only.test still resolves" 192.0.2.10 "$(getent_hosts files-only.test)"

    started=$(now_ms)
    "$VMHOSTS" refresh --backend docker >"$T/$mode.out" 2>"$T/$mode.err"
    status=$?
    elapsed=$(($(now_ms) - started))
    check_eq "$what: vmhosts refresh --backend docker exits 1" 1 "$status"
    # It may first wait (up to its timeout) for the lock of a refresh the
    # module started and is ending.
    check "$what: ... within its timeout (${elapsed} ms < 2 x ${TIMEOUT_MS} ms)" \
        test "$elapsed" -lt $((2 * TIMEOUT_MS))
    if grep -qE "$message" "$T/$mode.err"; then
        ok "$what: ... and says why: $(head -c 300 "$T/$mode.err" | tr '\n' ' ')"
    else
        fail "$what: ... and says why (/$message/)"
        diag "it said: $(cat "$T/$mode.err")"
    fi
    check "$what: the cache keeps the last good data ($NAME's ID)" \
        grep -qaF "$ID" "$CACHE"
    check "$what: ... and the refresher says so" grep -q "keeping the .* last seen" "$T/$mode.err"
    check_eq "$what: no refresher is left running" "" "$(processes_of "$VMHOSTS")"
}

hostile hang "accepts, never answers" "timed out|did not answer|no answer|[Tt]imeout"
hostile slow "a byte every 50 ms" "timed out|did not answer|no answer|[Tt]imeout"
hostile http500 "HTTP 500" "HTTP 500.*internal error on purpose"
hostile malformed "malformed JSON" "JSON|json"
hostile garbage "not HTTP at all" "cannot talk to Docker|not HTTP"
hostile huge "a 1 GiB body" "larger than [0-9]+ MiB, the most [0-9]+ containers"
hostile midbody "closed mid-body" "cannot talk to Docker.*(closed|remaining)"

# --- a hung Docker and a stale cache: bare names do not wait -------------------
# A single-label name is DNS's unless a container has it as its hostname:
# one that no container in the cache has never waits for a refresh, even
# when the cache is stale and Docker hangs.  The stand-in's log shows
# whether anything connected.
echo good >"$MODE_FILE"
sleep "$FAILED_BACKOFF"
"$VMHOSTS" refresh --backend docker >/dev/null 2>&1
echo hang >"$MODE_FILE"
sleep 1.1 # past the ttl of 1 s: the cache is stale
connections=$(wc -l <"$SERVER_LOG")
started=$(now_ms)
with_nss getent hosts nosuchbarename >/dev/null
check_eq "hung Docker, stale cache: a bare name no container has is not found" 2 $?
elapsed=$(($(now_ms) - started))
check_eq "... and started no refresh (nothing connected to Docker; took ${elapsed} ms)" \
    "$connections" "$(wc -l <"$SERVER_LOG")"
with_nss getent hosts "$NAME.docker" >/dev/null
check "... while a .docker name in the same state does ask Docker" \
    test "$(wc -l <"$SERVER_LOG")" -gt "$connections"

# --- and back: a good answer is taken again -----------------------------------
echo good >"$MODE_FILE"
sleep "$FAILED_BACKOFF"
check_eq "good again: getent ahosts $NAME.docker" "$EXPECTED" "$(getent_ahosts "$NAME.docker")"
check "the stand-in survived every mode" kill -0 "$server_pid"

# --- beside a second engine that answers ------------------------------------
# The hostile engine's containers are kept as last seen when it fails, as
# they are when it is the only one: a whole list cannot tell them from
# removed ones (docker.c, finish_changes).
OTHER_SOCKET=$T/other.sock
"$PYTHON" "$top_srcdir/bench/docker-standin.py" "$OTHER_SOCKET" 2 "$T/other.log" other \
    >"$T/other.out" 2>&1 &
other_pid=$!
at_exit 'kill $other_pid 2>/dev/null; wait $other_pid 2>/dev/null'
wait_until 30 test -S "$OTHER_SOCKET" || bail_out "the second stand-in did not start"
write_conf docker_socket="$SOCKET $OTHER_SOCKET" ttl=3600 timeout_ms=$TIMEOUT_MS
check_eq "two engines: vmhosts refresh --backend docker exits 0" 0 \
    "$("$VMHOSTS" refresh --backend docker >/dev/null 2>&1; echo $?)"
check "two engines: the cache holds the first one's $NAME and the second one's other-0001" \
    eval 'grep -qaF "$ID" "$CACHE" && grep -qaF other-0001 "$CACHE"'
echo garbage >"$MODE_FILE"
check_eq "the first one fails: vmhosts refresh exits 0, the second one answered" 0 \
    "$("$VMHOSTS" refresh --backend docker >"$T/two.out" 2>"$T/two.err"; echo $?)"
check "... the second one's containers are there" grep -qaF other-0001 "$CACHE"
check "... the first one's are kept as last seen ($NAME's ID)" grep -qaF "$ID" "$CACHE"
"$VMHOSTS" status >"$T/two.status" 2>&1
check "... and vmhosts status says so" grep -q "last are kept" "$T/two.status"

# While it keeps failing, the watcher's polls find what the cache already
# says and leave the file alone (refresh.c, refresh_backend): they used to
# rewrite it on every poll.
WATCH_LOG=$T/watch.log
"$VMHOSTS" watch --verbose --resync-interval 1 --multipass-interval 3600 2>"$WATCH_LOG" &
watch_pid=$!
at_exit 'kill $watch_pid 2>/dev/null; wait $watch_pid 2>/dev/null'
left_alone() { test "$(grep -c "the cache is left as it was" "$WATCH_LOG")" -ge 2; }
wait_until 30 left_alone
check "... the watcher's polls beside the failing one leave the cache as it was" left_alone
written=$(stat -c %i.%.9Y "$CACHE")
sleep 1.5
check_eq "... the file is not written again" "$written" "$(stat -c %i.%.9Y "$CACHE")"
kill "$watch_pid"
done_testing
