# Shared by the shell tests (bash): TAP output, a scratch folder that is
# always cleaned up, a vmhosts.conf per test, lookups through the module in a
# private mount namespace, and a throwaway Docker engine.
#
# Sourced as `. "$top_srcdir/tests/lib.sh"` by tests that start with
# `#!/usr/bin/env bash`.  `make check` exports top_srcdir, top_builddir and
# FIXTURES; run by hand from the build folder, the defaults below fit.
#
# The system's /etc/nsswitch.conf and /etc/hosts are never touched: lookups
# run under with_nss, which bind-mounts test copies over them in a mount
# namespace that dies with the command.

set -u

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${top_builddir:=$PWD}"
: "${FIXTURES:=$top_srcdir/tests/fixtures}"
export top_srcdir top_builddir FIXTURES

VMHOSTS=$top_builddir/vmhosts
MODULE_DIR=$top_builddir/.libs

# --- TAP ----------------------------------------------------------------------
TAP_COUNT=0
TAP_FAILED=0

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

ok() {
    TAP_COUNT=$((TAP_COUNT + 1))
    echo "ok $TAP_COUNT - $*"
}

fail() {
    TAP_COUNT=$((TAP_COUNT + 1))
    TAP_FAILED=$((TAP_FAILED + 1))
    echo "not ok $TAP_COUNT - $*"
}

# skip DESCRIPTION REASON: one check that cannot run here.
skip() {
    TAP_COUNT=$((TAP_COUNT + 1))
    echo "ok $TAP_COUNT - $1 # SKIP $2"
}

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
    local description=$1
    shift
    if "$@"; then ok "$description"; else fail "$description"; diag "failed: $*"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        fail "$1"
        diag "expected: '$2'" "     got: '$3'"
    fi
}

# Nothing in this file can run here: say so on the TAP plan and, loudly, on
# stderr, so a skip is never mistaken for a pass.
skip_all() {
    if [ "$TAP_COUNT" -gt 0 ]; then
        fail "cannot go on: $*"
        done_testing
    fi
    printf '\n*** SKIPPED %s: %s ***\n\n' "$(basename "$0")" "$*" >&2
    echo "1..0 # SKIP $*"
    exit 0
}

bail_out() {
    echo "Bail out! $*"
    echo "$(basename "$0"): $*" >&2
    exit 1
}

done_testing() {
    echo "1..$TAP_COUNT"
    [ "$TAP_FAILED" -eq 0 ] || diag "$TAP_FAILED of $TAP_COUNT checks failed"
    exit 0
}

require_root() {
    [ "$(id -u)" = 0 ] || skip_all "needs root (mount namespaces${1:+, $1}); run as root: sudo tests/run-all"
}

# module_sources: the module's C files (Makefile.am's list), for tests that
# build it another way (another machine, a sanitizer).
module_sources() {
    sed -n '/^libvmhmodule_la_SOURCES/,/^$/p' "$top_srcdir/Makefile.am" |
        grep -oE 'nss_vmhosts/[a-z_]+\.c' | sed "s|^|$top_srcdir/|"
}

require_built() {
    [ -x "$VMHOSTS" ] || bail_out "$VMHOSTS is missing: run make first"
    [ -e "$MODULE_DIR/libnss_vmhosts.so.2" ] ||
        bail_out "$MODULE_DIR/libnss_vmhosts.so.2 is missing: run make first"
}

now_ms() { date +%s%3N; }

# wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds.
wait_until() {
    local tries=$(($1 * 10))
    shift
    while ((tries-- > 0)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# processes_of PROGRAM: the PIDs running that executable, e.g. a refresher
# the module failed to reap.
# Only this test's: tests run in parallel (make -j) from the same binaries,
# and every process this test starts inherits its VMHOSTS_CONF.
processes_of() {
    local proc pids=()
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/exe" 2>/dev/null)" = "$1" ] || continue
        tr '\0' '\n' <"$proc/environ" 2>/dev/null | grep -qxF "VMHOSTS_CONF=$VMHOSTS_CONF" &&
            pids+=("${proc#/proc/}")
    done
    echo "${pids[*]}"
}

# --- scratch folder and cleanup -------------------------------------------
# Cleanups run last-registered first, on any exit.
CLEANUPS=()
at_exit() { CLEANUPS+=("$*"); }
run_cleanups() {
    local i
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[i]}"; done
    CLEANUPS=()
}
trap run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Short, under /tmp: dockerd puts Unix sockets below it (108-byte limit).
T=$(mktemp -d /tmp/vmhosts-test.XXXXXX) || bail_out "cannot create a scratch folder"
chmod 755 "$T"
at_exit 'rm -rf "$T"'

