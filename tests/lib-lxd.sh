# A private LXD daemon for the end-to-end tests, sourced after tests/lib.sh:
# its own mount and network namespaces (/sys and the cgroup2 hierarchy
# mounted afresh inside, so that it sees its own interfaces and makes its
# own cgroups), its state in a scratch LXD_DIR, a `dir` storage pool, a
# managed bridge with a fixed subnet and no NAT, and a busybox image made
# from busybox-static (no image server is reachable).  Everything it
# started is killed on exit.

LXD_NS=
LXD_PID=
LXD_SUBNET=10.98.7

lx() { LXD_DIR=$LXD_STATE lxc "$@"; }

_lxd_image() {
    local dir=$LXD_STATE/image busybox tool
    busybox=$(command -v busybox) || skip_all "busybox is not installed (apt-get install busybox-static)"
    mkdir -p "$dir/rootfs/bin" "$dir/rootfs/sbin" "$dir/rootfs/etc" "$dir/rootfs/tmp"
    cp "$busybox" "$dir/rootfs/bin/busybox"
    for tool in sh ip sleep; do ln -sf busybox "$dir/rootfs/bin/$tool"; done
    # LXD starts /sbin/init; this one only keeps the container running.
    printf '#!/bin/busybox sh\nexec /bin/busybox sleep 2147483647\n' >"$dir/rootfs/sbin/init"
    chmod 755 "$dir/rootfs/sbin/init"
    printf 'architecture: %s\ncreation_date: 1700000000\nproperties:\n  os: busybox\n' \
        "$(uname -m)" >"$dir/metadata.yaml"
    tar -C "$dir" -czf "$dir/meta.tar.gz" metadata.yaml &&
        tar -C "$dir/rootfs" -czf "$dir/rootfs.tar.gz" . &&
        lx image import "$dir/meta.tar.gz" "$dir/rootfs.tar.gz" --alias busybox >/dev/null
}

lxd_start() {
    require_root "an LXD daemon"
    command -v lxd >/dev/null && command -v lxc >/dev/null ||
        skip_all "LXD is not installed (apt-get install lxd lxd-client dnsmasq-base)"
    LXD_STATE=$(mktemp -d /tmp/vmhl.XXXXXX) || bail_out "cannot create a folder for LXD"
    chmod 711 "$LXD_STATE"
    LXD_SOCK=$LXD_STATE/unix.socket
    at_exit 'rm -rf "$LXD_STATE"'
    at_exit lxd_stop
    LXD_DIR=$LXD_STATE unshare -m -n sh -c '
        mount --make-rprivate / && ip link set lo up &&
        mount -t sysfs sysfs /sys && mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 125
        exec lxd --group root --logfile "$LXD_DIR/lxd.log"' >"$LXD_STATE/lxd.out" 2>&1 &
    LXD_PID=$!
    local tries
    for ((tries = 0; tries < 60; tries++)); do
        [ -n "$LXD_NS" ] || [ "$(readlink "/proc/$LXD_PID/ns/mnt" 2>/dev/null)" = \
            "$(readlink /proc/self/ns/mnt)" ] || LXD_NS=$(readlink "/proc/$LXD_PID/ns/mnt")
        kill -0 "$LXD_PID" 2>/dev/null || skip_all "lxd does not start here: $(tail -c 300 \
            "$LXD_STATE/lxd.out")"
        LXD_DIR=$LXD_STATE lxd waitready --timeout 1 >/dev/null 2>&1 && break
    done
    lx storage create default dir >/dev/null &&
        lx network create vmhbr0 "ipv4.address=$LXD_SUBNET.1/24" ipv4.nat=false ipv4.dhcp=false \
            ipv6.address=none >/dev/null &&
        lx profile device add default root disk path=/ pool=default >/dev/null &&
        lx profile device add default eth0 nic network=vmhbr0 name=eth0 >/dev/null &&
        _lxd_image || bail_out "cannot set LXD up: $(tail -n 5 "$LXD_STATE/lxd.log")"
    diag "lxd $(lxd --version) up, socket $LXD_SOCK"
}

# lxd_launch NAME ADDRESS [lxc launch options...]: a running container
# with ADDRESS/24 on eth0 (there is no DHCP on the test bridge).
lxd_launch() {
    local name=$1 address=$2
    shift 2
    lx launch busybox "$name" -c security.privileged=true "$@" >/dev/null &&
        lx exec "$name" "$@" -- ip addr add "$address/24" dev eth0
}

# Stops the daemon and everything it started; safe to call twice.
lxd_stop() {
    [ -n "$LXD_PID" ] || return 0
    LXD_DIR=$LXD_STATE timeout 30 lxd shutdown >/dev/null 2>&1
    kill -TERM "$LXD_PID" 2>/dev/null
    wait "$LXD_PID" 2>/dev/null
    LXD_PID=
    _kill_namespace "$LXD_NS"
    LXD_NS=
    local mount_point
    for mount_point in $(awk -v dir="$LXD_STATE" 'index($2, dir) == 1 {print $2}' /proc/mounts |
        sort -r); do
        umount -l "$mount_point"
    done
    # The cgroups LXD made in the shared hierarchy, now empty.
    find /sys/fs/cgroup -depth -type d \( -name 'lxc.payload.*' -o -name 'lxc.monitor.*' \
        -o -name lxc.pivot \) -exec rmdir {} \; 2>/dev/null
    return 0
}
