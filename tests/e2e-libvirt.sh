#!/usr/bin/env bash
# libvirt VMs by name end to end, from lease files written by libvirt's own
# helper: a real dnsmasq, started as libvirt starts it for a network
# (--dhcp-script=libvirt_leaseshelper, VIR_BRIDGE_NAME), serves a bridge in
# the test's own network namespace; a "guest" (a veth in a namespace of its
# own) asks for a lease with busybox udhcpc, sending a hostname.  libvirtd
# itself does not run (no domain can start here), so the .macs file of a
# running domain is written as libvirt writes it (tests/fixtures/libvirt).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
HELPER=/usr/lib/libvirt/libvirt_leaseshelper
[ -x "$HELPER" ] || skip_all "libvirt's lease helper is not installed (apt-get install libvirt-daemon)"
command -v dnsmasq >/dev/null || skip_all "dnsmasq is not installed (apt-get install dnsmasq-base)"
command -v busybox >/dev/null || skip_all "busybox is not installed (apt-get install busybox-static)"
command -v dhcp_release >/dev/null || skip_all "dhcp_release is not installed (apt-get install dnsmasq-utils)"

LEASES=$T/dnsmasq
mkdir -p -m 755 "$LEASES"
MAC=52:54:00:77:00:02

# The network: a bridge and dnsmasq in a namespace of their own, with the
# helper's folder (/var/lib/libvirt/dnsmasq) bind-mounted from $LEASES.
unshare -m -n sh -c '
    mount --make-rprivate / && mkdir -p /var/lib/libvirt/dnsmasq 2>/dev/null
    mount --bind "$1" /var/lib/libvirt/dnsmasq || exit 125
    ip link set lo up && ip link add virbr77 type bridge &&
        ip addr add 10.77.0.1/24 dev virbr77 && ip link set virbr77 up || exit 125
    VIR_BRIDGE_NAME=virbr77 exec dnsmasq --keep-in-foreground --conf-file=/dev/null \
        --bind-dynamic --interface=virbr77 --except-interface=lo --port=0 \
        --dhcp-range=10.77.0.2,10.77.0.254,255.255.255.0 --dhcp-authoritative \
        --dhcp-script="$2" --leasefile-ro --user=root --group=root' \
    network "$LEASES" "$HELPER" >"$T/dnsmasq.log" 2>&1 &
NETWORK=$!
at_exit 'kill $NETWORK $GUEST 2>/dev/null; wait $NETWORK $GUEST 2>/dev/null'
unshare -n sleep 600 &
GUEST=$!
for ((tries = 0; tries < 50; tries++)); do
    [ -n "$(nsenter -t "$NETWORK" -n ip -o link show virbr77 2>/dev/null)" ] && break
    sleep 0.1
done
nsenter -t "$NETWORK" -n sh -c "ip link add vmport type veth peer name vmeth &&
    ip link set vmport master virbr77 && ip link set vmport up && ip link set vmeth netns $GUEST" ||
    bail_out "cannot wire the guest to the bridge: $(cat "$T/dnsmasq.log")"
nsenter -t "$GUEST" -n sh -c "ip link set lo up && ip link set vmeth address $MAC &&
    ip link set vmeth up" || bail_out "cannot set the guest's interface up"

# dhcp [udhcpc options]: the guest asks for a lease (the bridge port may take
# a moment to forward, so udhcpc tries a few times).
dhcp() { nsenter -t "$GUEST" -n busybox udhcpc -i vmeth -x hostname:vm2-host -q -n -t 10 \
    -T 1 -s /bin/true "$@" >>"$T/udhcpc.log" 2>&1; }
# wait_leases PATTERN [absent]: until the helper has (not) written it.
wait_leases() {
    for ((tries = 0; tries < 50; tries++)); do
        if grep -qs "$1" "$LEASES/virbr77.status"; then [ "${2:-}" != absent ] && return 0
        else [ "${2:-}" = absent ] && return 0; fi
        sleep 0.1
    done
    return 1
}