# --- settings ---------------------------------------------------------------
VMHOSTS_CONF=$T/vmhosts.conf
export VMHOSTS_CONF

# A stand-in multipass with no VMs, so `vmhosts refresh` of all backends can
# succeed without the real one.
MULTIPASS_STUB=$T/multipass
printf '#!/bin/sh\necho %s\n' "'{\"list\": []}'" >"$MULTIPASS_STUB"
chmod 755 "$MULTIPASS_STUB"

# write_conf [key=value...]: the test's vmhosts.conf, the defaults below
# overridden by the arguments.  Each call rewrites the whole file.
write_conf() {
    local -A conf=(
        [docker_socket]=${DOCKER_SOCK:-$T/no-docker.sock}
        [docker_suffix]=docker
        [multipass_command]=$MULTIPASS_STUB
        [multipass_domains]=example.org
        [cache_dir]=$T/cache
        [user_cache_dir]=$T/user-cache
        [ttl]=10
        [timeout_ms]=1500
        [refresh_command]=$VMHOSTS
    )
    local setting key
    for setting in "$@"; do
        conf[${setting%%=*}]=${setting#*=}
    done
    mkdir -p -m 755 "$T/cache"
    : >"$VMHOSTS_CONF"
    for key in "${!conf[@]}"; do
        printf '%s = %s\n' "$key" "${conf[$key]}" >>"$VMHOSTS_CONF"
    done
}

# --- lookups through the module ---------------------------------------------
NSSWITCH=$T/nsswitch.conf
HOSTS_FILE=$T/hosts

# set_hosts_line SOURCES...: the hosts: line of the test's nsswitch.conf; the
# other databases stay as the system has them so users and groups resolve.
set_hosts_line() {
    {
        grep -E '^[[:space:]]*(passwd|group|shadow|gshadow):' /etc/nsswitch.conf
        echo "hosts: $*"
    } >"$NSSWITCH"
}
set_hosts_line files vmhosts

# write_hosts_file [LINE...]: what the files source sees: localhost and
# the lines given, nothing of the system's.
write_hosts_file() {
    printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost' "$@" >"$HOSTS_FILE"
}
write_hosts_file

# with_nss COMMAND...: runs COMMAND with the test's nsswitch.conf and hosts
# file bind-mounted over the system's in a private mount namespace (unshare
# makes its mounts private, so nothing leaks out), the freshly built module
# first on the library path, and the test's settings.  A running nscd would
# answer instead of the module, so its socket folder is hidden too.
with_nss() {
    LD_LIBRARY_PATH="$MODULE_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        VMHOSTS_CONF="$VMHOSTS_CONF" \
        unshare -m sh -c '
            mount --bind "$1" /etc/nsswitch.conf || exit 125
            mount --bind "$2" /etc/hosts || exit 125
            if [ -d /run/nscd ]; then mount -t tmpfs none /run/nscd || exit 125; fi
            shift 2
            exec "$@"' with_nss "$NSSWITCH" "$HOSTS_FILE" "$@"
}

require_nss() {
    require_root
    require_built
    unshare -m true 2>/dev/null || skip_all "cannot create a mount namespace here (unshare -m failed)"
    local got
    got=$(with_nss cat /etc/nsswitch.conf 2>&1 | grep '^hosts:')
    [ "$got" = "$(grep '^hosts:' "$NSSWITCH")" ] ||
        skip_all "cannot bind-mount a test nsswitch.conf in a mount namespace: $got"
}

PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3

# Each prints the addresses found, sorted and space-separated, and keeps
# the resolver's exit status (getent: 2 = not found).
getent_hosts() {
    local output status
    output=$(with_nss getent hosts "$1")
    status=$?
    awk '{print $1}' <<<"$output" | sort -u | xargs
    return $status
}

getent_ahosts() {
    local output status
    output=$(with_nss getent "${2:-ahosts}" "$1")
    status=$?
    awk '{print $1}' <<<"$output" | sort -u | xargs
    return $status
}

# python_getaddrinfo NAME [FAMILY]: getaddrinfo in Python, FAMILY AF_UNSPEC
# (gethostbyname4_r) unless AF_INET or AF_INET6 is given (gethostbyname3_r);
# on failure prints the EAI_* name of the error and exits 2.
python_getaddrinfo() {
    with_nss "$PYTHON" -c '
import socket, sys
try:
    # bytes: Python would IDNA-encode a str and refuse a 64-character label,
    # which a full container ID is.
    infos = socket.getaddrinfo(sys.argv[1].encode(), None, getattr(socket, sys.argv[2]))
except socket.gaierror as error:
    names = [n for n in dir(socket) if n.startswith("EAI_") and getattr(socket, n) == error.errno]
    print(names[0] if names else "EAI(%d)" % error.errno)
    sys.exit(2)
except OSError as error:  # EAI_SYSTEM
    print("EAI_SYSTEM(%s)" % error.strerror)
    sys.exit(2)
print(" ".join(sorted({info[4][0] for info in infos})))' "$1" "${2:-AF_UNSPEC}"
}

# --- a private Docker engine ------------------------------------------------
# docker_start runs dockerd in its own mount and network namespaces: its
# bridge, mounts and containerd cannot collide with a system Docker or with
# another test's engine, and whatever it leaves is found by namespace, not by
# process name.  Containers are reached only through its socket.
DOCKERD_PID=
DOCKERD_NS=
DOCKER_DIR=
DOCKER_SOCK=

dk() { DOCKER_CONFIG=$DOCKER_DIR/cli docker -H "unix://$DOCKER_SOCK" "$@"; }

# _dockerd_launch [--storage-driver=X]: starts one dockerd, waits for it.
_dockerd_launch() {
    rm -rf "$DOCKER_DIR/data" "$DOCKER_DIR/exec"
    mkdir -p "$DOCKER_DIR/data" "$DOCKER_DIR/exec" "$DOCKER_DIR/cli"
    echo '{}' >"$DOCKER_DIR/daemon.json"
    # A system containerd's socket would make dockerd share that containerd;
    # hiding it makes dockerd start its own under --exec-root.
    # Forwarding on in its own network namespace only: docker run warns
    # without it.
    unshare -m -n sh -c '
        if [ -d /run/containerd ]; then mount -t tmpfs none /run/containerd; fi
        echo 1 >/proc/sys/net/ipv4/ip_forward 2>/dev/null
        exec "$@"' dockerd \
        dockerd --config-file "$DOCKER_DIR/daemon.json" \
        --data-root "$DOCKER_DIR/data" --exec-root "$DOCKER_DIR/exec" \
        -H "unix://$DOCKER_SOCK" --pidfile "$DOCKER_DIR/dockerd.pid" \
        --iptables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
        --shutdown-timeout=5 "$@" >"$DOCKER_DIR/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    DOCKERD_NS=
    local tries own_ns pid_ns
    own_ns=$(readlink /proc/self/ns/mnt)
    for ((tries = 0; tries < 60; tries++)); do
        # Until unshare has run, the child is still in our namespace: only
        # a different one is dockerd's.
        pid_ns=$(readlink "/proc/$DOCKERD_PID/ns/mnt" 2>/dev/null)
        [ -n "$DOCKERD_NS" ] || [ "$pid_ns" = "$own_ns" ] || DOCKERD_NS=$pid_ns
        if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
            wait "$DOCKERD_PID" 2>/dev/null
            DOCKERD_PID=
            break
        fi
        dk info >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    docker_stop
    return 1
}

docker_start() {
    require_root "a Docker engine"
    command -v dockerd >/dev/null || skip_all "dockerd is not installed (apt-get install docker.io)"
    command -v docker >/dev/null || skip_all "the docker client is not installed (apt-get install docker.io)"
    DOCKER_DIR=$(mktemp -d /tmp/vmhd.XXXXXX) || bail_out "cannot create a folder for dockerd"
    DOCKER_SOCK=$DOCKER_DIR/docker.sock
    at_exit 'rm -rf "$DOCKER_DIR"'
    at_exit docker_stop
    if ! _dockerd_launch; then
        diag "dockerd with its default storage driver failed:" \
            "$(tail -n 5 "$DOCKER_DIR/dockerd.log")"
        _dockerd_launch --storage-driver=vfs ||
            skip_all "dockerd does not start here: $(grep -m1 -E 'level=(fatal|error)' \
                "$DOCKER_DIR/dockerd.log" | cut -c1-200)"
    fi
    diag "dockerd $(dk version -f '{{.Server.Version}}' 2>/dev/null) up," \
        "storage driver $(dk info -f '{{.Driver}}' 2>/dev/null), socket $DOCKER_SOCK"
}

# Stops the engine and everything it started; safe to call twice.
docker_stop() {
    [ -n "$DOCKER_DIR" ] || return 0
    if [ -n "$DOCKERD_PID" ]; then
        kill -TERM "$DOCKERD_PID" 2>/dev/null
        local tries
        for ((tries = 0; tries < 40; tries++)); do
            kill -0 "$DOCKERD_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$DOCKERD_PID" 2>/dev/null
        wait "$DOCKERD_PID" 2>/dev/null
        DOCKERD_PID=
    fi
    _kill_namespace "$DOCKERD_NS"
    DOCKERD_NS=
    # The namespace is gone, so are its mounts; anything visible here was
    # not dockerd's to keep.
    local mount_point
    for mount_point in $(awk -v dir="$DOCKER_DIR" 'index($2, dir) == 1 {print $2}' /proc/mounts |
        sort -r); do
        umount -l "$mount_point"
    done
}

# containerd, its shims and the containers outlive a killed dockerd: end
# every process left in dockerd's mount namespace, which only this engine
# used, and everything they started (containers have namespaces of their
# own, so they are found as descendants).
_kill_namespace() {
    [ -n "$1" ] && [ "$1" != "$(readlink /proc/self/ns/mnt)" ] || return 0
    local proc pids round
    for ((round = 0; round < 10; round++)); do
        pids=()
        for proc in /proc/[0-9]*; do
            [ "$(readlink "$proc/ns/mnt" 2>/dev/null)" = "$1" ] && pids+=("${proc#/proc/}")
        done
        [ ${#pids[@]} -gt 0 ] || return 0
        pids=($(_with_descendants "${pids[@]}"))
        kill -STOP "${pids[@]}" 2>/dev/null
        kill -KILL "${pids[@]}" 2>/dev/null
        sleep 0.2
    done
}

# The PIDs given and all their descendants.
_with_descendants() {
    ps -e -o pid=,ppid= | awk -v roots="$*" '
        BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
        { parent[$1] = $2 }
        END {
            do {
                added = 0
                for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; added = 1 }
            } while (added)
            for (p in keep) print p
        }'
}

DOCKER_IMAGE=vmhosts-test:latest

# docker_image: a tiny image from busybox-static (no registry is needed).
docker_image() {
    local busybox
    busybox=$(command -v busybox) || skip_all "busybox is not installed (apt-get install busybox-static)"
    ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
        skip_all "$busybox is not static (apt-get install busybox-static)"
    local root=$DOCKER_DIR/rootfs
    mkdir -p "$root/bin" "$root/tmp" "$root/etc"
    cp "$busybox" "$root/bin/busybox"
    local tool
    for tool in sh sleep httpd; do ln -sf busybox "$root/bin/$tool"; done
    tar -C "$root" -cf - . | dk import - "$DOCKER_IMAGE" >/dev/null ||
        bail_out "docker import of the test image failed"
}

# docker_run NAME [docker run options...]: a running container, by ID.
docker_run() {
    local name=$1
    shift
    dk run -d --init --stop-timeout 1 --name "$name" "$@" "$DOCKER_IMAGE" sleep 100000 \
        2>"$DOCKER_DIR/run.err" || { diag "docker run $name failed:" "$(cat "$DOCKER_DIR/run.err")" >&2; return 1; }
}

# docker_addresses CONTAINER [NETWORK]: its addresses, sorted.
docker_addresses() {
    local format='{{range .NetworkSettings.Networks}}{{.IPAddress}} {{.GlobalIPv6Address}} {{end}}'
    [ $# -lt 2 ] || format="{{(index .NetworkSettings.Networks \"$2\").IPAddress}}"
    dk inspect -f "$format" "$1" | xargs -n1 | sort -u | xargs
}
