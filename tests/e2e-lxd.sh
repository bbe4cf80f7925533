#!/usr/bin/env bash
# LXD instances by name end to end, against a real LXD daemon of the test's
# own (tests/lib-lxd.sh): <instance>.lxd, <instance>.<project>.lxd, IPv6,
# reverse lookups, a stopped instance, an interface of an engine inside the
# instance, the refresh a lookup starts, a daemon that is not installed, and
# the Incus backend (same API) on the same socket.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-lxd.sh"

require_nss
lxd_start

lxd_launch acc1 "$LXD_SUBNET.50" || bail_out "cannot launch acc1: $(tail -n 5 "$LXD_STATE/lxd.log")"
lx exec acc1 -- ip -6 addr add fd42:98:7::50/64 dev eth0
# An engine inside the instance (its docker0): an interface of its own MAC,
# which the host cannot reach.
if lx exec acc1 -- ip link add docker0 type bridge 2>/dev/null &&
    lx exec acc1 -- ip addr add 172.30.0.1/16 dev docker0 &&
    lx exec acc1 -- ip link set docker0 up; then
    inner=yes
else
    inner=
fi
lx project create shop -c features.images=false -c features.profiles=false >/dev/null ||
    bail_out "cannot create the project shop"
lxd_launch web "$LXD_SUBNET.51" --project shop || bail_out "cannot launch web in shop"
lxd_launch gone "$LXD_SUBNET.52" && lx stop --force gone || bail_out "cannot launch gone"

write_conf "lxd_socket=$T/no-such-lxd.sock $LXD_SOCK" lxd_domains=lxd \
    "incus_socket=$T/no-such-incus.sock"

# --- on demand: the first lookup starts the refresh --------------------------
check_eq "acc1.lxd: eth0's addresses, through the refresh a lookup starts" \
    "10.98.7.50 fd42:98:7::50" "$(getent_ahosts acc1.lxd)"
check "... IPv4 first, as the module answers them (glibc may sort them again)" \
    grep -q '10\.98\.7\.50 fd42:98:7::50' <<<"$("$VMHOSTS" lookup acc1.lxd)"
check_eq "web.shop.lxd: an instance of the project shop" "10.98.7.51" "$(getent_ahosts web.shop.lxd)"
with_nss getent hosts web.lxd >/dev/null
check_eq "web.lxd: no such instance in the default project (NOTFOUND)" 2 $?
with_nss getent hosts gone.lxd >/dev/null
check_eq "gone.lxd: stopped, not answered" 2 $?
check_eq "AF_INET6: the IPv6 address only" "fd42:98:7::50" "$(getent_ahosts acc1.lxd ahostsv6)"
check_eq "reverse: 10.98.7.50 is acc1.lxd" "10.98.7.50 acc1.lxd" \
    "$(with_nss getent hosts 10.98.7.50 | xargs)"
check_eq "reverse: fd42:98:7::50 is acc1.lxd" "fd42:98:7::50 acc1.lxd" \
    "$(with_nss getent hosts fd42:98:7::50 | xargs)"
# Its project's user sets its addresses, any of them (resolve.c reverse_match).
check_eq "reverse: web of the project shop: its address has no reverse name" "" \
    "$(with_nss getent hosts 10.98.7.51 | xargs)"
if [ -n "$inner" ]; then
    with_nss getent hosts 172.30.0.1 >/dev/null
    check_eq "the docker0 inside acc1 is not acc1's address" 2 $?
    check "... though LXD lists it" lx query /1.0/instances/acc1/state | grep -q 172.30.0.1
else
    skip "no bridge could be made inside the container" 2
fi
"$VMHOSTS" lookup a.b.acc1.lxd >/dev/null 2>&1
check_eq "a.b.acc1.lxd is not ours: an instance name is one or two labels (exit 3)" 3 $?

# --- names of the user's choosing: user.vmhosts.names ----------------------------
lx config set acc1 user.vmhosts.names "DB.lxd, api.shop.lxd,both.shop.lxd" &&
    lx config set web --project shop user.vmhosts.names "acc1.lxd,both.shop.lxd,taken.lxd" ||
    bail_out "cannot set user.vmhosts.names"
"$VMHOSTS" refresh --backend lxd >/dev/null 2>&1
check_eq "user.vmhosts.names: db.lxd is acc1's" "10.98.7.50 fd42:98:7::50" \
    "$(getent_ahosts db.lxd)"
