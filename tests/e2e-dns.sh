#!/usr/bin/env bash
# The DNS face (issue 16) end to end: `vmhosts dns` in a network namespace
# of its own (loopback only: nothing leaves the machine) answers, for every
# name form of a real Docker engine and a stand-in multipass, exactly what
# getent answers through the module; names not ours are REFUSED; a static
# Go program and Node's dns.resolve4 (their resolv.conf bind-mounted in a
# mount namespace), dnsmasq and unbound forwarding to the face, and a
# container started with --dns resolve through it; hostile clients do not
# stop it answering.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/lib.sh"

require_nss
command -v dig >/dev/null || skip_all "dig is not installed (apt-get install bind9-dnsutils)"
command -v nsenter >/dev/null || skip_all "nsenter is not installed (util-linux)"
docker_start
docker_image

# A multipass whose one running VM is bogus-instance at 10.21.124.56,
# whoever starts it (the face's refresher does not have our environment).
VM_STUB=$T/multipass-vms
printf '#!/bin/sh\nMULTIPASS_STUB_FIXTURE=%s exec %s "$@"\n' \
    "$FIXTURES/multipass/multipass-v1.16-list-running-and-stopped.json" \
    "$top_srcdir/tests/stubs/multipass" >"$VM_STUB"
chmod 755 "$VM_STUB"
write_conf ttl=60 multipass_ttl=600 timeout_ms=3000 multipass_command="$VM_STUB"

FACE=127.0.0.153
sorted() { xargs -n1 <<<"$*" | sort -u | xargs; }
inspect() { dk inspect -f "$2" "$1" | xargs; }

# --- the names: Compose with IPv6, a hostname, a VM ----------------------------
dk network create --ipv6 --subnet fd00:db8:53::/64 shop_default >/dev/null ||
    bail_out "docker network create --ipv6 failed"
compose=(--network shop_default --label com.docker.compose.project=shop)
# shop-web-1 also has a network alias, a name its label chose and a
# wildcard: the names of issue 19 answer over DNS as through getent.
web1=$(docker_run shop-web-1 "${compose[@]}" --label com.docker.compose.service=web \
        --network-alias api --label vmhosts.names=chosen.docker --label vmhosts.wildcard=true) &&
    web2=$(docker_run shop-web-2 "${compose[@]}" --label com.docker.compose.service=web) &&
    box=$(docker_run dnsbox --hostname boxhost) ||
    bail_out "cannot start the containers"
web1_v4=$(inspect "$web1" '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}')
web1_v6=$(inspect "$web1" '{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}} {{end}}')
box_v4=$(inspect "$box" '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}')
diag "shop-web-1 at $web1_v4 $web1_v6, dnsbox at $box_v4"
with_nss "$VMHOSTS" refresh >/dev/null 2>&1 || bail_out "vmhosts refresh failed"

# --- the face, in a network namespace of its own ------------------------------
FACE_PID=
stop_face() {
    [ -n "$FACE_PID" ] || return 0
    kill -TERM "$FACE_PID" 2>/dev/null
    wait "$FACE_PID" 2>/dev/null
    FACE_PID=
}
at_exit stop_face
# Extra daemons in the face's namespace (dnsmasq, unbound), stopped first.
HELPERS=()
stop_helpers() {
    local pid
    for pid in "${HELPERS[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    HELPERS=()
}
at_exit stop_helpers

unshare -n sh -c 'ip link set lo up && exec "$@"' face \
    "$VMHOSTS" dns --listen "$FACE" --listen '[::1]:53' --max-connections 8 \
    --idle-timeout-ms 1000 2>"$T/face.log" &