dhcp || bail_out "no lease: $(cat "$T/udhcpc.log" "$T/dnsmasq.log")"
wait_leases vm2-host || bail_out "the helper wrote no lease: $(cat "$T/dnsmasq.log")"
ADDRESS=$(sed -n 's/.*"ip-address": "\([0-9.]*\)".*/\1/p' "$LEASES/virbr77.status")
diag "lease of $ADDRESS for vm2-host, as libvirt's helper recorded it"
# The running domain vm2 with that MAC, as libvirt writes it (virmacmap.c).
printf '[\n  {\n    "domain": "vm2",\n    "macs": [\n      "%s"\n    ]\n  }\n]\n' "$MAC" \
    >"$LEASES/virbr77.macs"

write_conf "libvirt_leases=$LEASES" libvirt_ttl=1

check_eq "vm2-host.libvirt: the guest's DHCP hostname, through the refresh a lookup starts" \
    "$ADDRESS" "$(getent_hosts vm2-host.libvirt)"
check_eq "vm2.libvirt: the domain, by its MAC" "$ADDRESS" "$(getent_hosts vm2.libvirt)"
check_eq "reverse: the domain's name" "$ADDRESS vm2.libvirt" \
    "$(with_nss getent hosts "$ADDRESS" | xargs)"
with_nss getent hosts web.docker >/dev/null
check_eq "Docker down meanwhile: its names UNAVAIL (getent: not found)" 2 $?
with_nss getent hosts other.libvirt >/dev/null
check_eq "other.libvirt: no such VM (NOTFOUND)" 2 $?
out=$("$VMHOSTS" lookup vm2.libvirt 2>&1)
check "vmhosts lookup names the record" grep -q 'record: libvirt VM vm2, running' <<<"$out"
out=$("$VMHOSTS" status 2>&1)
check "vmhosts status: the lease folder is readable" grep -qF "$LEASES: readable" <<<"$out"

# A domain named with a dot, as virt-install names them: a libvirt name is
# one label, so it is left out, and a reverse lookup gives the guest's
# hostname rather than a name that does not resolve forward.
printf '[\n  {\n    "domain": "ubuntu22.04",\n    "macs": [\n      "%s"\n    ]\n  }\n]\n' "$MAC" \
    >"$LEASES/virbr77.macs"
"$VMHOSTS" refresh --backend libvirt >/dev/null 2>&1
check_eq "a domain named ubuntu22.04: reverse gives its guest's hostname" \
    "$ADDRESS vm2-host.libvirt" "$(with_nss getent hosts "$ADDRESS" | xargs)"
out=$("$VMHOSTS" lookup ubuntu22.04.libvirt 2>&1)
check "vmhosts lookup ubuntu22.04.libvirt: one label, left out, rename it" \
    grep -q 'virsh domrename ubuntu22.04' <<<"$out"
printf '[\n  {\n    "domain": "vm2",\n    "macs": [\n      "%s"\n    ]\n  }\n]\n' "$MAC" \
    >"$LEASES/virbr77.macs"
"$VMHOSTS" refresh --backend libvirt >/dev/null 2>&1

# Released: the helper takes the lease out, and after libvirt_ttl the name
# stops resolving by itself.
# A DHCPRELEASE for the lease, as the guest would send it (dnsmasq's own
# dhcp_release; busybox udhcpc sends none without an address configured).
nsenter -t "$NETWORK" -n dhcp_release virbr77 "$ADDRESS" "$MAC" ||
    bail_out "dhcp_release failed"
wait_leases vm2-host absent || bail_out "the helper kept the released lease"
sleep 1.1
with_nss getent hosts vm2-host.libvirt >/dev/null
check_eq "released: vm2-host.libvirt no longer resolves" 2 $?
check_eq "released: vm2.libvirt has no address left (NOTFOUND)" "" "$(getent_hosts vm2.libvirt)"

# A lease file another user could write is not read.
chmod 666 "$LEASES/virbr77.status"
out=$("$VMHOSTS" refresh --backend libvirt 2>&1)
check "a lease file anyone may write: refused, and the refresh says so" \
    grep -q 'virbr77.status' <<<"$out"
chmod 644 "$LEASES/virbr77.status"

done_testing
