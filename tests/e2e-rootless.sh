#!/usr/bin/env bash
# Rootless Podman end to end: a throwaway user runs a real rootless Podman
# (its own subordinate IDs, slirp4netns, `podman system service` on
# /run/user/UID/podman/podman.sock) and resolves its containers through
# real getent as that user: a published port's host address answers, a
# container that publishes nothing is NOTFOUND and `vmhosts lookup` says
# why, by engine (--network host too).  Root, whose cache a watcher keeps, never holds them and never
# resolves them, and neither does a second user; the first user still
# resolves root's containers; a stopped container's name goes.  The same
# engine on a socket in the user's home (Docker Desktop's place), listed
# in docker_socket, is hers by its user, not its path: her containers
# answer her where their ports are published, root's cache never.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
for tool in podman newuidmap slirp4netns setpriv useradd busybox; do
    command -v "$tool" >/dev/null ||
        skip_all "$tool is not installed (apt-get install podman uidmap slirp4netns busybox-static)"
done
ldd "$(command -v busybox)" 2>&1 | grep -q 'not a dynamic' ||
    skip_all "busybox is not static (apt-get install busybox-static)"

. "$top_srcdir/tests/lib-users.sh"

ANN=vmhra$$
BOB=vmhrb$$
rl_user_add "$ANN"
rl_user_add "$BOB"
for name in "$ANN" "$BOB"; do
    grep -q "^$name:" /etc/subuid && grep -q "^$name:" /etc/subgid ||
        skip_all "useradd gave $name no subordinate IDs (/etc/subuid, /etc/subgid)"
done
ANN_UID=$(id -u "$ANN")
ANN_SOCK=/run/user/$ANN_UID/podman/podman.sock

# Rootless networking needs /dev/net/tun usable by the user, as on a stock
# Debian (0666); this machine may have it 0600.
TUN_MODE=$(stat -c %a /dev/net/tun 2>/dev/null) || skip_all "/dev/net/tun is missing"
at_exit "chmod $TUN_MODE /dev/net/tun"
chmod 666 /dev/net/tun

# --- the user's rootless Podman -------------------------------------------------
# vfs storage: no overlay mount to leave behind.  Podman's default cgroup
# handling works on this machine's layout (cgroup v1 with a tmpfs
# /sys/fs/cgroup); where `run` fails for that reason, --cgroups=disabled is
# tried.
pd_ann() { as_user "$ANN" podman --storage-driver vfs "$@"; }

ROOTFS=$T/rootfs
mkdir -p "$ROOTFS/bin" "$ROOTFS/tmp" "$ROOTFS/etc"
cp "$(command -v busybox)" "$ROOTFS/bin/busybox"
for tool in sh sleep httpd; do ln -sf busybox "$ROOTFS/bin/$tool"; done
tar -C "$ROOTFS" -cf "$T/busybox.tar" . && chmod 644 "$T/busybox.tar"
pd_ann import "$T/busybox.tar" vmhosts-test:latest >"$T/import.log" 2>&1 ||
    skip_all "rootless podman import failed: $(tail -n 2 "$T/import.log" | cut -c1-200)"

# start_service SOCKET LOG: Ann's Podman serving the API on SOCKET, as
# $SERVICE_PID, until it is killed or the test ends; waits until it answers.
start_service() {
    as_user "$ANN" podman --storage-driver vfs system service --time=0 "unix://$1" \
        >"$2" 2>&1 &
    SERVICE_PID=$!
    at_exit "kill -TERM $SERVICE_PID 2>/dev/null; wait $SERVICE_PID 2>/dev/null"
    for ((tries = 0; tries < 40; tries++)); do
        [ -S "$1" ] && pd_ann --remote --url "unix://$1" version >/dev/null 2>&1 && break
        sleep 0.5
    done
}
as_user "$ANN" mkdir -p "/run/user/$ANN_UID/podman"
start_service "$ANN_SOCK" "$T/service.log"
[ -S "$ANN_SOCK" ] || skip_all "podman system service did not start: $(tail -n 2 "$T/service.log")"

