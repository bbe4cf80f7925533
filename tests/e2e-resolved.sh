#!/usr/bin/env bash
# `vmhosts enable --dns` with a real systemd-resolved: the drop-in routes our
# domains to the face and the negative trust anchors let a validating
# resolved accept its unsigned answers.  Debian 12's systemd-resolved cannot
# be installed here without rewriting /etc/resolv.conf (its scripts do), so
# the test fetches the package with apt-get download, unpacks it, and runs
# its daemon standalone (no D-Bus: it serves its stub all the same) in a
# mount and network namespace of its own: /etc under an overlay (what
# enable --dns writes lands in a scratch folder), its own /run/systemd, a
# systemd-resolve user in a private copy of /etc/passwd, and a resolv.conf
# naming a loopback address where nothing listens.  The machine's own DNS
# server is a dnsmasq on a link of that namespace, which resolved learns
# as networkd would tell it (a state file in /run/systemd/netif/links).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-hardening.sh"

require_nss
require_root "a private /etc and systemd-resolved"
command -v dig >/dev/null || skip_all "dig is not installed (apt-get install bind9-dnsutils)"
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$DNSMASQ" ] || skip_all "dnsmasq is not installed (apt-get install dnsmasq-base)"
RESOLVED=$T/pkg/lib/systemd/systemd-resolved
(cd "$T" && apt-get download -q systemd-resolved) >"$T/download.log" 2>&1 &&
    dpkg -x "$T"/systemd-resolved_*.deb "$T/pkg" && [ -x "$RESOLVED" ] ||
    skip_all "cannot fetch systemd-resolved with apt-get download: $(tail -n 1 "$T/download.log")"

standin_start
write_conf docker_socket="$STANDIN_SOCK" ttl=3600 multipass_domains=
"$VMHOSTS" refresh --backend docker >/dev/null 2>"$T/refresh.err" ||
    bail_out "vmhosts refresh failed: $(cat "$T/refresh.err")"
set_hosts_line vmhosts
name=$STANDIN_NAME.docker
expected=$(getent_ahosts "$name")
[ -n "$expected" ] || bail_out "getent ahosts $name: nothing (the test's premise)"

cp /etc/passwd "$T/passwd" && cp /etc/group "$T/group"
grep -q '^systemd-resolve:' "$T/passwd" || {
    echo 'systemd-resolve:x:64990:64990::/run/systemd/resolve:/usr/sbin/nologin' >>"$T/passwd"
    echo 'systemd-resolve:x:64990:' >>"$T/group"
}
echo 'nameserver 127.0.0.9' >"$T/resolv.conf"
mkdir -p "$T/etc/upper" "$T/etc/work"

# Everything else runs inside; each step prints one line for the checks.
unshare -m -n bash -s "$T" "$VMHOSTS" "$RESOLVED" "$name" "$DNSMASQ" >"$T/inside.out" 2>"$T/inside.err" <<'INSIDE'
T=$1 VMHOSTS=$2 RESOLVED=$3 NAME=$4 DNSMASQ=$5
mount --make-rprivate / && ip link set lo up || exit 125
# resolved asks no DNS server at all without a routable address ("network
# down"): a veth pair with a default route gives it one, both ends inside
# this namespace, so nothing sent on it goes anywhere.
ip link add vmh0 type veth peer name vmh1 && ip addr add 198.18.0.1/24 dev vmh0 &&
    ip link set vmh1 up && ip link set vmh0 up && ip route add default dev vmh0 || exit 125
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc/upper,workdir=$T/etc/work" /etc &&
    mount --bind "$T/passwd" /etc/passwd && mount --bind "$T/group" /etc/group &&
    mount --bind "$T/resolv.conf" /etc/resolv.conf && mkdir -p /run/systemd &&
    mount -t tmpfs tmpfs /run/systemd || exit 125
mkdir -p /etc/systemd/resolved.conf.d
# Validating, and no multicast: an invented TLD must pass through the anchors.
printf '[Resolve]\nDNSSEC=yes\nLLMNR=no\nMulticastDNS=no\n' >/etc/systemd/resolved.conf.d/test.conf
"$VMHOSTS" dns 2>"$T/face.log" &
face=$!
# The link's own server: answers other.test, refuses the rest, logs each query.
"$DNSMASQ" -k -C /dev/null --pid-file= --no-resolv --no-hosts --bind-interfaces \
    --listen-address=198.18.0.1 --address=/other.test/192.0.2.7 --log-queries \
    --log-facility="$T/link-dns.log" 2>"$T/link-dns.err" &
