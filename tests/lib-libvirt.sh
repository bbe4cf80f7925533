# A private libvirtd for the end-to-end tests, sourced after tests/lib.sh.
#
# It runs in mount, network and PID namespaces of its own: the bridge it
# makes, its firewall rules and the dnsmasq it starts for a network exist
# in that network namespace only, and all of them end when libvirtd (the
# namespace's first process) ends.  Inside, /sys is mounted afresh so that
# it sees its own interfaces, /run is a tmpfs (the host's D-Bus, and so
# firewalld and machined, are out of its reach), and its state folders
# (/etc/libvirt, /var/lib/libvirt, /var/log/libvirt, /var/cache/libvirt)
# are folders of a scratch folder.  No systemd: libvirtd is started
# directly, and virsh reaches its socket by entering its namespaces.
# Domains cannot start here (no KVM); networks can.

LIBVIRT_STATE=
LIBVIRTD_PID=      # libvirtd, the first process of its namespaces
LIBVIRT_UNSHARE=   # unshare, its parent, which the test waits for
LIBVIRT_LEASES=    # the lease helper's folder, as seen from outside
LIBVIRT_GUESTS=()  # the guests' namespace holders

vsh() { nsenter -t "$LIBVIRTD_PID" -m -n virsh -q -c network:///system "$@"; }

# in_libvirt_net COMMAND...: COMMAND in libvirtd's network namespace.
in_libvirt_net() { nsenter -t "$LIBVIRTD_PID" -n "$@"; }

_libvirtd_config() {
    mkdir -p "$LIBVIRT_STATE/etc" "$LIBVIRT_STATE/lib" "$LIBVIRT_STATE/log" \
        "$LIBVIRT_STATE/cache"
    # Only root in this namespace reaches the socket: no polkit to ask.
    cat >"$LIBVIRT_STATE/etc/libvirtd.conf" <<'EOF'
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:stderr"
EOF
}

libvirtd_start() {
    require_root "a libvirt daemon"
    local need
    for need in libvirtd virsh dnsmasq; do
        command -v "$need" >/dev/null ||
            skip_all "$need is not installed (apt-get install libvirt-daemon-system dnsmasq-base)"
    done
    [ -x /usr/lib/libvirt/libvirt_leaseshelper ] ||
        skip_all "libvirt's lease helper is not installed (apt-get install libvirt-daemon)"
    [ -d /etc/libvirt ] && [ -d /var/lib/libvirt ] && [ -d /var/log/libvirt ] &&
        [ -d /var/cache/libvirt ] ||
        skip_all "libvirt's folders are missing (apt-get install libvirt-daemon-system)"
    LIBVIRT_STATE=$(mktemp -d /tmp/vmhv.XXXXXX) || bail_out "cannot create a folder for libvirtd"
    chmod 755 "$LIBVIRT_STATE"
    LIBVIRT_LEASES=$LIBVIRT_STATE/lib/dnsmasq
    at_exit 'rm -rf "$LIBVIRT_STATE"'
    at_exit libvirtd_stop
    _libvirtd_config
    unshare -m -n -p -f --mount-proc sh -c '
        mount --make-rprivate / && ip link set lo up && mount -t sysfs sysfs /sys &&
            mount -t tmpfs -o mode=755 tmpfs /run || exit 125
        for dir in etc lib log cache; do
            case $dir in etc) to=/etc/libvirt ;; lib) to=/var/lib/libvirt ;;
                log) to=/var/log/libvirt ;; cache) to=/var/cache/libvirt ;; esac
            mount --bind "$1/$dir" "$to" || exit 125
        done
        exec libvirtd --pid-file /run/libvirtd.pid' libvirtd "$LIBVIRT_STATE" \
        >"$LIBVIRT_STATE/libvirtd.log" 2>&1 &
    LIBVIRT_UNSHARE=$!
    _libvirtd_wait || skip_all "libvirtd does not start here: $(tail -c 300 \
        "$LIBVIRT_STATE/libvirtd.log")"
    diag "$(libvirtd --version) up in its own namespaces"
}

