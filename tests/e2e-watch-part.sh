#!/usr/bin/env bash
# Docker's events name the containers that changed, and the watcher's
# refresh then asks about those only (tools/backends/docker/docker_changes.h):
# it copies only their hosts out of the cache and compares only those, so
# that an event that changes nothing, and the settle lists that follow
# each event, leave the file alone; an event that changes one container
# writes the file with every other host still in it.  Docker through its
# stand-in (bench/docker-standin.py: SIGUSR2 says the first container
# started again, SIGUSR1 stops the second or starts it again), beside LXD
# through its own (bench/lxd-standin.py).  200 containers: a cache of many
# blocks, so that the lazy load passes a byte changed in the middle.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
command -v python3 >/dev/null || skip_all "python3 is not installed (the stand-ins are Python)"

DOCKER_SOCK=$T/docker.sock
LXD_SOCK=$T/lxd.sock
STANDIN_LOG=$T/standin.log
STANDIN_ARM=$T/remove.arm STANDIN_REMOVE=$T/cache/hosts.cache \
    python3 "$top_srcdir/bench/docker-standin.py" "$DOCKER_SOCK" 200 "$STANDIN_LOG" pt \
    >"$T/standin.out" 2>&1 &
STANDIN_PID=$!
at_exit "kill $STANDIN_PID 2>/dev/null"
python3 "$top_srcdir/bench/lxd-standin.py" "$LXD_SOCK" 2 >"$T/lxd-standin.log" 2>&1 &
at_exit "kill $! 2>/dev/null"
wait_until 10 test -S "$DOCKER_SOCK" -a -S "$LXD_SOCK" || bail_out "the stand-ins did not start"
write_conf docker_socket="$DOCKER_SOCK" lxd_socket="$LXD_SOCK" incus_socket="$T/no-incus.sock" \
    libvirt_leases="$T/no-leases" lxd_ttl=3600
. "$top_srcdir/tests/lib-watch.sh"
. "$top_srcdir/tests/lib-commands.sh"
# No poll of multipass within the test: one between a removal of the
# cache and the check after it would be a refresh the test did not make.
watch_start --verbose --multipass-interval 3600

answers() { [ "$(getent_ahosts "$1")" = "$2" ]; }
stopped() { ! answers pt-0002.docker 10.88.0.4; }
rewritten() { [ "$(stat -c '%i %y' "$T/cache/hosts.cache")" != "$1" ]; }
filtered_lists() { grep -c "containers/json?all=1&filters=" "$STANDIN_LOG"; }
more_lists_than() { [ "$(filtered_lists)" -gt "$1" ]; }
said_since() { tail -n +$(($1 + 1)) "$WATCH_LOG" | grep -q "$2"; }
# The last event's settle lists are over (3 s after it, watch_loop.c).
settled() { sleep 4; }

# The stream's first event (pt-0001 started) and its settle lists.
wait_until 10 more_lists_than 0 || bail_out "no list after the stream's first event"
settled
check "pt-0001.docker resolves" answers pt-0001.docker 10.88.0.3
check "inst-0001.lxd resolves" answers inst-0001.lxd 10.99.0.3

# --- an event that changes nothing ---------------------------------------------------
lists=$(filtered_lists)
written=$(stat -c '%i %y' "$T/cache/hosts.cache")
lines=$(wc -l <"$WATCH_LOG")
kill -USR2 "$STANDIN_PID"
check "an event: the watcher lists that container alone" wait_until 10 more_lists_than "$lists"
settled
check "... again to settle (more than one list)" more_lists_than $((lists + 1))
check_eq "... and leaves the cache as it was: its same answer is not a change" \
    "$written" "$(stat -c '%i %y' "$T/cache/hosts.cache")"
check "... and says so" sh -c "tail -n +$((lines + 1)) '$WATCH_LOG' | grep -q 'the answers did not change'"
check "... and counts every container, not only the one it asked about" \
    sh -c "tail -n +$((lines + 1)) '$WATCH_LOG' | grep -q 'docker: ok, 200 running'"

# --- an event that stops a container ------------------------------------------------
lines=$(wc -l <"$WATCH_LOG")
kill -USR1 "$STANDIN_PID"
check "a container stopped: pt-0002.docker no longer answers its address" \
    wait_until 10 stopped
check "... the cache written again" rewritten "$written"
check "... with the other containers still in it" answers pt-0150.docker 10.88.0.152
check "... and the other backend's hosts" answers inst-0002.lxd 10.99.0.4
check "... and the watcher counts them" \
    sh -c "tail -n +$((lines + 1)) '$WATCH_LOG' | grep -q 'docker: ok, 199 running'"
check "... the kept hosts' keys taken in the old file's order, not sorted again" \
    said_since "$lines" "the kept hosts' keys in the order it had them"
settled
kill -USR1 "$STANDIN_PID"
check "started again: pt-0002.docker answers again" wait_until 10 answers pt-0002.docker 10.88.0.4
check "... pt-0001.docker still does" answers pt-0001.docker 10.88.0.3
settled