FACE_PID=$!
# in_net COMMAND...: runs COMMAND in the face's network namespace.
in_net() { nsenter -n -t "$FACE_PID" "$@"; }
# q [dig options...] NAME [TYPE]: the answer section's data, sorted.
q() { in_net dig +tries=1 +time=2 @"$FACE" +short "$@" 2>&1 | sort | xargs; }
# status [dig options...] NAME [TYPE]: the reply's rcode, or "none".
status() {
    local s
    s=$(in_net dig +tries=1 +time=2 @"$FACE" "$@" 2>&1 | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
    echo "${s:-none}"
}
for ((i = 0; i < 50; i++)); do
    [ "$(status example.com)" = REFUSED ] && break
    sleep 0.1
done
check_eq "the face answers in its namespace (example.com: REFUSED)" REFUSED "$(status example.com)"
[ "$(status example.com)" = REFUSED ] || { diag "$(cat "$T/face.log")"; bail_out "the face did not start"; }

# --- ttls: what is left of the cache's freshness ------------------------------
# ttl_of NAME: the ttl of the first answer record.
ttl_of() { in_net dig +tries=1 +time=2 @"$FACE" +noall +answer "$1" A | awk 'NR == 1 {print $2}'; }
first_ttl=$(ttl_of shop-web-1.docker)
sleep 2.2
second_ttl=$(ttl_of shop-web-1.docker)
check "a ttl at most the cache's (ttl = 60): $first_ttl" test "${first_ttl:-99}" -le 60
check "the ttl counts down with the cache's freshness: $first_ttl, then $second_ttl 2.2 s later" \
    test "${second_ttl:-99}" -le $((${first_ttl:-0} - 2))

# --- dig agrees with getent for every name form --------------------------------
# Not the full 64-digit ID: a DNS label holds 63 octets, dig refuses it.
names=(shop-web-1.docker "${web1:0:12}.docker" "${web1:0:63}.docker" web.shop.docker dnsbox.docker
    boxhost SHOP-WEB-1.Docker bogus-instance.example.org shop-web-1.shop_default.docker
    api.shop_default.docker chosen.docker x.y.shop-web-1.docker)
for name in "${names[@]}"; do
    expected=$(getent_ahosts "$name")
    [ -n "$expected" ] || fail "getent ahosts $name: something (the test's premise)"
    check_eq "dig A+AAAA $name agrees with getent ahosts" "$expected" \
        "$(sorted "$(q "$name" A) $(q "$name" AAAA)")"
done
# Every name `vmhosts list` gives, under every rule, agrees too.
every_name=$(with_nss "$VMHOSTS" list --json --no-refresh 2>/dev/null | python3 -c '
import json, sys
for n in json.load(sys.stdin)["names"]:
    if all(len(label) <= 63 for label in n["name"].split(".")):
        print(n["name"])')
disagree=
for name in $every_name; do
    [ "$(getent_ahosts "$name")" = "$(sorted "$(q "$name" A) $(q "$name" AAAA)")" ] ||
        disagree="$disagree $name"
done
check_eq "dig agrees with getent ahosts for all $(wc -w <<<"$every_name") names \`vmhosts list\` gives" \
    "" "$disagree"
check_eq "dig AAAA shop-web-1.docker: its IPv6 address" "$web1_v6" "$(q shop-web-1.docker AAAA)"
check_eq "dig AAAA dnsbox.docker (IPv4 only): NODATA" "NOERROR" "$(status dnsbox.docker AAAA)"
check_eq "dig AAAA dnsbox.docker: no answer" "" "$(q dnsbox.docker AAAA)"
check_eq "dig A nope.docker: NXDOMAIN" NXDOMAIN "$(status nope.docker)"
check_eq "NXDOMAIN carries the SOA of docker." "docker." \
    "$(in_net dig +tries=1 +time=2 @"$FACE" nope.docker | awk '$4 == "SOA" {print $1}')"
check_eq "a stopped VM: NXDOMAIN like getent's NOTFOUND" NXDOMAIN "$(status bombastic.example.org)"
check_eq "dig '*.docker': NXDOMAIN, a name that cannot exist in our zone" NXDOMAIN \
    "$(status '*.docker')"
check_eq "dig a.b.example.org (two labels under a VM's domain): NXDOMAIN" NXDOMAIN \
    "$(status a.b.example.org)"
check_eq "dig docker SOA: the zone's SOA as the answer" "NOERROR docker." \
    "$(status docker SOA) $(in_net dig +tries=1 +time=2 @"$FACE" docker SOA |
        awk '/ANSWER SECTION/ {a = 1; next} a && $4 == "SOA" {print $1}')"
check_eq "dig docker A: NODATA at the apex" "NOERROR" "$(status docker A)"
# dig asks ANY over TCP unless told; q's xargs would eat the quotes.
check_eq "dig ANY over UDP: one HINFO, RFC 8482" '"RFC8482" ""' \
    "$(in_net dig +tries=1 +time=2 @"$FACE" +notcp +short shop-web-1.docker ANY)"
check_eq "dig ANY over TCP: the addresses" "$(getent_ahosts shop-web-1.docker)" \
    "$(q +tcp shop-web-1.docker ANY)"
check_eq "dig shop.docker (above web.shop.docker, itself no name): NODATA, RFC 8020" \
    "NOERROR" "$(status shop.docker)"
# ptr ADDRESS: the first PTR, the canonical name (the hostname follows).
ptr() { in_net dig +tries=1 +time=2 @"$FACE" +short -x "$1" | head -n 1; }
check_eq "dig -x shop-web-1's IPv4 address: its name" shop-web-1.docker. "$(ptr "$web1_v4")"
check_eq "getent hosts of that address agrees" shop-web-1.docker \
    "$(with_nss getent hosts "$web1_v4" | awk '{print $2}')"
check_eq "dig -x shop-web-1's IPv6 address: its name" shop-web-1.docker. "$(ptr "$web1_v6")"
check_eq "dig -x of another address: REFUSED" REFUSED "$(status -x 192.0.2.1)"
check_eq "TXT of shop-web-1's reverse name: NODATA, not REFUSED" "NOERROR 0" \
    "$(status -x "$web1_v4" TXT) $(in_net dig +tries=1 +time=2 @"$FACE" +short -x "$web1_v4" TXT |
        wc -l)"