CGROUPS=()
# rl_run NAME [podman run options...]: a running rootless container, by ID.
rl_run() {
    local name=$1
    shift
    pd_ann run -d --name "$name" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
        "${CGROUPS[@]}" "$@" vmhosts-test:latest sleep 100000 2>"$T/run.err"
}
PORT=$((20000 + $$ % 20000))
if ! rl_run web -p "$PORT:80" >/dev/null; then
    CGROUPS=(--cgroups=disabled)
    rl_run web -p "$PORT:80" >/dev/null ||
        skip_all "rootless podman run failed: $(tail -n 2 "$T/run.err" | cut -c1-300)"
    diag "podman run needed --cgroups=disabled here"
fi
WEB_ID=$(pd_ann inspect -f '{{.Id}}' web)
rl_run web5 -p "127.0.0.5:$((PORT + 1)):80" >/dev/null || bail_out "podman run web5: $(cat "$T/run.err")"
rl_run quiet >/dev/null || bail_out "podman run quiet: $(cat "$T/run.err")"

# --- root's engine and root's watched cache ---------------------------------------
# Root's Docker is a stand-in Engine API (one container, rootsvc-0001 at
# 10.88.0.3: data only, nothing is sent there) on a socket in a folder
# only root may enter, so the users reach root's containers through root's
# cache alone.  A write lock on root's watch.lock is what a running
# `vmhosts watch` holds: lookups then trust root's cache as it is.
mkdir -m 700 "$T/root-docker"
"$PYTHON" "$top_srcdir/bench/docker-standin.py" "$T/root-docker/docker.sock" 1 \
    "$T/standin.log" rootsvc &
STANDIN_PID=$!
at_exit 'kill $STANDIN_PID 2>/dev/null; wait $STANDIN_PID 2>/dev/null'
for ((tries = 0; tries < 50; tries++)); do [ -S "$T/root-docker/docker.sock" ] && break; sleep 0.1; done