# --- the cache changed in place, then removed ---------------------------------------
# The watcher checked this file whole before; the same inode and size, but
# its times tell it is not the file checked.  A refresh that found no
# previous cache lists every container, or the others would be lost, and
# the watcher asks the other backends at once.
size=$(stat -c %s "$T/cache/hosts.cache")
printf 'Z' | dd of="$T/cache/hosts.cache" bs=1 seek=$((size / 2)) conv=notrunc status=none
# Its inode and time: two files written one after the other (Docker's,
# then LXD's) may give the first one's freed inode to the second.
changed=$(stat -c '%i %y' "$T/cache/hosts.cache")
run_vmhosts status
check_out "a byte changed mid-cache: status finds it corrupt" "corrupt: ignored"
lines=$(wc -l <"$WATCH_LOG")
kill -USR2 "$STANDIN_PID"
check "... the watcher's next refresh finds it too and replaces the file" \
    wait_until 10 rewritten "$changed"
check "... with every container, not only the one the event named" \
    answers pt-0150.docker 10.88.0.152
# LXD is polled once an hour here: its instances come back at once, not then.
check "... and LXD's instances, asked at once" wait_until 10 answers inst-0001.lxd 10.99.0.3
check "... and the watcher says why" \
    said_since "$lines" 'there was no cache to add to; asking the other backends now'

# --- the cache removed ----------------------------------------------------------
# With no event: the watcher follows its cache folder and writes the file
# again at once, every backend asked.  Looked up only once it is back: a
# lookup that finds no cache starts a refresh of its own backend alone.
settled
lines=$(wc -l <"$WATCH_LOG")
rm "$T/cache/hosts.cache"
check "the cache removed: the watcher writes it again at once, with no event" \
    wait_until 10 test -e "$T/cache/hosts.cache"
check "... and says why" said_since "$lines" 'hosts.cache is gone (removed or renamed); asking every backend now'
check "... with every container" answers pt-0150.docker 10.88.0.152
check "... and LXD's instances" answers inst-0001.lxd 10.99.0.3

# --- the cache removed while a refresh asks about one container ----------------------
# The stand-in removes it while it answers the list the event asks for: the
# one container is not all of Docker's, and the file written from it alone
# would have lost the rest until the next resync.
settled
lines=$(wc -l <"$WATCH_LOG")
touch "$T/remove.arm"
kill -USR1 "$STANDIN_PID"
check "the cache removed during a refresh of one container: that refresh writes nothing" \
    wait_until 10 said_since "$lines" 'asked about some containers only; not written'
check "... the next one writes it with every container" \
    wait_until 10 answers pt-0150.docker 10.88.0.152
check "... and LXD's instances" wait_until 10 answers inst-0001.lxd 10.99.0.3
check "... and the stopped one is not in it" stopped
kill -USR1 "$STANDIN_PID"
wait_until 10 answers pt-0002.docker 10.88.0.4 || bail_out "pt-0002 did not start again"

# --- a cache written without LXD's answer --------------------------------------------
# As a lookup's refresh of Docker alone writes it when it finds no cache:
# Docker's containers only.  Renamed over the file, as a refresh puts its
# own in place, the watcher takes it for its own; its next refresh finds
# no answer of LXD in it and asks LXD at once, not in an hour.
settled
sed "s|^cache_dir = .*|cache_dir = $T/other-cache|" "$VMHOSTS_CONF" >"$T/other.conf"
VMHOSTS_CONF=$T/other.conf "$VMHOSTS" refresh --backend docker --quiet ||
    bail_out "vmhosts refresh --backend docker into another folder failed"
lines=$(wc -l <"$WATCH_LOG")
mv "$T/other-cache/hosts.cache" "$T/cache/hosts.cache" || bail_out "no cache in $T/other-cache"
check "a cache of Docker's alone put in place: LXD's instances are not in it" \
    sh -c "! '$VMHOSTS' list --no-refresh 2>/dev/null | grep -q inst-0001"
kill -USR2 "$STANDIN_PID"
check "... the watcher's next refresh asks LXD at once" \
    wait_until 10 said_since "$lines" 'the cache held nothing of .*lxd.*; asking now'
check "... and LXD's instances answer again" wait_until 10 answers inst-0001.lxd 10.99.0.3

# --- the cache folder removed -------------------------------------------------------
# watch.lock went with it, and lookups would see no watcher: the watcher
# makes the folder again, takes its lock there again and asks every
# backend.  (rm may find the folder not empty by then: the same.)
settled
lines=$(wc -l <"$WATCH_LOG")
rm -rf "$T/cache" 2>/dev/null
check "the cache folder removed: the watcher writes the cache there again" \
    wait_until 10 test -e "$T/cache/hosts.cache"
check "... and takes watch.lock again" \
    wait_until 10 said_since "$lines" "took $T/cache/watch.lock again"
run_vmhosts status
check_out "... so that lookups see the watcher again" "kept fresh by vmhosts watch"
check "... and LXD's instances answer" wait_until 10 answers inst-0001.lxd 10.99.0.3

# --- watch.lock replaced by a file renamed over it ----------------------------------
# The watcher's lock is then on a file no name reaches: lookups would see
# no watcher, and a second one could take the new file.
lines=$(wc -l <"$WATCH_LOG")
: >"$T/cache/lock.new"
mv "$T/cache/lock.new" "$T/cache/watch.lock"
check "watch.lock replaced: the watcher says so" \
    wait_until 10 said_since "$lines" "watch.lock was replaced by another file"
check "... and takes the new one" wait_until 10 said_since "$lines" "took $T/cache/watch.lock again"
check_eq "... so that a second watcher is refused" 1 \
    "$(with_nss timeout 10 "$VMHOSTS" watch >/dev/null 2>&1; echo $?)"
check "the watcher is still running" kill -0 "$WATCH_PID"
done_testing
