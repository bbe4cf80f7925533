#!/usr/bin/env bash
# A daemon installed after `vmhosts watch` started, and one removed: while
# the watcher runs, lookups start no refresh, so only the watcher can
# notice either.  LXD through a stand-in of its API (bench/lxd-standin.py)
# whose socket's folder did not exist; libvirt through lease files
# (bench/libvirt-leases.py) in a folder whose parent did not exist, so
# inotify had nothing to wait in.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
command -v python3 >/dev/null || skip_all "python3 is not installed (the stand-ins are Python)"

LXD_SOCK=$T/lxd/unix.socket
LEASES=$T/libvirt/dnsmasq
# Short ttls: the watcher looks for a backend not installed as often as it
# would poll it.  Two different ones, so that LXD is sometimes due alone: a
# refresh of one backend asks it even when it is not installed (refresh.c),
# so only the watcher's own check keeps it from being asked then.
write_conf lxd_socket="$LXD_SOCK" incus_socket="$T/no-incus.sock" libvirt_leases="$LEASES" \
    lxd_ttl=1 libvirt_ttl=3
WATCH_LOG=$T/watch.log

WATCH_PID=
watch_kill() { [ -z "$WATCH_PID" ] || { kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null; }; }
at_exit watch_kill
"$VMHOSTS" watch --verbose 2>"$WATCH_LOG" &
WATCH_PID=$!

answers() { [ "$(getent_ahosts "$1")" = "$2" ]; }

wait_until 10 grep -q "keeping $T/cache" "$WATCH_LOG" ||
    bail_out "the watcher did not start: $(head -c 600 "$WATCH_LOG")"
with_nss getent ahosts inst-0001.lxd >/dev/null
check_eq "inst-0001.lxd before LXD is installed: not found" 2 $?
written=$(stat -c '%i %y' "$T/cache/hosts.cache")
sleep 2.5
check_eq "a backend not installed is not asked at every poll (no lxd or libvirt line in 2.5 s of a verbose log)" \
    "" "$(grep -E 'vmhosts watch: (lxd|libvirt):' "$WATCH_LOG")"
check_eq "... nor the cache rewritten for it" "$written" "$(stat -c '%i %y' "$T/cache/hosts.cache")"

# --- LXD installed: its socket appears ---------------------------------------------
mkdir "$T/lxd"
python3 "$top_srcdir/bench/lxd-standin.py" "$LXD_SOCK" 2 >"$T/lxd-standin.log" 2>&1 &
STANDIN_PID=$!
at_exit "kill $STANDIN_PID 2>/dev/null"
check "LXD installed after the watcher started: inst-0001.lxd resolves without a restart" \
    wait_until 10 answers inst-0001.lxd 10.99.0.3
check "... and the watcher says so" grep -q "lxd: found now (installed, or back" "$WATCH_LOG"
check "... and asks it from then on" grep -q "lxd: ok, 2 running" "$WATCH_LOG"

# --- polls that find nothing new leave the cache as it is --------------------------
polls=$(grep -c "lxd: ok, 2 running" "$WATCH_LOG")
written=$(stat -c '%i %y' "$T/cache/hosts.cache")
sleep 2.5
check "LXD asked again at each poll (lxd_ttl=1)" \
    test "$(grep -c "lxd: ok, 2 running" "$WATCH_LOG")" -gt "$polls"
check "... and the watcher says the answers did not change" \
    grep -q "the answers did not change; the cache is left as it was" "$WATCH_LOG"
check_eq "... and the cache is not rewritten for the same answers" \
    "$written" "$(stat -c '%i %y' "$T/cache/hosts.cache")"
mode_is() { [ "$(stat -c %a "$T/cache/hosts.cache")" = "$1" ]; }
chmod 0666 "$T/cache/hosts.cache"
check "... but the same answers in a cache others may write are written again" \
    wait_until 5 mode_is 644

# --- libvirt installed: its folder, and its parent, appear -------------------------
mkdir -p "$LEASES"
python3 "$top_srcdir/bench/libvirt-leases.py" "$LEASES" 2
check "libvirt installed after the watcher started: vm-0002.libvirt resolves without a restart" \
    wait_until 10 answers vm-0002.libvirt 10.77.0.4