check_eq "example.com over TCP: REFUSED" REFUSED "$(status +tcp example.com)"
check_eq "a bare name no container has: REFUSED" REFUSED "$(status nosuchbare)"
check_eq "over TCP: the same answer" "$web1_v4" "$(q +tcp shop-web-1.docker A)"
check_eq "over IPv6 loopback: the same answer" "$web1_v4" \
    "$(in_net dig +tries=1 +time=2 @::1 +short shop-web-1.docker A | xargs)"
check "no recursion offered: no ra flag" \
    sh -c "! nsenter -n -t $FACE_PID dig @$FACE shop-web-1.docker | grep -q 'flags:.* ra'"
check "authoritative: aa flag" \
    sh -c "nsenter -n -t $FACE_PID dig @$FACE shop-web-1.docker | grep -q 'flags:.* aa'"
check "EDNS: an OPT record answers one" \
    sh -c "nsenter -n -t $FACE_PID dig +edns=0 @$FACE shop-web-1.docker | grep -q 'OPT PSEUDOSECTION'"

check "vmhosts status in the face's namespace: answering" \
    sh -c "nsenter -n -t $FACE_PID $VMHOSTS status | grep -qx '  127.0.0.153:53: answering'"
check "vmhosts status outside it: not running" \
    sh -c "$VMHOSTS status | grep -qx '  127.0.0.153:53: no answer: not running'"

# --- answers follow the cache at once ------------------------------------------
late=$(docker_run late-box) || bail_out "cannot start late-box"
late_v4=$(inspect "$late" '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}')
check_eq "a container started after the face: answered (refresh on a miss)" "$late_v4" \
    "$(q late-box.docker A)"