link_dns=$!
mkdir -p /run/systemd/netif/links
printf 'ADMIN_STATE=configured\nOPER_STATE=routable\nDNS=198.18.0.1\n' \
    >"/run/systemd/netif/links/$(ip -o link show vmh0 | cut -d: -f1)"
resolved=
start_resolved() {
    [ -z "$resolved" ] || { kill "$resolved"; wait "$resolved" 2>/dev/null; }
    SYSTEMD_LOG_LEVEL=debug "$RESOLVED" 2>>"$T/resolved.log" &
    resolved=$!
    for ((i = 0; i < 50; i++)); do
        dig +time=1 +tries=1 @127.0.0.53 . NS >/dev/null 2>&1 && return
        sleep 0.1
    done
}
ask() { dig +time=3 +tries=1 @127.0.0.53 "$@" 2>&1; }
answer() { ask +short "$1" "$2" | sort | xargs; }
rcode() { ask "$1" A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
"$VMHOSTS" enable --dns >/dev/null; echo "enable=$?"
start_resolved
echo "A=$(answer "$NAME" A)"
echo "AAAA=$(answer "$NAME" AAAA)"
echo "nope=$(rcode "nope.docker")"
# Not ours: the link's server answers it.  resolved of systemd 252 asks the
# face too (its global DNS= is a default route), which refuses it.
echo "other=$(answer other.test A)"
id=$(sed -n 's|.*Firing regular transaction \([0-9]*\) for <other.test IN A> scope dns on \*/\*.*|\1|p' \
    "$T/resolved.log" | head -n 1)
echo "other-to-face=${id:+$(grep -c "on transaction $id (rcode=REFUSED)" "$T/resolved.log")}"
echo "ours-to-link=$(grep -c "query.* $NAME from" "$T/link-dns.log")"
rm /etc/dnssec-trust-anchors.d/vmhosts.negative
start_resolved
echo "no-anchors=$(rcode "$NAME")"
"$VMHOSTS" disable --dns >/dev/null; echo "disable=$?"
# Not validating now: were the face still asked, its answer would stand.
sed -i 's/^DNSSEC=yes$/DNSSEC=no/' /etc/systemd/resolved.conf.d/test.conf
start_resolved
echo "disabled=$(rcode "$NAME")"
echo "disabled-to-link=$(grep -c "query.* $NAME from" "$T/link-dns.log")"
kill "$resolved" "$face" "$link_dns"
wait
INSIDE
status=$?
[ "$status" = 125 ] && skip_all "cannot set up the namespace: $(head -c 300 "$T/inside.err")"
diag "$(cat "$T/inside.out")"
value() { sed -n "s/^$1=//p" "$T/inside.out"; }

check_eq "enable --dns exits 0" 0 "$(value enable)"
check_eq "through systemd-resolved's stub, validating: $name's addresses, as getent gives them" \
    "$expected" "$(xargs -n1 <<<"$(value A) $(value AAAA)" | sort -u | xargs)"
check_eq "a container that does not exist: NXDOMAIN from the face, through resolved" NXDOMAIN \
    "$(value nope)"
check_eq "a name not ours, through resolved: the link's own server answers it" 192.0.2.7 \
    "$(value other)"
check "resolved (systemd 252) asks the face that name too, and the face refuses it" \
    test "$(value other-to-face)" -ge 1
check_eq "our name goes to the face only, never to the link's server" 0 "$(value ours-to-link)"
check_eq "without the negative trust anchors, validation refuses the unsigned answer" SERVFAIL \
    "$(value no-anchors)"
check_eq "resolved reads every line of the anchors file (no warning about it)" "" \
    "$(grep "vmhosts.negative" "$T/resolved.log" | head -n 3)"
check_eq "disable --dns exits 0" 0 "$(value disable)"
check_eq "after disable --dns, not validating: resolved no longer asks the face (the link's server refuses it)" \
    REFUSED "$(value disabled)"
check "after disable --dns our name goes to the link's server" test "$(value disabled-to-link)" -ge 1
grep -i "error\|fail" "$T/resolved.log" | tail -n 5 | while read -r line; do diag "resolved: $line"; done
done_testing
