#!/usr/bin/env bash
# A user's rootless engine started after the user's own `vmhosts watch`,
# and stopped while it runs; and one started in a runtime folder that did
# not exist yet when the watcher started.  The watcher follows Docker's events on the
# sockets there were when it started; while it runs, the user's lookups
# start no refresh, so only the watcher can notice the engine come or go.
# The engine is the Docker API stand-in (bench/docker-standin.py) on the
# user's rootless Podman socket, its containers publishing a port as a
# rootless engine's must to be reached; the user is a throwaway one.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
for tool in python3 setpriv useradd userdel; do
    command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done
. "$top_srcdir/tests/lib-users.sh"

USER_NAME=vmhwr$$
rl_user_add "$USER_NAME"
USER_UID=$(id -u "$USER_NAME")
RUNTIME=/run/user/$USER_UID
SOCK=$RUNTIME/podman/podman.sock
# A system engine the user reaches (its own stand-in, sys-0001, run by
# root as a system engine is: one the user ran would be the user's own,
# rootless), and no other backend.
SYS_SOCK=$T/system/docker.sock
mkdir -m 755 "$T/system"
write_conf docker_socket="$SYS_SOCK" lxd_socket="$T/no-lxd.sock" \
    incus_socket="$T/no-incus.sock" libvirt_leases="$T/no-libvirt" user_cache_dir= ttl=600
WATCH_LOG=$T/watch.log

answers() { [ "$(getent_as "$USER_NAME" ahosts "$1")" = "$2" ]; }
listed() { as_user "$USER_NAME" "$VMHOSTS" list 2>/dev/null | grep -q "$1"; }
not_listed() { ! listed "$1"; }

(umask 0 && exec python3 "$top_srcdir/bench/docker-standin.py" "$SYS_SOCK" 1 \
    "$T/system/standin.log" sys) >"$T/system-standin.out" 2>&1 &
SYS_PID=$!
at_exit 'kill -TERM $SYS_PID 2>/dev/null; wait $SYS_PID 2>/dev/null'
wait_until 10 test -S "$SYS_SOCK" || bail_out "the system engine's stand-in did not start"

# $! is the shell that runs as_user, the watcher its child: the signal goes
# to the watcher, and waiting for the shell waits for the watcher's end.
as_user "$USER_NAME" "$VMHOSTS" watch --verbose >"$WATCH_LOG" 2>&1 &
WATCH_PID=$!
stop_watch() {
    pkill -TERM -P "$WATCH_PID" 2>/dev/null
    wait "$WATCH_PID" 2>/dev/null
}
at_exit stop_watch
wait_until 10 grep -q "keeping $RUNTIME/vmhosts" "$WATCH_LOG" ||
    bail_out "the user's watcher did not start: $(head -c 600 "$WATCH_LOG")"
getent_as "$USER_NAME" ahosts rl-0001.docker >/dev/null
check_eq "rl-0001.docker before the user's engine runs: not found" 2 $?

# --- the engine starts: podman/ is made, then its socket --------------------------
as_user "$USER_NAME" mkdir "$RUNTIME/podman"
as_user "$USER_NAME" env STANDIN_PUBLISH=127.0.0.9 python3 \
    "$top_srcdir/bench/docker-standin.py" "$SOCK" 2 "$RUNTIME/standin.log" rl \
    >"$T/standin.out" 2>&1 &
STANDIN_PID=$!
stop_standin() {
    pkill -TERM -P "$STANDIN_PID" 2>/dev/null
    wait "$STANDIN_PID" 2>/dev/null
}
at_exit stop_standin
check "the engine started after the watcher: rl-0001.docker answers its published 127.0.0.9" \
    wait_until 10 answers rl-0001.docker 127.0.0.9
check "... without a resync: the watcher says it follows the new socket" \
    grep -q "the engines' sockets are now: $SYS_SOCK $SOCK" "$WATCH_LOG"
check "... and follows its events" \
    wait_until 5 grep -q "following Docker's events on $SOCK" "$WATCH_LOG"

# --- the engine stops: its socket goes first, as Podman removes it ------------------
# The stand-in is left running until the check: its stream then ends only
# because the watcher closed it, which tells the watcher nothing.
rm -f "$SOCK"
check "the engine's socket gone: the user's watched cache drops all its containers" \
    wait_until 10 not_listed rl-000
check "... and keeps the system engine's" listed sys-0001
stop_standin
check "... and the watcher says which sockets are left" \
    grep -q "the engines' sockets are now: $SYS_SOCK\$" "$WATCH_LOG"
getent_as "$USER_NAME" ahosts rl-0001.docker >/dev/null
check_eq "... and rl-0001.docker is not found" 2 $?
check "the watcher is still running" pkill -0 -P "$WATCH_PID"

# --- a watcher started before the user's runtime folder exists ------------------------
# (cron @reboot, a unit with User=, before the first login): the folder is
# made later, then the engine's socket in it.
USER2=vmhwq$$
rl_user_add "$USER2"
UID2=$(id -u "$USER2")
RUNTIME2=/run/user/$UID2
rm -rf "$RUNTIME2"
at_exit "rm -rf /tmp/vmhosts-$UID2"
WATCH2_LOG=$T/watch2.log
as_user "$USER2" "$VMHOSTS" watch --verbose >"$WATCH2_LOG" 2>&1 &
WATCH2_PID=$!
at_exit 'pkill -TERM -P $WATCH2_PID 2>/dev/null; wait $WATCH2_PID 2>/dev/null'
wait_until 10 grep -q "keeping " "$WATCH2_LOG" ||
    bail_out "the second user's watcher did not start: $(head -c 600 "$WATCH2_LOG")"
mkdir -m 700 "$RUNTIME2" && chown "$USER2:" "$RUNTIME2"
as_user "$USER2" python3 "$top_srcdir/bench/docker-standin.py" "$RUNTIME2/docker.sock" 1 \
    "$RUNTIME2/standin.log" late >"$T/standin2.out" 2>&1 &
STANDIN2_PID=$!
at_exit 'pkill -TERM -P $STANDIN2_PID 2>/dev/null; wait $STANDIN2_PID 2>/dev/null'
check "no runtime folder when the watcher started: it follows the engine started there later" \
    wait_until 10 grep -q "following Docker's events on $RUNTIME2/docker.sock" "$WATCH2_LOG"

done_testing