dk rm -f late-box >/dev/null
with_nss "$VMHOSTS" refresh >/dev/null 2>&1
check_eq "removed, and the cache rewritten: NXDOMAIN at once" NXDOMAIN "$(status late-box.docker)"

# --- programs that never ask NSS: their resolv.conf points at the face ---------
echo "nameserver $FACE" >"$T/resolv.conf"
# with_resolv COMMAND...: in the face's network namespace, with the test's
# resolv.conf bind-mounted over the system's in a private mount namespace.
with_resolv() {
    in_net unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf || exit 125; shift; exec "$@"' \
        with_resolv "$T/resolv.conf" "$@"
}
if command -v go >/dev/null; then
    mkdir -p "$T/goresolve"
    cat >"$T/goresolve/main.go" <<'GO'
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
)

func main() {
	addrs, err := net.DefaultResolver.LookupHost(context.Background(), os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	sort.Strings(addrs)
	fmt.Println(strings.Join(addrs, " "))
}
GO
    if (cd "$T/goresolve" && GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod GO111MODULE=off \
        CGO_ENABLED=0 go build -o resolve main.go) >"$T/go.log" 2>&1; then
        check "the Go program is static (CGO_ENABLED=0)" \
            sh -c "ldd $T/goresolve/resolve 2>&1 | grep -q 'not a dynamic'"
        check_eq "static Go LookupHost shop-web-1.docker through the face" \
            "$(sorted "$web1_v4 $web1_v6")" "$(with_resolv "$T/goresolve/resolve" shop-web-1.docker)"
        check_eq "static Go LookupHost web.shop.docker (a Compose service)" \
            "$(getent_ahosts web.shop.docker)" "$(with_resolv "$T/goresolve/resolve" web.shop.docker)"
    else
        fail "go build of the resolver program"
        diag "$(tail -n 5 "$T/go.log")"
    fi
else
    skip "a static Go program resolves through the face" "go is not installed (apt-get install golang-go)"
fi
if command -v node >/dev/null; then
    check_eq "Node dns.resolve4 shop-web-1.docker through the face" "$web1_v4" \
        "$(with_resolv node -e 'require("dns").resolve4(process.argv[1], (e, a) => {
            console.log(e ? "error: " + e.code : a.sort().join(" ")); })' shop-web-1.docker)"
    check_eq "Node dns.resolve4 example.com: refused, not answered" "error: EREFUSED" \
        "$(with_resolv node -e 'require("dns").resolve4(process.argv[1], (e, a) => {
            console.log(e ? "error: " + e.code : a.join(" ")); })' example.com)"
else
    skip "Node dns.resolve4 through the face" "node is not installed"
fi

# --- resolvers that forward our domains to the face ----------------------------
# wait_for_resolver ADDRESS: until the resolver started there answers
# shop-web-1.docker.  Its answer, not any output: dig prints "connection
# refused" on stdout while the daemon is not yet listening.
wait_for_resolver() {
    for ((i = 0; i < 100; i++)); do
        [ "$(in_net dig +tries=1 +time=1 @"$1" +short shop-web-1.docker A 2>/dev/null)" = "$web1_v4" ] &&
            break
        sleep 0.1
    done
}
if command -v dnsmasq >/dev/null; then
    # nsenter itself, not in_net: $! must be the daemon's own pid.
    nsenter -n -t "$FACE_PID" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
        --listen-address=127.0.0.2 --bind-interfaces --port=53 --pid-file= --user=root \
        --server=/docker/$FACE --server=/example.org/$FACE >"$T/dnsmasq.log" 2>&1 &
    HELPERS+=($!)
    wait_for_resolver 127.0.0.2
    check_eq "dig @dnsmasq (server=/docker/$FACE) shop-web-1.docker" "$web1_v4" \
        "$(in_net dig +tries=1 +time=2 @127.0.0.2 +short shop-web-1.docker A)"
    check_eq "dig @dnsmasq bogus-instance.example.org" 10.21.124.56 \
        "$(in_net dig +tries=1 +time=2 @127.0.0.2 +short bogus-instance.example.org A)"
