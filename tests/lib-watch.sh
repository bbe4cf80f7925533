# Helpers for the watcher's end-to-end test, sourced after tests/lib.sh:
# a refresher that counts its runs, a watcher started and stopped by the
# test, polling until a lookup gives the expected answer, and restarting
# the private Docker engine on the same socket.

# A stand-in refresh_command: appends one line per run (whoever runs it,
# hence a file everyone may write) and then does the real refresh.
REFRESH_RUNS=$T/refresher-runs
COUNTING_REFRESHER=$T/counting-refresher
: >"$REFRESH_RUNS"
chmod 666 "$REFRESH_RUNS"
printf '#!/bin/sh\necho "uid $(id -u): $*" >>%s\nexec %s "$@"\n' "$REFRESH_RUNS" "$VMHOSTS" \
    >"$COUNTING_REFRESHER"
chmod 755 "$COUNTING_REFRESHER"

refresher_runs() { wc -l <"$REFRESH_RUNS" | tr -d ' '; }

WATCH_PID=
WATCH_LOG=$T/watch.log

# watch_start [vmhosts watch options...]: starts the watcher (as root, the
# test's settings) and waits until it follows Docker's events.
watch_start() {
    local following
    following=$(log_count "following Docker's events")
    "$VMHOSTS" watch "$@" 2>>"$WATCH_LOG" &
    WATCH_PID=$!
    at_exit watch_kill
    wait_for_log "following Docker's events" $((following + 1))
}

# log_count TEXT: on how many lines of the watcher's log TEXT is so far.
log_count() { grep -cF "$1" "$WATCH_LOG" 2>/dev/null; }

# Stops a watcher still running at exit (a failed test), without a trace.
watch_kill() {
    [ -n "$WATCH_PID" ] || return 0
    kill -KILL "$WATCH_PID" 2>/dev/null
    wait "$WATCH_PID" 2>/dev/null
    WATCH_PID=
}

# watch_running: whether the watcher process is still alive.
watch_running() { [ -n "$WATCH_PID" ] && kill -0 "$WATCH_PID" 2>/dev/null; }

# wait_for_log TEXT COUNT: waits (10 s at most) until TEXT is on COUNT lines
# of the watcher's log.
wait_for_log() {
    local tries
    for ((tries = 0; tries < 100; tries++)); do
        [ "$(log_count "$1")" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# wait_for_answer EXPECTED COMMAND...: runs COMMAND (a lookup) until it
# prints EXPECTED, 10 s at most.  Sets ANSWER to the last answer and
# WAITED_MS to how long it took.
ANSWER=
WAITED_MS=
wait_for_answer() {
    local expected=$1 started tries
    shift
    started=$(now_ms)
    for ((tries = 0; tries < 100; tries++)); do
        ANSWER=$("$@" 2>/dev/null)
        [ "$ANSWER" = "$expected" ] && break
        sleep 0.1
    done
    WAITED_MS=$(($(now_ms) - started))
}

# "${AS_NOBODY[@]}" COMMAND...: COMMAND as the unprivileged user nobody,
# with no supplementary groups (so not in the docker group either).  An
# array, not a function, so that with_nss can exec it.
AS_NOBODY=(setpriv --reuid=nobody --regid="$(id -g nobody 2>/dev/null)" --clear-groups)

# docker_restart: stops the private engine and starts a new one on the
# same socket (lib.sh's launcher, which starts from an empty data folder:
# the test image is imported again).
docker_restart() {
    docker_stop
    _dockerd_launch || _dockerd_launch --storage-driver=vfs || return 1
    docker_image
}