check "... and its folder is watched from then on" \
    grep -q "libvirt: watching $LEASES, a change there is read at once" "$WATCH_LOG"

# --- two backends polled in turn: whichever answered last is not a change ------------
# Each poll asks one of them; the same answers of both must still be the
# same cache, whatever order the other's hosts came in.
polls=$(grep -c "libvirt: ok," "$WATCH_LOG")
written=$(stat -c '%i %y' "$T/cache/hosts.cache")
sleep 3.5
check "libvirt asked again meanwhile (libvirt_ttl=3)" \
    test "$(grep -c "libvirt: ok," "$WATCH_LOG")" -gt "$polls"
check_eq "... and the cache is not rewritten for their same answers" \
    "$written" "$(stat -c '%i %y' "$T/cache/hosts.cache")"

# --- LXD removed: its socket goes ----------------------------------------------------
# The socket first: a poll in between must not find a daemon that refuses.
rm -f "$LXD_SOCK"
kill "$STANDIN_PID"
wait "$STANDIN_PID" 2>/dev/null
fails() { ! with_nss getent ahosts "$1" >/dev/null; }
check "LXD removed: inst-0001.lxd stops resolving (the watched cache keeps no last answer)" \
    wait_until 10 fails inst-0001.lxd
check "... and the watcher says why" grep -q "lxd: unavailable: LXD is not installed" "$WATCH_LOG"
check "meanwhile vm-0002.libvirt still resolves" answers vm-0002.libvirt 10.77.0.4

# --- the settings changed: read again, without a restart ---------------------------
# Another lease folder, whose third VM the first folder has not.  The file
# is replaced whole, as an editor that renames does, so that the watcher
# never reads half of it.
LEASES2=$T/libvirt-other
mkdir -p "$LEASES2"
python3 "$top_srcdir/bench/libvirt-leases.py" "$LEASES2" 3
VMHOSTS_CONF=$T/next.conf write_conf lxd_socket="$LXD_SOCK" incus_socket="$T/no-incus.sock" \
    libvirt_leases="$LEASES2" lxd_ttl=1 libvirt_ttl=3
mv "$T/next.conf" "$VMHOSTS_CONF"
check "the settings name another lease folder: vm-0003.libvirt resolves without a restart" \
    wait_until 15 answers vm-0003.libvirt 10.77.0.5
check "... and the watcher says why" \
    grep -q "the settings file changed; reading the settings again" "$WATCH_LOG"
check "... and watches the new folder" grep -q "libvirt: watching $LEASES2, a change" "$WATCH_LOG"
keeping=$(grep -c "keeping $T/cache" "$WATCH_LOG")
kill -HUP "$WATCH_PID"
check "SIGHUP: the settings read again" \
    wait_until 5 grep -q "SIGHUP; reading the settings again" "$WATCH_LOG"
keeps_more_than() { [ "$(grep -c "keeping $T/cache" "$WATCH_LOG")" -gt "$1" ]; }
check "... and the watcher keeps the cache again" wait_until 5 keeps_more_than "$keeping"
check "... vm-0003.libvirt still resolves" answers vm-0003.libvirt 10.77.0.5

# --- a backend that failed is asked again soon, not at its next poll -----------------
# One multipass list slower than timeout_ms: its VMs answer UNAVAIL until it
# is asked again, which must not wait for multipass_ttl.
STUB_CONF=$T/stub.conf
ONE_VM=$top_srcdir/tests/fixtures/multipass/multipass-v1.16-list-1vm-2ipv4.json
printf 'MULTIPASS_STUB_FIXTURE=%s\nMULTIPASS_STUB_DELAY=3\n' "$ONE_VM" >"$STUB_CONF"
watch_kill
VMHOSTS_CONF=$T/next.conf write_conf lxd_socket="$LXD_SOCK" incus_socket="$T/no-incus.sock" \
    libvirt_leases="$LEASES2" multipass_command="$top_srcdir/tests/stubs/multipass" \
    multipass_ttl=600 timeout_ms=1000