else
    skip "dnsmasq forwarding to the face" "dnsmasq is not installed (apt-get install dnsmasq-base)"
fi
if command -v unbound >/dev/null; then
    mkdir -p "$T/unbound"
    cat >"$T/unbound/unbound.conf" <<UNBOUND
server:
    interface: 127.0.0.3
    port: 53
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$T/unbound"
    pidfile: ""
    use-syslog: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    qname-minimisation: yes
    qname-minimisation-strict: yes
    module-config: "iterator"
    domain-insecure: "docker"
    domain-insecure: "example.org"
stub-zone:
    name: "docker"
    stub-addr: $FACE
stub-zone:
    name: "example.org"
    stub-addr: $FACE
remote-control:
    control-enable: no
UNBOUND
    nsenter -n -t "$FACE_PID" unbound -d -c "$T/unbound/unbound.conf" >"$T/unbound.log" 2>&1 &
    HELPERS+=($!)
    wait_for_resolver 127.0.0.3
    check_eq "dig @unbound (stub-zone docker) shop-web-1.docker" "$web1_v4" \
        "$(in_net dig +tries=1 +time=2 @127.0.0.3 +short shop-web-1.docker A)"
    # Minimising strictly, unbound asks shop.docker first: an NXDOMAIN
    # there would end it (RFC 8020).
    check_eq "dig @unbound web.shop.docker AAAA" "$(getent_ahosts web.shop.docker ahostsv6)" \
        "$(sorted "$(in_net dig +tries=1 +time=2 @127.0.0.3 +short web.shop.docker AAAA)")"
    check_eq "dig @unbound web.shop.docker A (shop.docker asked first)" \
        "$(getent_ahosts web.shop.docker ahostsv4)" \
        "$(sorted "$(in_net dig +tries=1 +time=2 @127.0.0.3 +short web.shop.docker A)")"
    check_eq "dig @unbound nope.docker: NXDOMAIN" NXDOMAIN \
        "$(in_net dig +tries=1 +time=2 @127.0.0.3 nope.docker | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')"
else
    skip "unbound forwarding to the face" "unbound is not installed"
fi
stop_helpers

# --- a container asks the face on its bridge's gateway -------------------------
# docker0's address in dockerd's namespace (this Docker's inspect leaves
# the default bridge's Gateway empty).
gateway=$(nsenter -n -t "$DOCKERD_PID" ip -4 -o addr show docker0 | awk '{sub("/.*", "", $4); print $4}')
diag "the Docker bridge's gateway: $gateway"
nsenter -n -t "$DOCKERD_PID" "$VMHOSTS" dns --listen "$gateway" >"$T/gateway-face.log" 2>&1 &
HELPERS+=($!)
for ((i = 0; i < 50; i++)); do
    grep -q "listening on" "$T/gateway-face.log" && break
    sleep 0.1
done
check_eq "a container with --dns $gateway resolves dnsbox.docker (busybox nslookup)" "$box_v4" \
    "$(dk run --rm --dns "$gateway" "$DOCKER_IMAGE" busybox nslookup dnsbox.docker "$gateway" 2>&1 |
        awk '/^Address/ && !/#53/ {print $NF}' | grep -v "^$gateway" | sort -u | xargs)"
stop_helpers

# --- where it listens: dns_listen, and its errors ------------------------------
sed -e '/^dns_listen/d' "$VMHOSTS_CONF" >"$T/listen.conf"
echo "dns_listen = 127.0.0.157:5353 [::1]:5354" >>"$T/listen.conf"
VMHOSTS_CONF=$T/listen.conf nsenter -n -t "$FACE_PID" "$VMHOSTS" dns >"$T/listen.log" 2>&1 &
HELPERS+=($!)
for ((i = 0; i < 50; i++)); do
    [ "$(grep -c 'listening on' "$T/listen.log")" = 2 ] && break
    sleep 0.1
