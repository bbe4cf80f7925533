#!/usr/bin/env bash
# libvirt VMs by name against a real libvirtd (tests/lib-libvirt.sh: its own
# namespaces and state folders): `virsh net-create` makes a network, and
# the dnsmasq libvirtd starts for it grants a "guest" (a veth in a
# namespace of its own, busybox udhcpc) a lease that libvirt's helper
# records in <bridge>.status.  No domain can start here (no KVM), so the
# .macs file of a running domain is the recorded one (tests/fixtures/
# libvirt).  Then, with `vmhosts watch` running and libvirt_ttl an hour
# long, a new, released or rewritten lease file is followed within moments:
# only inotify on the folder can explain that.  Lease files that are not
# files, or far too large, are refused with a reason and the last good
# names are kept for when they are readable again.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-watch.sh"
. "$top_srcdir/tests/lib-libvirt.sh"

require_nss
command -v busybox >/dev/null || skip_all "busybox is not installed (apt-get install busybox-static)"
command -v dhcp_release >/dev/null ||
    skip_all "dhcp_release is not installed (apt-get install dnsmasq-utils)"
libvirtd_start
BRIDGE=virbr77
libvirt_network vmhosts-test "$BRIDGE" 10.77.0 ||
    bail_out "virsh net-create failed: $(cat "$LIBVIRT_STATE/net-create.log")"
STATUS=$LIBVIRT_LEASES/$BRIDGE.status

check "the network's bridge is in libvirtd's namespace" \
    test -n "$(in_libvirt_net ip -o link show "$BRIDGE" 2>/dev/null)"
check "... and not on the host" test -z "$(ip -o link show "$BRIDGE" 2>/dev/null)"
check "libvirtd's firewall rules for it are in its namespace" \
    sh -c "nsenter -t $LIBVIRTD_PID -n iptables -S 2>/dev/null | grep -q LIBVIRT"

# wait_status PATTERN [absent]: until the helper has (not) written it.
wait_status() {
    local tries
    for ((tries = 0; tries < 100; tries++)); do
        if grep -qs "$1" "$STATUS"; then [ "${2:-}" != absent ] && return 0
        else [ "${2:-}" = absent ] && return 0; fi
        sleep 0.1
    done
    return 1
}

libvirt_guest "$BRIDGE" 52:54:00:77:00:02 || bail_out "cannot wire a guest to $BRIDGE"
VM2=$GUEST
ADDRESS=$(libvirt_dhcp "$VM2" vm2-host)
[ -n "$ADDRESS" ] || bail_out "no lease: $(cat "$LIBVIRT_STATE/udhcpc.log" "$LIBVIRT_STATE/libvirtd.log")"
wait_status vm2-host || bail_out "libvirt's helper wrote no lease"
diag "lease of $ADDRESS for vm2-host, from libvirtd's dnsmasq"

# --- on demand ---------------------------------------------------------------
write_conf "libvirt_leases=$LIBVIRT_LEASES" libvirt_ttl=1
check_eq "vm2-host.libvirt: the lease by its hostname, through the refresh a lookup starts" \
    "$ADDRESS" "$(getent_hosts vm2-host.libvirt)"
check_eq "reverse: the lease's hostname" "$ADDRESS vm2-host.libvirt" \
    "$(with_nss getent hosts "$ADDRESS" | xargs)"

# The running domain vm2 with that MAC, as libvirt writes it (virmacmap.c).
cp "$FIXTURES/libvirt/virbr77.macs" "$LIBVIRT_LEASES/$BRIDGE.macs"
sleep 1.1
check_eq "vm2.libvirt: the domain, by its MAC" "$ADDRESS" "$(getent_hosts vm2.libvirt)"
check_eq "reverse: the domain's name wins over the hostname" "$ADDRESS vm2.libvirt" \
    "$(with_nss getent hosts "$ADDRESS" | xargs)"

# Another guest sends the domain's name as its hostname: it gets no name.
libvirt_guest "$BRIDGE" 52:54:00:77:00:03 || bail_out "cannot wire a second guest"
OTHER=$(libvirt_dhcp "$GUEST" vm2)
wait_status '"hostname": "vm2"' || bail_out "no lease for the second guest"
sleep 1.1
check_eq "a guest that sends the hostname vm2: vm2.libvirt stays the domain's" \
    "$ADDRESS" "$(getent_hosts vm2.libvirt)"
with_nss getent hosts "$OTHER" >/dev/null
check_eq "... and its address ($OTHER) has no name" 2 $?

# --- the watcher: inotify ------------------------------------------------------
# An hour between polls, and lookups that never refresh while a watcher
# runs (counted): a change seen within seconds is inotify's doing.
write_conf "libvirt_leases=$LIBVIRT_LEASES" libvirt_ttl=3600 ttl=3600 \
    refresh_command="$COUNTING_REFRESHER"
