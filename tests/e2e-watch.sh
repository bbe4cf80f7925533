#!/usr/bin/env bash
# `vmhosts watch` end to end, against the private Docker engine: with the
# watcher running, the cache follows containers started, renamed, connected
# to a network and stopped, and no lookup ever starts the refresher (its
# runs are counted); an unprivileged user who cannot open Docker's socket
# resolves from root's cache; Docker restarted under the watcher is
# followed again; SIGTERM ends it with status 0 and a cache that still
# answers.  Every expected address comes from `docker inspect`.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-watch.sh"

require_nss
docker_start
docker_image

# A long TTL: nothing here resolves because a cache expired.
# No rate limit: without a watcher, every miss of ours would refresh.
write_conf ttl=60 refresh_interval_ms=0 refresh_command="$COUNTING_REFRESHER"

id nobody >/dev/null 2>&1 || skip_all "there is no user nobody to resolve as"
"${AS_NOBODY[@]}" test -r "$MODULE_DIR/libnss_vmhosts.so.2" -a -r "$VMHOSTS_CONF" ||
    skip_all "nobody cannot read $MODULE_DIR/libnss_vmhosts.so.2 or $VMHOSTS_CONF (build in a folder others may read)"

# --- the counter counts --------------------------------------------------------
getent_hosts nothing-yet.docker >/dev/null
check "without a watcher, a miss runs the counting refresher" test "$(refresher_runs)" -ge 1
: >"$REFRESH_RUNS"

# --- the watcher starts ----------------------------------------------------------
# --resync-interval 0: Docker is asked only when its events say so.
check "vmhosts watch starts and follows Docker's events" watch_start --resync-interval 0
check "watch.lock is write-locked while it runs" \
    "$PYTHON" -c 'import fcntl, struct, sys
fd = open(sys.argv[1], "rb")
probe = struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0)
# F_OFD_GETLK = 36 on Linux
sys.exit(0 if struct.unpack("hhqqi", fcntl.fcntl(fd, 36, probe))[0] == fcntl.F_WRLCK else 1)' \
    "$T/cache/watch.lock"

# lookup_status NAME: the addresses getent finds and its exit status
# (2: not found), so that a lookup that failed otherwise is not a "gone".
lookup_status() {
    local found
    found=$(getent_hosts "$1")
    echo "exit $?: '$found'"
}

# expect_followed NAME EXPECTED WHAT: the lookup comes to find EXPECTED
# (nothing: not found) with nothing but the watcher at work.
expect_followed() {
    local expected="exit 0: '$2'"
    [ -n "$2" ] || expected="exit 2: ''"
    wait_for_answer "$expected" lookup_status "$1"
    check_eq "getent hosts $1: $3" "$expected" "$ANSWER"
    diag "... after ${WAITED_MS} ms"
    [ "$ANSWER" = "$expected" ] || diag "the watcher said:" "$(tail -n 5 "$WATCH_LOG")"
}

# --- started -----------------------------------------------------------------
one=$(docker_run vmh-w1) || bail_out "cannot start a container"
one_addresses=$(docker_addresses "$one")
expect_followed vmh-w1.docker "$one_addresses" "started under the watcher"
expect_followed "${one:0:12}.docker" "$one_addresses" "its ID prefix"

# --- renamed -----------------------------------------------------------------
dk rename vmh-w1 vmh-w1b || bail_out "docker rename failed"
expect_followed vmh-w1b.docker "$one_addresses" "the new name after docker rename"
expect_followed vmh-w1.docker "" "the old name after docker rename"

# --- connected to a second network -------------------------------------------
dk network create vmh-wnet >/dev/null || bail_out "docker network create failed"
dk network connect vmh-wnet vmh-w1b || bail_out "docker network connect failed"
both=$(docker_addresses "$one")
check "vmh-w1b now has two addresses" test "$(wc -w <<<"$both")" -eq 2
expect_followed vmh-w1b.docker "$both" "both networks after docker network connect"
dk network disconnect vmh-wnet vmh-w1b || bail_out "docker network disconnect failed"
expect_followed vmh-w1b.docker "$one_addresses" "one network after docker network disconnect"
# Joined again with an alias, then left and joined again with another:
# each alias answers under the network while it is the container's.
dk network connect --alias wa-one vmh-wnet vmh-w1b || bail_out "docker network connect --alias failed"
wnet_address=$(dk inspect -f '{{(index .NetworkSettings.Networks "vmh-wnet").IPAddress}}' vmh-w1b)
expect_followed wa-one.vmh-wnet.docker "$wnet_address" "an alias given by docker network connect"
dk network disconnect vmh-wnet vmh-w1b && dk network connect --alias wa-two vmh-wnet vmh-w1b ||
    bail_out "docker network connect again failed"
wnet_address=$(dk inspect -f '{{(index .NetworkSettings.Networks "vmh-wnet").IPAddress}}' vmh-w1b)
expect_followed wa-two.vmh-wnet.docker "$wnet_address" "the alias of a connection made again"
expect_followed wa-one.vmh-wnet.docker "" "the alias of the connection before it"
dk network disconnect vmh-wnet vmh-w1b || bail_out "docker network disconnect failed"

# --- stopped -----------------------------------------------------------------
dk stop vmh-w1b >/dev/null || bail_out "docker stop failed"
expect_followed vmh-w1b.docker "" "stopped"
check_eq "the refresher never ran while the watcher kept the cache" 0 "$(refresher_runs)"