done
check_eq "dns_listen: both addresses, their ports" \
    "$web1_v4 $web1_v4" "$(in_net dig +tries=1 +time=2 @127.0.0.157 -p 5353 +short shop-web-1.docker A) \
$(in_net dig +tries=1 +time=2 @::1 -p 5354 +short shop-web-1.docker A)"
stop_helpers
# A wildcard address: the reply leaves from the address the query went
# to (IP_PKTINFO, IPV6_PKTINFO), not the one the kernel would pick, or dig
# drops it.  A namespace of its own with two more IPv6 addresses on lo,
# dig asking fd00::53 from fd00::54: from ::1 to ::1, or to fd00::53 from
# itself, the kernel's pick would be the right one by chance.
unshare -n sh -c 'ip link set lo up && ip addr add fd00::53/128 dev lo &&
    ip addr add fd00::54/128 dev lo && exec "$@"' wildcard \
    "$VMHOSTS" dns --listen 0.0.0.0:15355 --listen '[::]:15355' >"$T/wildcard.log" 2>&1 &
HELPERS+=($!)
wildcard_pid=$!
for ((i = 0; i < 50; i++)); do
    [ "$(grep -c 'listening on' "$T/wildcard.log")" = 2 ] && break
    sleep 0.1
done
# wild PORT ADDRESS [dig options...]: dig's answer for shop-web-1.docker
# from a face in the wildcard namespace.
wild() {
    local port=$1 server=$2
    shift 2
    nsenter -n -t "$wildcard_pid" dig +time=2 +tries=1 "$@" @"$server" -p "$port" +short \
        shop-web-1.docker A
}
check_eq "listening on 0.0.0.0: a query to 127.0.0.2 answered from 127.0.0.2" "$web1_v4" \
    "$(wild 15355 127.0.0.2)"
check_eq "listening on [::]: a query to fd00::53 from fd00::54 answered from fd00::53" "$web1_v4" \
    "$(wild 15355 fd00::53 -b fd00::54)"
# The same with the sockets inherited, as from a socket unit edited to
# ListenDatagram=0.0.0.0:53.
if command -v systemd-socket-activate >/dev/null; then
    nsenter -n -t "$wildcard_pid" systemd-socket-activate --datagram -l 0.0.0.0:15356 \
        -l '[::]:15357' -E VMHOSTS_CONF "$VMHOSTS" dns >"$T/wildcard-activated.log" 2>&1 &
    HELPERS+=($!)
    for ((i = 0; i < 100; i++)); do
        [ "$(grep -c "Listening on" "$T/wildcard-activated.log")" = 2 ] && break
        sleep 0.1
    done
    check_eq "inherited 0.0.0.0 and [::]: 127.0.0.2 and fd00::53 answered from themselves" \
        "$web1_v4 $web1_v4" "$(wild 15356 127.0.0.2 +tries=2) $(wild 15357 fd00::53 -b fd00::54)"
else
    skip "inherited wildcard sockets" "systemd-socket-activate is not installed"
fi
stop_helpers
echo "dns_listen = 127.0.0.1:53x" >>"$T/listen.conf"
check_eq "dns_listen with a bad word: exit 1" 1 \
    "$(VMHOSTS_CONF=$T/listen.conf "$VMHOSTS" dns 2>"$T/bad.log"; echo $?)"
check "dns_listen with a bad word: the word named" grep -q '"127.0.0.1:53x"' "$T/bad.log"
check_eq "an address in use (the face's own): exit 1" 1 \
    "$(in_net "$VMHOSTS" dns --listen "$FACE" 2>"$T/inuse.log"; echo $?)"
check "an address in use: says so" grep -q "cannot listen on $FACE:53" "$T/inuse.log"