"$VMHOSTS" watch --verbose 2>>"$WATCH_LOG" &
WATCH_PID=$!
at_exit watch_kill
check "the watcher watches the lease folder" wait_for_log "libvirt: watching $LIBVIRT_LEASES" 1
wait_for_log "keeping $T/cache" 1 || bail_out "the watcher did not start: $(cat "$WATCH_LOG")"
: >"$REFRESH_RUNS"

# follow NAME EXPECTED WHAT SINCE_MS: waits (30 s at most) until a lookup of
# NAME gives EXPECTED ("" for not found); checks it, and says how long it
# took since SINCE_MS.
follow() {
    local name=$1 expected=$2 what=$3 since=$4 got tries
    for ((tries = 0; tries < 600; tries++)); do
        got=$(getent_hosts "$name")
        [ "$got" = "$expected" ] && break
        sleep 0.05
    done
    check_eq "$what" "$expected" "$got"
    diag "... $(($(now_ms) - since)) ms after the change (libvirt_ttl is 3600 s)"
}

libvirt_guest "$BRIDGE" 52:54:00:77:00:04 || bail_out "cannot wire a third guest"
VM3=$GUEST
VM3_ADDRESS=$(libvirt_dhcp "$VM3" vm3-host)
granted=$(now_ms)
[ -n "$VM3_ADDRESS" ] || bail_out "no lease for vm3-host: $(cat "$LIBVIRT_STATE/udhcpc.log")"
follow vm3-host.libvirt "$VM3_ADDRESS" "a new lease resolves under the watcher" "$granted"

released=$(now_ms)
in_libvirt_net dhcp_release "$BRIDGE" "$VM3_ADDRESS" 52:54:00:77:00:04 ||
    bail_out "dhcp_release failed"
follow vm3-host.libvirt "" "released (dhcp_release): vm3-host.libvirt no longer resolves" \
    "$released"

# An expired lease, as the helper would leave it when dnsmasq ends: the
# file rewritten by rename, as libvirt's helper writes it.
sed 's/"expiry-time": [0-9]*/"expiry-time": 1000/' "$STATUS" >"$STATUS.new" &&
    mv "$STATUS.new" "$STATUS"
rewritten=$(now_ms)
follow vm2-host.libvirt "" "expired: vm2-host.libvirt no longer resolves" "$rewritten"
check_eq "expired: vm2.libvirt has no address left" "" "$(getent_hosts vm2.libvirt)"
check_eq "no lookup started a refresh meanwhile" 0 "$(refresher_runs)"

# --- lease files that must not hang or swamp the refresher ---------------------
# A fresh lease for vm2 again, to see what is kept.
ADDRESS=$(libvirt_dhcp "$VM2" vm2-host)
follow vm2.libvirt "$ADDRESS" "vm2 leased again" "$(now_ms)"
mkfifo "$LIBVIRT_LEASES/vmhbad.status"
started=$(now_ms)
out=$(timeout 20 "$VMHOSTS" refresh --backend libvirt 2>&1)
check_eq "a FIFO as a lease file: the refresh ends with a failure (1)" 1 $?
diag "... in $(($(now_ms) - started)) ms"
check "... saying it is not a regular file" grep -q 'not a regular file.*vmhbad.status' <<<"$out"
check "... and keeping the VMs last seen" grep -q 'keeping the [0-9]* VMs last seen' <<<"$out"
check "the watcher read it too, and said so" grep -q 'not a regular file.*vmhbad.status' "$WATCH_LOG"
# A backend that failed answers UNAVAIL (the next source is asked) until
# it is read again: the addresses it last had may be another's by now.
with_nss getent hosts vm2.libvirt >/dev/null
check_eq "meanwhile vm2.libvirt is UNAVAIL (getent: not found)" 2 $?
rm -f "$LIBVIRT_LEASES/vmhbad.status"
follow vm2.libvirt "$ADDRESS" "the FIFO removed: vm2.libvirt resolves again" "$(now_ms)"

truncate -s 100M "$LIBVIRT_LEASES/vmhbig.status"
out=$(timeout 20 "$VMHOSTS" refresh --backend libvirt 2>&1)
check_eq "a 100 MB lease file: the refresh fails (1)" 1 $?
check "... saying it is too large" grep -q 'too large.*vmhbig.status' <<<"$out"
check "... and keeping the VMs last seen" grep -q 'keeping the [0-9]* VMs last seen' <<<"$out"
check "the watcher said so too" grep -q 'too large.*vmhbig.status' "$WATCH_LOG"
rm -f "$LIBVIRT_LEASES/vmhbig.status"
follow vm2.libvirt "$ADDRESS" "the large file removed: vm2.libvirt resolves again" "$(now_ms)"

kill -TERM "$WATCH_PID"
wait "$WATCH_PID"
check_eq "the watcher stops on SIGTERM with status 0" 0 $?
WATCH_PID=

done_testing