# Until virsh gets an answer; false when libvirtd died or never answers.
_libvirtd_wait() {
    local tries
    for ((tries = 0; tries < 100; tries++)); do
        kill -0 "$LIBVIRT_UNSHARE" 2>/dev/null || return 1
        [ -n "$LIBVIRTD_PID" ] || LIBVIRTD_PID=$(pgrep -P "$LIBVIRT_UNSHARE")
        [ -n "$LIBVIRTD_PID" ] && vsh net-list --all >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}

# libvirt_network NAME BRIDGE PREFIX: a transient network on BRIDGE with
# PREFIX.1/24 and DHCP, isolated (no forwarding); STP off and no forward
# delay, so that a port forwards soon after it joins.
libvirt_network() {
    cat >"$LIBVIRT_STATE/$1.xml" <<EOF
<network>
  <name>$1</name>
  <bridge name='$2' stp='off' delay='0'/>
  <ip address='$3.1' netmask='255.255.255.0'>
    <dhcp><range start='$3.2' end='$3.254'/></dhcp>
  </ip>
</network>
EOF
    vsh net-create "$LIBVIRT_STATE/$1.xml" >"$LIBVIRT_STATE/net-create.log" 2>&1
}

# libvirt_guest BRIDGE MAC: a "guest", a network namespace of its own with
# interface vmeth (MAC) on BRIDGE; sets GUEST to the PID that holds it.
GUEST=
libvirt_guest() {
    local port=vmp${#LIBVIRT_GUESTS[@]} guest
    unshare -n sleep 100000 </dev/null >/dev/null 2>&1 &
    guest=$!
    LIBVIRT_GUESTS+=("$guest")
    sleep 0.1
    in_libvirt_net sh -c "ip link add $port type veth peer name vmeth &&
        ip link set $port master $1 && ip link set $port up &&
        ip link set vmeth netns $guest" &&
        nsenter -t "$guest" -n sh -c "ip link set lo up && ip link set vmeth address $2 &&
            ip link set vmeth up" && GUEST=$guest
}

# libvirt_dhcp GUEST HOSTNAME: the guest asks for a lease with busybox
# udhcpc, sending HOSTNAME; prints the address granted.  The bridge port
# may take a moment to forward, so udhcpc tries a few times.
libvirt_dhcp() {
    nsenter -t "$1" -n busybox udhcpc -i vmeth -x "hostname:$2" -q -n -t 10 -T 1 \
        -s /bin/true >"$LIBVIRT_STATE/udhcpc.log" 2>&1 &&
        sed -n 's/.*lease of \([0-9.]*\) obtained.*/\1/p' "$LIBVIRT_STATE/udhcpc.log"
}

# Destroys the networks, stops the daemon (its namespaces, and the dnsmasq
# in them, end with it) and the guests; safe to call twice.
libvirtd_stop() {
    local network tries
    if [ -n "$LIBVIRTD_PID" ]; then
        for network in $(vsh net-list --name 2>/dev/null); do
            vsh net-destroy "$network" >/dev/null 2>&1
        done
        kill -TERM "$LIBVIRTD_PID" 2>/dev/null
        for ((tries = 0; tries < 50; tries++)); do
            kill -0 "$LIBVIRTD_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$LIBVIRTD_PID" 2>/dev/null
        LIBVIRTD_PID=
    fi
    [ -z "$LIBVIRT_UNSHARE" ] || wait "$LIBVIRT_UNSHARE" 2>/dev/null
    LIBVIRT_UNSHARE=
    [ ${#LIBVIRT_GUESTS[@]} -eq 0 ] || kill "${LIBVIRT_GUESTS[@]}" 2>/dev/null
    [ ${#LIBVIRT_GUESTS[@]} -eq 0 ] || wait "${LIBVIRT_GUESTS[@]}" 2>/dev/null
    LIBVIRT_GUESTS=()
    return 0
}
