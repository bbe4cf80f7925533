#!/usr/bin/env bash
# The watcher keeps the memory of its last refresh for the next one, and
# gives it back once no refresh has run for --memory-idle seconds
# (tools/refresh/watch_memory.h; tests/test_watch_memory.c tests the heap
# alone).  Beside 10,000 stand-in containers a refresh uses tens of MB:
# the watcher's resident memory stays there while it waits, and falls once
# it has been idle that long.  First no backend is polled meanwhile:
# Docker only on events, the others not installed and asked once an hour.
# Then Docker is polled every 2 s and finds the same each time: a poll that
# changes nothing does not keep the memory.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed (the stand-in is Python)"

CONTAINERS=10000
DOCKER_SOCK=$T/docker.sock
python3 "$top_srcdir/bench/docker-standin.py" "$DOCKER_SOCK" "$CONTAINERS" "$T/standin.log" \
    >"$T/standin.out" 2>&1 &
at_exit "kill $! 2>/dev/null"
wait_until 60 test -S "$DOCKER_SOCK" || bail_out "the stand-in did not start"
write_conf docker_socket="$DOCKER_SOCK" lxd_socket="$T/no-lxd.sock" \
    incus_socket="$T/no-incus.sock" libvirt_leases="$T/no-leases" lxd_ttl=3600 \
    incus_ttl=3600 libvirt_ttl=3600 timeout_ms=30000
. "$top_srcdir/tests/lib-watch.sh"

# The watcher's resident memory, in KiB.
resident_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$WATCH_PID/status"; }
refreshes() { grep -c "docker: " "$WATCH_LOG"; }
# The cache's time of change: a refresh that changes nothing leaves it.
changed() { stat -c %.9Y "$T/cache/hosts.cache" 2>/dev/null; }

# follow_memory TRIES: every 0.1 s until its memory falls to half its
# peak (TRIES times at most): the peak, the memory then, and how long
# before that the last refresh that changed the cache was seen to end, in ms.
follow_memory() {
    local peak=0 now seen=none count last_ms=0 tries
    for ((tries = 0; tries < $1; tries++)); do
        count=$(changed)
        [ "$count" != "$seen" ] && seen=$count last_ms=$(now_ms)
        now=$(resident_kib)
        [ "$now" -gt "$peak" ] && peak=$now
        [ "$peak" -gt 16384 ] && [ "$now" -lt $((peak / 2)) ] && break
        sleep 0.1
    done
    echo "$peak $now $(($(now_ms) - last_ms))"
}

watch_start --verbose --resync-interval 0 --multipass-interval 3600 --memory-idle 8
read -r peak after idle_ms < <(follow_memory 600)
diag "beside $CONTAINERS containers: $peak KiB resident at most, $after KiB $idle_ms ms after the last change"
check "refreshes beside $CONTAINERS containers leave more than 16 MiB resident ($peak KiB)" \
    test "$peak" -gt 16384
check "--memory-idle 8: kept for 8 s after the last change, for the next one (given back after $idle_ms ms)" \
    test "$idle_ms" -ge 7500
check "... and given back then, not at the loop's next wake-up (within 1.5 s: $idle_ms ms)" \
    test "$idle_ms" -le 9500
check "... to half of it at most ($after KiB)" test "$after" -lt $((peak / 2))
watch_kill

# after_next_poll: the resident memory 1 s after the next poll has ended.
after_next_poll() {
    local seen tries
    seen=$(refreshes)
    for ((tries = 0; tries < 100; tries++)); do
        [ "$(refreshes)" -gt "$seen" ] && break
        sleep 0.1
    done
    sleep 1
    resident_kib
}

# A first refresh that writes the cache, then polls that find the same.
rm -f "$T/cache/hosts.cache"
watch_start --verbose --resync-interval 2 --multipass-interval 3600 --memory-idle 5
started=$(refreshes)
read -r peak after idle_ms < <(follow_memory 150)
check "Docker polled every 2 s, the same each time: still given back 5 s after the last change ($after of $peak KiB)" \
    test "$peak" -gt 16384 -a "$after" -lt $((peak / 2))
polled=$(after_next_poll)
polled=$(after_next_poll)
check "... polled since ($(refreshes) refreshes, $started at the start)" \
    test "$(refreshes)" -ge $((started + 3))
check "... and given back after each poll since ($polled KiB a second after one)" \
    test "$polled" -lt $((peak / 2))
watch_kill

check_eq "--memory-idle=-1: refused" 2 "$(
    "$VMHOSTS" watch --memory-idle=-1 2>/dev/null
    echo $?
)"

done_testing
