# Helpers for tests/e2e-names.sh, sourced after tests/lib.sh: a throwaway
# Podman engine beside the Docker one, and lookups that show what the module
# answered beyond the address set (order, canonical name, aliases, errors).

# --- lookups ----------------------------------------------------------------

# getent_line DATABASE KEY: getent's whole answer on one line (tabs and runs
# of spaces squeezed to one space); keeps getent's exit status.
getent_line() {
    local output status
    output=$(with_nss getent "$1" "$2")
    status=$?
    tr -s ' \t\n' '   ' <<<"$output" | sed 's/ $//'
    return $status
}

# python_resolver WHAT NAME-OR-ADDRESS: one of
#   canonname6|canonname4|canonname  getaddrinfo's AI_CANONNAME for AF_INET6,
#                                    AF_INET or AF_UNSPEC
#   byname4   gethostbyname_ex (AF_INET): "name|aliases|addresses in order"
#   byaddr    gethostbyaddr: "name|aliases"
#   family6   getaddrinfo AF_INET6 without AI_V4MAPPED: the addresses, or the
#             EAI_* name of the error
python_resolver() {
    with_nss "$PYTHON" -c '
import socket, sys
what, key = sys.argv[1], sys.argv[2]
def eai(error):
    names = [n for n in dir(socket) if n.startswith("EAI_") and getattr(socket, n) == error.errno]
    return names[0] if names else "EAI(%d)" % error.errno
try:
    if what.startswith("canonname"):
        family = {"canonname6": socket.AF_INET6, "canonname4": socket.AF_INET}.get(what, 0)
        infos = socket.getaddrinfo(key, None, family, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)
        print(infos[0][3])
    elif what == "byname4":
        name, aliases, addresses = socket.gethostbyname_ex(key)
        print("%s|%s|%s" % (name, " ".join(aliases), " ".join(addresses)))
    elif what == "byaddr":
        name, aliases, _ = socket.gethostbyaddr(key)
        print("%s|%s" % (name, " ".join(aliases)))
    elif what == "family6":
        infos = socket.getaddrinfo(key, None, socket.AF_INET6, socket.SOCK_STREAM)
        print(" ".join(info[4][0] for info in infos))
except socket.gaierror as error:
    print(eai(error))
    sys.exit(2)
except socket.herror as error:
    print("herror %d" % error.errno)
    sys.exit(2)' "$1" "$2"
}

# --- a private Podman engine --------------------------------------------------
# podman_start runs `podman system service` on a socket of the test's own,
# with storage, run state, networks and temporary files under a folder of its
# own, in its own mount and network namespaces.  Podman (and CNI, runc and
# conmon under it) also write below /run, /var/lib and /var/cache whatever
# --root says; tmpfs mounts over those in its namespace keep the system's
# untouched.  Sets PODMAN_SOCK; pd talks to it.  Returns 1, with the reason
# in PODMAN_WHY, when Podman cannot run here.
PODMAN_DIR=
PODMAN_PID=
PODMAN_NS=
PODMAN_SOCK=
PODMAN_WHY=

pd() { podman --remote --url "unix://$PODMAN_SOCK" "$@"; }