# --- a backend that is down: SERVFAIL, never a false NXDOMAIN -------------------
# A second face whose settings name a Docker socket that does not exist
# and an empty cache: the module's answer is UNAVAIL, the face's SERVFAIL.
mkdir -m 755 "$T/down-cache"
sed -e "s|^docker_socket = .*|docker_socket = $T/no-such-docker.sock|" \
    -e "s|^cache_dir = .*|cache_dir = $T/down-cache|" "$VMHOSTS_CONF" >"$T/down.conf"
VMHOSTS_CONF=$T/down.conf nsenter -n -t "$FACE_PID" "$VMHOSTS" dns --listen 127.0.0.156 \
    >"$T/down-face.log" 2>&1 &
HELPERS+=($!)
for ((i = 0; i < 50; i++)); do
    grep -q "listening on" "$T/down-face.log" && break
    sleep 0.1
done
check_eq "Docker unavailable and nothing cached: SERVFAIL" SERVFAIL \
    "$(in_net dig +tries=1 +time=5 @127.0.0.156 shop-web-1.docker | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')"
check_eq "getent agrees: no answer" "" \
    "$(VMHOSTS_CONF=$T/down.conf getent_ahosts shop-web-1.docker)"
stop_helpers

# --- socket activation, as vmhosts-dns.socket does it ---------------------------
if command -v systemd-socket-activate >/dev/null; then
    nsenter -n -t "$FACE_PID" systemd-socket-activate --datagram -l 127.0.0.155:53 -E VMHOSTS_CONF \
        "$VMHOSTS" dns >"$T/activated.log" 2>&1 &
    HELPERS+=($!)
    # It binds, says so, and starts the face at the first datagram: a
    # query before it bound is refused, however busy the machine is.
    for ((i = 0; i < 100; i++)); do
        grep -q "Listening on 127.0.0.155:53" "$T/activated.log" && break
        sleep 0.1
    done
    check_eq "socket-activated (a UDP socket passed as fd 3): answers" "$web1_v4" \
        "$(in_net dig +tries=2 +time=2 @127.0.0.155 +short shop-web-1.docker A)"
    check "socket-activated: bound nothing itself" sh -c "! grep -q 'listening on' $T/activated.log"
    stop_helpers
else
    skip "socket activation" "systemd-socket-activate is not installed"
fi
unit=$top_builddir/tools/dns/vmhosts-dns.service
check "the service runs vmhosts dns by its installed path" \
    grep -qE '^ExecStart=/[^ @]*/vmhosts dns$' "$unit"
check "the service runs as a dynamic user" grep -qx 'DynamicUser=yes' "$unit"
check_eq "the socket unit listens where dns_listen does by default, UDP and TCP" \
    "127.0.0.153:53 127.0.0.153:53" \
    "$(sed -n 's/^Listen\(Datagram\|Stream\)=//p' "$top_srcdir/tools/dns/vmhosts-dns.socket" | xargs)"

# --- enable --dns / disable --dns on an overlay of /etc ------------------------
mkdir -p "$T/etc/upper" "$T/etc/work"
unshare -m sh -c '
    mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc || exit 125
    "$2" enable --dns; echo "rc=$?"
    cat /etc/systemd/resolved.conf.d/vmhosts.conf /etc/dnssec-trust-anchors.d/vmhosts.negative
    "$2" enable --dns; echo "rc=$?"
    "$2" disable --dns; echo "rc=$?"
    "$2" disable --dns; echo "rc=$?"
    ls /etc/systemd/resolved.conf.d/vmhosts.conf /etc/dnssec-trust-anchors.d 2>&1' \
    enable "$T/etc" "$VMHOSTS" >"$T/enable.out" 2>&1
diag "$(cat "$T/enable.out")"
check "enable --dns: Domains= routes every backend's domains to the face" \
    grep -qx 'Domains=~docker ~example.org ~lxd ~incus ~libvirt' "$T/enable.out"