# --- sharing another's network --------------------------------------------------
# A container of --network container:X has X's addresses.  Restarted
# alone, its events name it and not X: the list asked for holds X too,
# once a whole list said it shares X's network (docker_changes.h), or
# leaves it out, and it keeps X's addresses either way.
owner=$(docker_run vmh-w4) || bail_out "cannot start a container"
owner_addresses=$(docker_addresses "$owner")
docker_run vmh-w4s --network container:vmh-w4 >/dev/null ||
    bail_out "cannot start a container of --network container:vmh-w4"
expect_followed vmh-w4s.docker "$owner_addresses" "a container sharing another's network"
# Past VMH_DOCKER_CHANGED_KEEP_MS (docker_changes.h), so that vmh-w4's
# start is no longer among the changes the next lists ask about.
sleep 4
dk restart -t 1 vmh-w4s >/dev/null || bail_out "docker restart failed"
sleep 4 # its events' lists and their settle lists (watch_loop.c)
expect_followed vmh-w4s.docker "$owner_addresses" "... the same after it alone restarted"
# Its owner stopped alone: the events name the owner only, and the
# sharer answers as a whole list would say, from the whole list that
# said who shares whose network (docker_changes.h): nothing while the
# owner is stopped, the owner's addresses once it is back.  It kept the
# owner's old addresses before, which another container may be given.
sleep 4
dk stop -t 1 vmh-w4 >/dev/null || bail_out "docker stop failed"
expect_followed vmh-w4s.docker "" "... nothing once the container whose network it has stopped"
dk start vmh-w4 >/dev/null || bail_out "docker start failed"
owner_addresses=$(docker_addresses "$owner")
expect_followed vmh-w4s.docker "$owner_addresses" "... its addresses once that container started again"
dk rm -f vmh-w4s vmh-w4 >/dev/null

# --- another user ------------------------------------------------------------
two=$(docker_run vmh-w2) || bail_out "cannot start a container"
two_addresses=$(docker_addresses "$two")
denied=$("${AS_NOBODY[@]}" "$PYTHON" -c 'import socket, sys
try:
    socket.socket(socket.AF_UNIX).connect(sys.argv[1]); print("connected")
except OSError as error:
    print(error.strerror)' "$DOCKER_SOCK")
check_eq "nobody cannot open Docker's socket" "Permission denied" "$denied"
wait_for_answer "$two_addresses" with_nss "${AS_NOBODY[@]}" getent hosts vmh-w2.docker
check_eq "nobody resolves vmh-w2.docker from root's cache" "$two_addresses" \
    "$(awk '{print $1}' <<<"$ANSWER" | sort -u | xargs)"
wait_for_answer "" with_nss "${AS_NOBODY[@]}" getent hosts nothing.docker
check_eq "nobody: a missing name is not found" "" "$ANSWER"
check_eq "nobody's lookups started no refresher either" 0 "$(refresher_runs)"

# --- Docker restarted under the watcher --------------------------------------
following=$(log_count "following Docker's events")
docker_restart || bail_out "dockerd does not start again: $(tail -n 3 "$DOCKER_DIR/dockerd.log")"
check "the watcher saw Docker's stream end" wait_for_log "event stream on $DOCKER_SOCK ended" 1
check "the watcher follows the new Docker" wait_for_log "following Docker's events" $((following + 1))
check "the watcher is still running" watch_running
three=$(docker_run vmh-w3) || bail_out "cannot start a container after the restart"
three_addresses=$(docker_addresses "$three")
expect_followed vmh-w3.docker "$three_addresses" "started after Docker restarted"
expect_followed vmh-w2.docker "" "gone with the old engine"
check_eq "still no refresher run" 0 "$(refresher_runs)"

# --- SIGTERM -----------------------------------------------------------------
kill -TERM "$WATCH_PID"
wait "$WATCH_PID"
status=$?
WATCH_PID=
check_eq "SIGTERM: vmhosts watch exits 0" 0 "$status"
check_eq "the cache it left answers: vmh-w3.docker" "$three_addresses" "$(getent_hosts vmh-w3.docker)"
check_eq "... and that fresh hit started nothing" 0 "$(refresher_runs)"
getent_hosts nothing-now.docker >/dev/null
check "the watcher gone, a miss runs the refresher again" test "$(refresher_runs)" -ge 1

# --- a second watcher is refused ---------------------------------------------
: >"$REFRESH_RUNS"
check "a new watcher starts" watch_start --resync-interval 0
timeout 10 "$VMHOSTS" watch 2>"$T/second.err"
second_status=$?
check_eq "a second watcher of the same cache exits 1" 1 "$second_status"
check "... saying another one keeps the cache" grep -q "already keeps this cache" "$T/second.err"
check "the first one still runs" watch_running
kill -INT "$WATCH_PID"
wait "$WATCH_PID"
status=$?
WATCH_PID=
check_eq "SIGINT: vmhosts watch exits 0" 0 "$status"

check_eq "vmhosts watch --help exits 0" 0 "$("$VMHOSTS" watch --help >/dev/null; echo $?)"
check "vmhosts watch --help prints its usage" \
    sh -c '"$1" watch --help | grep -q "^Usage: vmhosts watch"' sh "$VMHOSTS"
check_eq "vmhosts watch --bogus exits 2" 2 "$("$VMHOSTS" watch --bogus 2>/dev/null; echo $?)"

# --- the systemd unit ----------------------------------------------------------
unit=$top_builddir/tools/system/vmhosts-watch.service
check "the unit runs vmhosts watch by its installed absolute path" \
    grep -qE '^ExecStart=/[^ @]*/vmhosts watch$' "$unit"
check "the unit is enabled into multi-user.target" grep -qx 'WantedBy=multi-user.target' "$unit"

diag "what the watcher said:" "$(cat "$WATCH_LOG")"
done_testing