podman_start() {
    command -v podman >/dev/null || { PODMAN_WHY="podman is not installed (apt-get install podman)"; return 1; }
    PODMAN_DIR=$(mktemp -d /tmp/vmhp.XXXXXX) || { PODMAN_WHY="cannot create a folder"; return 1; }
    PODMAN_SOCK=$PODMAN_DIR/podman.sock
    at_exit 'rm -rf "$PODMAN_DIR"'
    at_exit podman_stop
    mkdir -p "$PODMAN_DIR/root" "$PODMAN_DIR/run" "$PODMAN_DIR/tmp" "$PODMAN_DIR/networks"
    unshare -m -n sh -c '
        for dir in /run /var/lib /var/cache /var/tmp; do mount -t tmpfs none "$dir" || exit 125; done
        mkdir -p /run/netns
        echo 1 >/proc/sys/net/ipv4/ip_forward 2>/dev/null
        exec "$@"' podman \
        podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --tmpdir "$PODMAN_DIR/tmp" \
        --network-config-dir "$PODMAN_DIR/networks" --storage-driver vfs \
        --cgroup-manager cgroupfs --events-backend file \
        system service --time=0 "unix://$PODMAN_SOCK" >"$PODMAN_DIR/podman.log" 2>&1 &
    PODMAN_PID=$!
    local tries own_ns pid_ns
    own_ns=$(readlink /proc/self/ns/mnt)
    for ((tries = 0; tries < 40; tries++)); do
        pid_ns=$(readlink "/proc/$PODMAN_PID/ns/mnt" 2>/dev/null)
        [ -n "$PODMAN_NS" ] || [ "$pid_ns" = "$own_ns" ] || PODMAN_NS=$pid_ns
        if ! kill -0 "$PODMAN_PID" 2>/dev/null; then
            wait "$PODMAN_PID" 2>/dev/null
            PODMAN_PID=
            PODMAN_WHY="podman system service exited: $(tail -n 2 "$PODMAN_DIR/podman.log" | cut -c1-200)"
            return 1
        fi
        pd version >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    PODMAN_WHY="podman system service did not answer on $PODMAN_SOCK"
    podman_stop
    return 1
}

# Ends the service and everything it started (conmon, the containers),
# which all live in its mount namespace; safe to call twice.
podman_stop() {
    [ -n "$PODMAN_DIR" ] || return 0
    if [ -n "$PODMAN_PID" ]; then
        pd rm -f -a -t 0 >/dev/null 2>&1
        kill -TERM "$PODMAN_PID" 2>/dev/null
        wait "$PODMAN_PID" 2>/dev/null
        PODMAN_PID=
    fi
    _kill_namespace "$PODMAN_NS"
    PODMAN_NS=
    _kill_mentioning "$PODMAN_DIR/"
}

# podman_leftovers: the processes still naming the test's Podman storage.
podman_leftovers() { _mentioning "$PODMAN_DIR/" | xargs; }

# _mentioning TEXT: the PIDs whose command line contains TEXT.  conmon
# names the storage it serves and has left the service's namespace behind
# (it reparents to init), so this finds what the namespace kill misses.
_mentioning() {
    local proc cmdline
    for proc in /proc/[0-9]*; do
        [ "${proc#/proc/}" != "$BASHPID" ] || continue
        cmdline=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)
        [[ $cmdline == *"$1"* ]] && echo "${proc#/proc/}"
    done
}

_kill_mentioning() {
    local pids
    pids=($(_mentioning "$1"))
    [ ${#pids[@]} -gt 0 ] || return 0
    pids=($(_with_descendants "${pids[@]}"))
    kill -KILL "${pids[@]}" 2>/dev/null
    sleep 0.2
}

# podman_image: the test image of docker_image, imported into Podman.
podman_image() {
    local root=$DOCKER_DIR/rootfs
    [ -x "$root/bin/busybox" ] || { PODMAN_WHY="docker_image has not built the root file system"; return 1; }
    tar -C "$root" -cf - . | pd import - "$DOCKER_IMAGE" >/dev/null 2>"$PODMAN_DIR/import.err" ||
        { PODMAN_WHY="podman import failed: $(head -c 200 "$PODMAN_DIR/import.err")"; return 1; }
}

# podman_run NAME [podman run options...]: a running container, by ID.
podman_run() {
    local name=$1
    shift
    pd run -d --name "$name" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@" \
        "$DOCKER_IMAGE" sleep 100000 2>"$PODMAN_DIR/run.err" ||
        { diag "podman run $name failed:" "$(cat "$PODMAN_DIR/run.err")" >&2; return 1; }
}