check_eq "... api.shop.lxd too, though the project shop has no instance api" \
    "10.98.7.50 fd42:98:7::50" "$(getent_ahosts api.shop.lxd)"
check_eq "... web's choice of acc1.lxd never takes acc1's own name" "10.98.7.50 fd42:98:7::50" \
    "$(getent_ahosts acc1.lxd)"
with_nss getent hosts both.shop.lxd >/dev/null
check_eq "both.shop.lxd, chosen by two running instances: nothing (NOTFOUND)" 2 $?
out=$("$VMHOSTS" lookup both.shop.lxd 2>&1)
check_eq "vmhosts lookup both.shop.lxd says who claims it" 2 \
    "$(grep -c -e "instance acc1\b" -e "instance web.shop\b" <<<"$out")"
# A project keeps its users apart: web, of the project shop, chooses only
# names of shop (<x>.shop.lxd), never one of the default project.
with_nss getent hosts taken.lxd >/dev/null
check_eq "taken.lxd, chosen by an instance of another project: nothing (NOTFOUND)" 2 $?
out=$("$VMHOSTS" lookup taken.lxd 2>&1)
check "vmhosts lookup taken.lxd says which instance chose it, and why it does not answer" \
    grep -q "another project chose it" <<<"$out"
check "vmhosts list shows db.lxd, chosen by acc1" grep -q '^db\.lxd .*acc1' <<<"$("$VMHOSTS" list 2>&1)"
lx config unset acc1 user.vmhosts.names || bail_out "cannot unset user.vmhosts.names"
"$VMHOSTS" refresh --backend lxd >/dev/null 2>&1
with_nss getent hosts db.lxd >/dev/null
check_eq "user.vmhosts.names unset: db.lxd answers no more" 2 $?

# --- the command ----------------------------------------------------------------
out=$("$VMHOSTS" lookup acc1.lxd 2>&1)
check "vmhosts lookup names the record" grep -q 'record: lxd instance acc1, running' <<<"$out"
out=$("$VMHOSTS" lookup gone.lxd 2>&1)
check "vmhosts lookup of a stopped one says how to start it" grep -q 'do: *lxc start gone' <<<"$out"
out=$("$VMHOSTS" list 2>&1)
check "vmhosts list shows web.shop.lxd" grep -q 'web.shop.lxd' <<<"$out"
out=$("$VMHOSTS" status 2>&1)
check "vmhosts status: the socket accepts connections" grep -qF "$LXD_SOCK: accepts connections" <<<"$out"
check "vmhosts status: a socket that does not exist is a note" \
    grep -qF "$T/no-such-lxd.sock: does not exist" <<<"$out"

# --- Incus: the same API, its own backend and domain -----------------------------
write_conf "lxd_socket=$LXD_SOCK" "incus_socket=$LXD_SOCK" incus_domains=incus
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "acc1.incus through the incus backend" "10.98.7.50 fd42:98:7::50" \
    "$(getent_ahosts acc1.incus)"

# --- not installed -----------------------------------------------------------------
# A multipass VM beside them: another backend's names keep resolving.
VM_STUB=$T/multipass-vms
printf '#!/bin/sh\nMULTIPASS_STUB_FIXTURE=%s exec %s "$@"\n' \
    "$FIXTURES/multipass/multipass-v1.16-list-running-and-stopped.json" \
    "$top_srcdir/tests/stubs/multipass" >"$VM_STUB"
chmod 755 "$VM_STUB"
write_conf "lxd_socket=$T/no-such-lxd.sock" "incus_socket=$T/no-such-incus.sock" \
    multipass_command="$VM_STUB"
rm -rf "$T/cache"
mkdir -p -m 755 "$T/cache"
out=$("$VMHOSTS" refresh 2>&1)
check_eq "refresh of every backend: not a word of LXD or Incus, which are not installed" "" \
    "$(grep -i 'lxd\|incus' <<<"$out")"
out=$("$VMHOSTS" refresh --backend lxd 2>&1)
check_eq "refresh --backend lxd: a failure" 1 $?
check "... that says it is not installed" grep -q 'LXD is not installed' <<<"$out"
with_nss getent hosts acc1.lxd >/dev/null
check_eq "acc1.lxd with no LXD: UNAVAIL, the next source answers (getent: not found)" 2 $?
check_eq "meanwhile a multipass VM still resolves" 10.21.124.56 \
    "$(getent_hosts bogus-instance.example.org)"

lxd_stop
check_eq "nothing of the daemon is left running" "" "$(processes_of /usr/bin/lxd)"

done_testing