# hold_watch_lock LOG: root's watch.lock held as the watcher holds it, by
# a process of its own, $WATCH_PID, until it is killed or the test ends.
hold_watch_lock() {
    "$PYTHON" -c '
import fcntl, sys, time
lock = open(sys.argv[1], "w")
fcntl.lockf(lock, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(600)' "$T/cache/watch.lock" >"$1" &
    WATCH_PID=$!
    at_exit "kill $WATCH_PID 2>/dev/null; wait $WATCH_PID 2>/dev/null"
    for ((tries = 0; tries < 50; tries++)); do grep -q locked "$1" && break; sleep 0.1; done
}
write_conf "docker_socket=$T/root-docker/docker.sock" "user_cache_dir=" ttl=1
"$VMHOSTS" refresh --backend docker --quiet || bail_out "root's refresh against the stand-in failed"
hold_watch_lock "$T/watch-lock.out"

# --- the user resolves its own containers ---------------------------------------
check_eq "ann: web.docker (-p $PORT:80) answers 127.0.0.1, though root's cache is watched" \
    "127.0.0.1" "$(getent_as "$ANN" ahosts web.docker)"
check_eq "ann: web5.docker (-p 127.0.0.5:$((PORT + 1)):80) answers 127.0.0.5" \
    "127.0.0.5" "$(getent_as "$ANN" ahosts web5.docker)"
check "ann: the published port is reached at that address" \
    as_user "$ANN" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
check_eq "ann: rootsvc-0001.docker, root's container, answers from root's cache" \
    "10.88.0.3" "$(getent_as "$ANN" ahosts rootsvc-0001.docker)"
getent_as "$ANN" ahosts quiet.docker >/dev/null
check_eq "ann: quiet.docker publishes nothing: NOTFOUND" 2 $?
lookup=$(as_user "$ANN" "$VMHOSTS" lookup quiet.docker 2>&1)
check_eq "ann: vmhosts lookup quiet.docker exits 1 (ours, NOTFOUND)" 1 $?
check "... and says it publishes no port" grep -q "publishes no port" <<<"$lookup"
check "... and what to do (-p)" grep -q -- "-p 8080:80" <<<"$lookup"
check "... in rootless Podman, in a namespace made for it" \
    grep -q "runs in your rootless Podman" <<<"$lookup" &&
    grep -q "network namespace Podman made for it" <<<"$lookup"
diag "$lookup"

# --network host: rootless Podman's is the user's own network namespace,
# the machine's, not one of the engine's as rootless Docker's.
rl_run hostnet --network host >/dev/null || bail_out "podman run hostnet: $(cat "$T/run.err")"
lookup=$(as_user "$ANN" "$VMHOSTS" lookup hostnet.docker 2>&1)
check_eq "ann: vmhosts lookup hostnet.docker (--network host) exits 1" 1 $?
check "... and says it is on this machine's own addresses" \
    grep -q "With --network host it is in yours instead, this" <<<"$lookup"
check "... not in an engine's network namespace" \
    bash -c '! grep -q "engine.s network namespace" <<<"$1"' _ "$lookup"
diag "$lookup"

# The engine is named only when the sockets tell it: with a Docker socket
# of hers there too, neither is; with Docker's alone, Docker's namespace.
ANN_DOCKER_SOCK=/run/user/$ANN_UID/docker.sock
"$PYTHON" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$ANN_DOCKER_SOCK" && chown "$ANN" "$ANN_DOCKER_SOCK"
at_exit "rm -f $ANN_DOCKER_SOCK; mv -n $ANN_SOCK.away $ANN_SOCK 2>/dev/null"
lookup=$(as_user "$ANN" "$VMHOSTS" lookup --no-refresh quiet.docker 2>&1)
check "two rootless sockets: lookup names no engine" \
    grep -q "runs in your rootless engine and publishes no port" <<<"$lookup"
check "... and says where either puts it" \
    grep -q "reach (rootless Docker's own, or one rootless Podman made for" <<<"$lookup"
mv "$ANN_SOCK" "$ANN_SOCK.away"
lookup=$(as_user "$ANN" "$VMHOSTS" lookup --no-refresh quiet.docker 2>&1)
mv "$ANN_SOCK.away" "$ANN_SOCK"
rm -f "$ANN_DOCKER_SOCK"
check "Docker's socket alone: lookup says rootless Docker" \
    grep -q "runs in your rootless Docker and publishes no port" <<<"$lookup"
check "... whose namespace holds --network host containers too" \
    grep -q "namespace (RootlessKit's), as is a --network host container's" <<<"$lookup"
check "... and gives Docker's command" grep -q "docker run -p 8080:80" <<<"$lookup"
status=$(as_user "$ANN" "$VMHOSTS" status 2>&1)
check "ann: vmhosts status says the rootless engine answers" \
    grep -q "$ANN_SOCK (your rootless engine, in your own cache only): accepts connections" \
    <<<"$status"
listed=$(as_user "$ANN" "$VMHOSTS" list --no-refresh 2>/dev/null)
check "ann: vmhosts list shows her web.docker at 127.0.0.1" \
    grep -Eq "^web\.docker +127\.0\.0\.1 " <<<"$listed"
check "... and root's rootsvc-0001.docker" grep -q "^rootsvc-0001\.docker " <<<"$listed"

# A container started after her cache was filled, looked up under valgrind:
# the module's path that finds her engine, skips root's watcher and
# refreshes her cache.
rl_run late -p "127.0.0.6:$((PORT + 2)):80" >/dev/null || bail_out "podman run late: $(cat "$T/run.err")"
if command -v valgrind >/dev/null && valgrind -q true 2>/dev/null; then
    VG_LOG=/run/user/$ANN_UID/valgrind.log
    output=$(with_nss setpriv --reuid="$ANN_UID" --regid="$(id -g "$ANN")" --init-groups         env HOME="/home/$ANN" valgrind -q --error-exitcode=99 --leak-check=full         --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect         --log-file="$VG_LOG" getent ahosts late.docker)
    status=$?
    check_eq "ann: late.docker, started a moment ago, answers 127.0.0.6 at once (valgrind)" \
        "0 127.0.0.6" "$status $(awk '{print $1}' <<<"$output" | sort -u | xargs)"
    check "... with no error and no leak from the module" \
        sh -c '! grep -qE "libnss_vmhosts|_nss_vmhosts|vmh_" "$1"' sh "$VG_LOG"
    [ "$status" != 99 ] || diag "$(head -n 40 "$VG_LOG")"
else
    check_eq "ann: late.docker, started a moment ago, answers 127.0.0.6 at once" \
        "127.0.0.6" "$(getent_as "$ANN" ahosts late.docker)"
fi

# --- nobody else does -----------------------------------------------------------
getent_ahosts web.docker >/dev/null
check_eq "root: web.docker does not resolve (NOTFOUND)" 2 $?
check "root: vmhosts list does not show it" \
    sh -c '! "$1" list 2>/dev/null | grep -q "^web.docker"' sh "$VMHOSTS"
check "root's cache file holds no rootless container" \
    sh -c '! grep -aq "$1" "$2"' sh "$WEB_ID" "$T/cache/hosts.cache"
write_conf "docker_socket=$T/root-docker/docker.sock $ANN_SOCK" "user_cache_dir=" ttl=1
"$VMHOSTS" refresh --backend docker >"$T/root-refresh.out" 2>&1
check "root's refresh refuses ann's socket listed in root's docker_socket" \
    grep -q "another user's rootless engine" "$T/root-refresh.out"
check "... and root's cache still holds no rootless container" \
    sh -c '! grep -aq "$1" "$2"' sh "$WEB_ID" "$T/cache/hosts.cache"
write_conf "docker_socket=$T/root-docker/docker.sock" "user_cache_dir=" ttl=1
check_eq "bob: rootsvc-0001.docker resolves (his lookups work)" \
    "10.88.0.3" "$(getent_as "$BOB" ahosts rootsvc-0001.docker)"
getent_as "$BOB" ahosts web.docker >/dev/null
check_eq "bob: ann's web.docker does not resolve" 2 $?
check "bob: his own cache holds no container of ann's" \
    sh -c '! grep -aqs "$1" /run/user/$2/vmhosts/hosts.cache' sh "$WEB_ID" "$(id -u "$BOB")"

# --- without root's watcher ---------------------------------------------------------
# Each fresh cache answers the names it alone has, whichever is newer
# (vmh_resolve_either): root's newer, Ann's engine is still hers; Ann's
# newer (it holds her engine alone: root's socket is closed to her),
# root's containers are still root's cache's.  A ttl long enough for the
# checks to run within it.
kill "$WATCH_PID" 2>/dev/null
wait "$WATCH_PID" 2>/dev/null
write_conf "docker_socket=$T/root-docker/docker.sock" "user_cache_dir=" ttl=30
"$VMHOSTS" refresh --backend docker --quiet || diag "root's refresh failed"
check_eq "no watcher, root's cache newer: ann resolves her web5.docker" \
    "127.0.0.5" "$(getent_as "$ANN" ahosts web5.docker)"
as_user "$ANN" "$VMHOSTS" refresh --backend docker --quiet
check_eq "no watcher, her cache newer: ann resolves root's rootsvc-0001.docker" \
    "10.88.0.3" "$(getent_as "$ANN" ahosts rootsvc-0001.docker)"

write_conf "docker_socket=$T/root-docker/docker.sock" "user_cache_dir=" ttl=1

# --- the user's own watcher follows her engine's events ---------------------------
# Her watched cache makes her lookups start nothing, so a container started
# now resolves only if her watcher saw it start.
# $! is the shell that runs as_user, and the watcher its child: the signal
# goes to the watcher (a shell killed would leave it running, holding the
# watch lock), and waiting for the shell waits for the watcher's end.
as_user "$ANN" "$VMHOSTS" watch >"$T/ann-watch.log" 2>&1 &
ANN_WATCH_PID=$!
stop_ann_watch() {
    pkill -TERM -P "$ANN_WATCH_PID" 2>/dev/null
    wait "$ANN_WATCH_PID" 2>/dev/null
}
at_exit stop_ann_watch
for ((tries = 0; tries < 50; tries++)); do
    grep -q keeping "$T/ann-watch.log" && break
    sleep 0.1
done
rl_run evt -p "127.0.0.7:$((PORT + 3)):80" >/dev/null || bail_out "podman run evt: $(cat "$T/run.err")"
for ((tries = 0; tries < 50; tries++)); do
    answer=$(getent_as "$ANN" ahosts evt.docker) && break
    sleep 0.1
done
check_eq "ann's own watcher: evt.docker, started after it, answers 127.0.0.7" "127.0.0.7" "$answer"
stop_ann_watch
lookup=$(as_user "$ANN" "$VMHOSTS" lookup --no-refresh evt.docker 2>&1)
check "... and once it stops, her cache is no longer watched" \
    bash -c '! grep -q "kept fresh by vmhosts watch" <<<"$1"' _ "$lookup"

# --- a stopped container's name goes ------------------------------------------------
pd_ann stop -t 0 web >/dev/null 2>&1 || diag "podman stop web failed"
sleep 1.2
getent_as "$ANN" ahosts web.docker >/dev/null
check_eq "ann: web.docker stopped: NOTFOUND once the ttl has passed" 2 $?
check_eq "ann: web5.docker still answers" "127.0.0.5" "$(getent_as "$ANN" ahosts web5.docker)"

# --- an engine the user runs at a path of her own ----------------------------------
# Docker Desktop's ~/.docker/desktop/docker.sock, colima's, or an engine
# started on a socket of the user's choosing, listed in docker_socket: the
# path says nothing, the daemon's user does.  Root's refresh refuses it;
# with root's cache watched, Ann's lookup still refreshes her own cache,
# which holds her containers where their ports are published.
kill -TERM "$SERVICE_PID" 2>/dev/null
wait "$SERVICE_PID" 2>/dev/null
rm -f "$ANN_SOCK"
ANN_OWN=/home/$ANN/.docker/desktop/docker.sock
as_user "$ANN" mkdir -p "/home/$ANN/.docker/desktop"
start_service "$ANN_OWN" "$T/service-own.log"
write_conf "docker_socket=$T/root-docker/docker.sock $ANN_OWN" "user_cache_dir=" ttl=1
"$VMHOSTS" refresh --backend docker >"$T/root-refresh-own.out" 2>&1
check "root's refresh refuses the engine ann runs, named by its user" \
    grep -q "runs as user $ANN_UID, neither root nor you" "$T/root-refresh-own.out"
check "... and root's cache holds none of her containers" \
    sh -c '! grep -aq "$1" "$2"' sh "$(pd_ann inspect -f '{{.Id}}' web5)" "$T/cache/hosts.cache"
rm -f "/run/user/$ANN_UID/vmhosts/hosts.cache"
hold_watch_lock "$T/watch-lock-own.out"
check_eq "ann: web5.docker of the engine she runs answers 127.0.0.5, root's cache watched" \
    "127.0.0.5" "$(getent_as "$ANN" ahosts web5.docker)"
check_eq "bob: it does not resolve for him" 2 "$(getent_as "$BOB" ahosts web5.docker >/dev/null; echo $?)"
status=$(as_user "$ANN" "$VMHOSTS" status 2>&1)
check "ann: vmhosts status says the engine is hers, in her own cache" \
    grep -q "$ANN_OWN accepts connections (an engine you run, in your own cache only" <<<"$status"
# Beside a rootless Docker socket of hers, the listed engine may have
# listed quiet as well: lookup names neither, and says a VM may hold it.
"$PYTHON" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$ANN_DOCKER_SOCK" && chown "$ANN" "$ANN_DOCKER_SOCK"
lookup=$(as_user "$ANN" "$VMHOSTS" lookup --no-refresh quiet.docker 2>&1)
rm -f "$ANN_DOCKER_SOCK"
check "ann: an engine she runs, listed, and her Docker socket: lookup names no engine" \
    grep -q "runs in your rootless engine and publishes no port" <<<"$lookup"
check "... and says a VM may hold it" grep -q "it, or a VM's: Docker Desktop, colima" <<<"$lookup"

done_testing