check "enable --dns: DNS= the face" grep -qx 'DNS=127.0.0.153:53' "$T/enable.out"
check "enable --dns: negative trust anchors for docker" grep -qx 'docker' "$T/enable.out"
check "enable --dns twice: already enabled" grep -qx 'already enabled' "$T/enable.out"
check "disable --dns twice: already disabled" grep -qx 'already disabled' "$T/enable.out"
check_eq "every run exited 0" "rc=0 rc=0 rc=0 rc=0" "$(grep '^rc=' "$T/enable.out" | xargs)"
check_eq "disable --dns leaves neither file" 2 "$(grep -c 'No such file' "$T/enable.out")"

# --- hostile clients: the face answers or drops, and still answers after -------
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$FACE_PID/status"; }
q shop-web-1.docker A >/dev/null
rss_before=$(rss_kb)
for what in garbage prefix silent flood; do
    check_eq "after $what: a good query answered over UDP and TCP" "udp=0/1 tcp=0/1" \
        "$(in_net "$PYTHON" "$top_srcdir/tests/dns-hostile.py" "$FACE" shop-web-1.docker "$what")"
    check "after $what: the face still runs" kill -0 "$FACE_PID"
done
rss_after=$(rss_kb)
diag "the face's resident memory: $rss_before kB before, $rss_after kB after"
check "memory did not grow by more than 4 MB under all that" \
    test "$((rss_after - rss_before))" -lt 4096
sleep 1.2
check_eq "idle TCP connections are closed after --idle-timeout-ms" 0 \
    "$(in_net ss -Htn state established "( sport = :53 )" | wc -l)"

stop_face
check "SIGTERM ends the face" test -z "$FACE_PID"
check_eq "its log names where it listened" 2 "$(grep -c 'listening on' "$T/face.log")"

# --- the face under valgrind: every reply path, hostile clients, a clean exit --
if command -v valgrind >/dev/null; then
    unshare -n sh -c 'ip link set lo up && exec "$@"' face valgrind -q --leak-check=full \
        --errors-for-leak-kinds=definite --error-exitcode=9 --log-file="$T/valgrind.log" \
        "$VMHOSTS" dns --listen "$FACE" --idle-timeout-ms 1000 2>"$T/face.log" &
    FACE_PID=$!
    for ((i = 0; i < 100; i++)); do
        [ "$(status example.com)" = REFUSED ] && break
        sleep 0.2
    done
    check_eq "under valgrind: A shop-web-1.docker" "$web1_v4" "$(q shop-web-1.docker A)"
    [ "$(q shop-web-1.docker A)" = "$web1_v4" ] ||
        diag "face:" "$(cat "$T/face.log")" "valgrind:" "$(head -n 20 "$T/valgrind.log")"
    for query in "nope.docker" "dnsbox.docker AAAA" "shop-web-1.docker ANY" "-x $web1_v4" \
        "+tcp web.shop.docker" "+edns=1 shop-web-1.docker" "boxhost MX" \
        "docker SOA" "+notcp shop-web-1.docker ANY" "shop.docker"; do
        status $query >/dev/null
    done
    check_eq "under valgrind: garbage and a silent prefix, then answers" "udp=0/1 tcp=0/1" \
        "$(in_net "$PYTHON" "$top_srcdir/tests/dns-hostile.py" "$FACE" shop-web-1.docker garbage)"
    kill -TERM "$FACE_PID"
    wait "$FACE_PID"
    check_eq "under valgrind: no error, no definite leak, exit 0" 0 "$?"
    FACE_PID=
    # The children that answer once a refresh is over (dns_server.c
    # later_udp) exit 0 whatever valgrind found: -q leaves their errors
    # alone in the log.
    check_eq "under valgrind: its children made no error either" 0 \
        "$(grep -c '==[0-9]*== [A-Z]' "$T/valgrind.log")"
    [ ! -s "$T/valgrind.log" ] || diag "$(head -n 40 "$T/valgrind.log")"
else
    skip "the face under valgrind" "valgrind is not installed"
fi
done_testing