mv "$T/next.conf" "$VMHOSTS_CONF"
MULTIPASS_STUB_CONFIG=$STUB_CONF "$VMHOSTS" watch 2>>"$WATCH_LOG" &
WATCH_PID=$!
check "multipass slower than timeout_ms: its refresh fails" \
    wait_until 10 grep -q "multipass: error: .*did not answer within 1000 ms" "$WATCH_LOG"
printf 'MULTIPASS_STUB_FIXTURE=%s\n' "$ONE_VM" >"$STUB_CONF"
check "... and once it is fast again, foo.example.org resolves within seconds, not at multipass_ttl (600 s)" \
    wait_until 10 answers foo.example.org 10.168.32.2
check "the watcher is still running" kill -0 "$WATCH_PID"
watch_kill
WATCH_PID=

# --- without the watcher: `vmhosts refresh` of every backend -------------------------
# Several backends at once leave one not installed alone, but not one whose
# answer the cache still holds: a long ttl, so that only the refresh can
# make the name go.
write_conf lxd_socket="$LXD_SOCK" incus_socket="$T/no-incus.sock" libvirt_leases="$LEASES" \
    lxd_ttl=600
python3 "$top_srcdir/bench/lxd-standin.py" "$LXD_SOCK" 2 >"$T/lxd-standin.log" 2>&1 &
STANDIN_PID=$!
at_exit "kill $STANDIN_PID 2>/dev/null"
wait_until 10 test -S "$LXD_SOCK" || bail_out "the LXD stand-in did not start"
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "LXD back: inst-0002.lxd resolves" 10.99.0.4 "$(getent_ahosts inst-0002.lxd)"
rm -f "$LXD_SOCK"
kill "$STANDIN_PID"
wait "$STANDIN_PID" 2>/dev/null
out=$("$VMHOSTS" refresh 2>&1)
check "LXD removed, then a refresh of every backend: it says LXD is not installed" \
    grep -q "LXD is not installed" <<<"$out"
check "... and inst-0002.lxd no longer resolves, within its ttl" fails inst-0002.lxd

# --- a cache replaced by hand while a refresh waits for a backend --------------------
# The other backends' hosts come from the file in place when the refresh
# writes, read again if it changed meanwhile: never from the mapping of the
# file it replaced.
printf '{"list": []}\n' >"$T/no-vms.json"
write_conf lxd_socket="$LXD_SOCK" incus_socket="$T/no-incus.sock" libvirt_leases="$LEASES" \
    ttl=600 lxd_ttl=600 timeout_ms=5000 multipass_command="$top_srcdir/tests/stubs/multipass"
lxd_cache() { # COUNT FILE: the cache of a refresh of COUNT LXD instances, kept as FILE
    python3 "$top_srcdir/bench/lxd-standin.py" "$LXD_SOCK" "$1" >>"$T/lxd-standin.log" 2>&1 &
    local pid=$!
    wait_until 10 test -S "$LXD_SOCK" || bail_out "the LXD stand-in did not start"
    "$VMHOSTS" refresh --backend lxd >/dev/null 2>&1
    cp "$T/cache/hosts.cache" "$2"
    rm -f "$LXD_SOCK"
    kill "$pid"
    wait "$pid" 2>/dev/null
}
lxd_cache 1 "$T/one-instance.cache"
lxd_cache 2 "$T/two-instances.cache"
cp "$T/one-instance.cache" "$T/cache/hosts.cache"
MULTIPASS_STUB_DELAY=2 MULTIPASS_STUB_FIXTURE="$T/no-vms.json" \
    "$VMHOSTS" refresh --backend multipass >"$T/slow-refresh.out" 2>&1 &
SLOW_PID=$!
sleep 1
cp "$T/two-instances.cache" "$T/cache/by-hand" && mv "$T/cache/by-hand" "$T/cache/hosts.cache"
wait "$SLOW_PID"
check_eq "a cache replaced while a refresh waited for multipass: the refresh wrote" \
    0 $?
check_eq "... with the LXD hosts of the file it found in place then (inst-0002.lxd)" \
    10.99.0.4 "$(getent_ahosts inst-0002.lxd)"

done_testing
