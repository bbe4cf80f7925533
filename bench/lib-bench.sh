# Shell helpers of bench/run-bench, sourced after tests/lib.sh (whose
# scratch folder $T, write_conf, set_hosts_line, with_nss and private dockerd
# the benchmark reuses): measuring, the stand-in Docker API, libnss-docker,
# and the arithmetic and formatting of the table.

BENCH_DIR=$top_builddir/bench
BENCH_LOOKUP=$BENCH_DIR/bench_lookup
BENCH_ROUNDS=${BENCH_ROUNDS:-9}
BENCH_ROUND_MS=${BENCH_ROUND_MS:-100}
# cpu: lookups and fresh processes are timed by the CPU time they take
# (bench_lookup -c), which a busy shared machine disturbs far less than the
# wall clock; wall: by the wall clock.
BENCH_CLOCK=${BENCH_CLOCK:-cpu}

progress() { printf 'run-bench: %s\n' "$*" >&2; }

# --- arithmetic and formatting ----------------------------------------------

# kv KEY LINE: the value of KEY=value in one of bench_lookup's lines.
# ms_between A B: from A to B, both in ns, in ms to 3 places.
ms_between() { awk -v ns=$(($2 - $1)) 'BEGIN { printf("%.3f", ns / 1e6) }'; }
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# median NUMBER...: of decimals, printed with 3 decimals;
# median -i NUMBER...: rounded to an integer (nanoseconds).
median() {
    local format=%.3f
    if [ "${1:-}" = -i ]; then
        format=%.0f
        shift
    fi
    printf '%s\n' "$@" | grep . | sort -g | awk -v format="$format" '{v[NR] = $1} END {
        if (NR == 0) exit 1
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf(format "\n", m) }'
}

# pair_medians SETUP_A COMMAND_A SETUP_B COMMAND_B: runs A then B (each
# after its setup, all eval'ed), BENCH_ROUNDS times, alternating, so that a
# machine that slows down or speeds up meanwhile weighs on both alike;
# prints the median of A's median_ns and of B's.
pair_medians() {
    local a=() b=() round output
    for ((round = 0; round < BENCH_ROUNDS; round++)); do
        eval "$1"
        output=$(eval "$2") || return 1
        a+=("$(kv median_ns "$output")")
        eval "$3"
        output=$(eval "$4") || return 1
        b+=("$(kv median_ns "$output")")
    done
    echo "$(median -i "${a[@]}") $(median -i "${b[@]}")"
}

# One round of lookups (or of SPAWNS fresh processes), for pair_medians.
one_loop() { with_bench_nss "$BENCH_LOOKUP" -c "$BENCH_CLOCK" -r 1 -t "$BENCH_ROUND_MS" "$@"; }
# The same, as an ordinary user whose process can never change its user.
BENCH_USER=nobody
one_loop_as_user() {
    with_bench_nss setpriv --reuid="$BENCH_USER" --regid="$(id -g "$BENCH_USER")" --clear-groups \
        "$BENCH_LOOKUP" -c "$BENCH_CLOCK" -r 1 -t "$BENCH_ROUND_MS" "$@"
}
one_spawn() {
    local status=$1
    shift
    with_bench_nss "$BENCH_LOOKUP" -S -c "$BENCH_CLOCK" -r 1 -n "$BENCH_SPAWNS" -x "$status" -- "$@"
}

calc() { awk "BEGIN { print $* }"; }

# us NANOSECONDS: "12.3 µs" (or "n/a" for an empty figure).
us() { [ -n "$1" ] && awk -v n="$1" 'BEGIN { printf(n < 10000 ? "%.2f us" : "%.1f us", n / 1000) }' || echo n/a; }

# ms NANOSECONDS
ms() { [ -n "$1" ] && awk -v n="$1" 'BEGIN { printf("%.2f ms", n / 1000000) }' || echo n/a; }

# ratio A B: A/B as "1.23x"
ratio() {
    [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf(a / b < 10 ? "%.2fx" : "%.0fx", a / b) }' ||
        echo n/a
}

# at_most A LIMIT: exit 0 when A <= LIMIT (decimals).
at_most() { awk -v a="$1" -v l="$2" 'BEGIN { exit !(a <= l) }'; }

now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }

# --- lookups in the private mount namespace ----------------------------------

# with_bench_nss [--docker-sock SOCKET] COMMAND...: with_nss, with the floor
# module and libnss-docker on the library path too; with --docker-sock the
# socket is bind-mounted where libnss-docker looks for Docker (it has
# /var/run/docker.sock built in), on a tmpfs over /run in the namespace.
with_bench_nss() {
    local socket=
    if [ "$1" = --docker-sock ]; then
        socket=$2
        shift 2
    fi
    LD_LIBRARY_PATH="$BENCH_DIR${NSS_DOCKER_LIB:+:$NSS_DOCKER_LIB}" with_nss sh -c '
        if [ -n "$0" ]; then
            mount -t tmpfs -o mode=755 none /run || exit 125
            : >/run/docker.sock && mount --bind "$0" /run/docker.sock || exit 125
        fi
        exec "$@"' "$socket" "$@"
}

# loop_lookup HOSTS_LINE EXPECT NAME [--docker-sock S]: the median ns of
# one getaddrinfo(AF_UNSPEC) of NAME with that hosts: line; empty (and the
# reason on stderr) when the first answer is not the EXPECTed
# found/missing/any.  bench_lookup's whole line is left in $T/last-lookup
# (found_pct: how many of the timed lookups found the name).
loop_lookup() {
    local hosts_line=$1 expect=$2 name=$3 output
    shift 3
    set_hosts_line "$hosts_line"
    output=$(with_bench_nss "$@" "$BENCH_LOOKUP" -c "$BENCH_CLOCK" -r "$BENCH_ROUNDS" \
        -t "$BENCH_ROUND_MS" -e "$expect" "$name") || { progress "lookup of $name (hosts: $hosts_line) failed"; return 1; }
    echo "$output" >"$T/last-lookup"
    kv median_ns "$output"
}

# time_ns COMMAND...: wall time of one run, in ns; the command's status.
time_ns() {
    local start end status
    start=$(now_ns)
    "$@"
    status=$?
    end=$(now_ns)
    echo $((end - start))
    return $status
}

# --- synthetic containers ----------------------------------------------------

# hosts_lines COUNT: /etc/hosts lines naming the stand-in's containers with
# their addresses (bench/docker-standin.py, address_bytes), as an
# /etc/hosts writer would.
hosts_lines() {
    awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
        printf("10.%d.%d.%d bench-%04d.docker\n", 88 + int(i / 62500), int(i / 250) % 250,
               i % 250 + 2, i) }'
}

# filler_lines COUNT: /etc/hosts lines of names no section looks up, for a
# file of a usual length (hosts_lines 8 named bench-0005.docker, the
# 10-name size's middle name, so files answered what vmhosts was to).
filler_lines() {
    awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf("10.77.0.%d filler-%d.example\n", i, i) }'
}

# standin_start COUNT: a stand-in Docker API with COUNT containers on
# $T/standin-COUNT.sock, its requests logged to $T/standin-COUNT.log.
standin_start() {
    local socket=$T/standin-$1.sock log=$T/standin-$1.log tries
    : >"$log"
    "$PYTHON" "$top_srcdir/bench/docker-standin.py" "$socket" "$1" "$log" &
    local pid=$!
    STANDIN_PIDS[$1]=$pid
    at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
    # It makes its answers before its socket: 100,000 containers take
    # seconds.
    for ((tries = 0; tries < 2400; tries++)); do
        [ -S "$socket" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    progress "the stand-in Docker API with $1 containers did not start"
    return 1
}

# requests_since LOG LINE: the requests logged after line LINE, as
# "N list, M inspect".
requests_since() {
    tail -n +$(($2 + 1)) "$1" | awk '
        /containers\/json/ { list++; next } /containers\/.*\/json/ { inspect++ }
        END { printf("%d list, %d inspect\n", list, inspect) }'
}

# --- libnss-docker, extracted, never installed ---------------------------------

# nss_docker_fetch: sets NSS_DOCKER_LIB to the folder holding
# libnss_docker.so.2 from `apt-get download libnss-docker` (or the .deb in
# $NSS_DOCKER_DEB), unpacked with dpkg -x under $T.
NSS_DOCKER_LIB=
NSS_DOCKER_WHY=
nss_docker_fetch() {
    local dir=$T/nss-docker deb
    mkdir -p "$dir/root"
    if [ -n "${NSS_DOCKER_DEB:-}" ]; then
        deb=$NSS_DOCKER_DEB
    else
        (cd "$dir" && apt-get download libnss-docker >"$dir/download.log" 2>&1)
        deb=$(ls "$dir"/libnss-docker_*.deb 2>/dev/null | head -n 1)
    fi
    if [ -z "$deb" ] || ! dpkg -x "$deb" "$dir/root" 2>>"$dir/download.log"; then
        NSS_DOCKER_WHY="apt-get download libnss-docker failed"
        return 1
    fi
    NSS_DOCKER_LIB=$(dirname "$(find "$dir/root" -name 'libnss_docker.so.2' | head -n 1)")
    [ "$NSS_DOCKER_LIB" != . ] || { NSS_DOCKER_WHY="no libnss_docker.so.2 in $deb"; NSS_DOCKER_LIB=; return 1; }
    NSS_DOCKER_VERSION=$(dpkg-deb -f "$deb" Version)
}

# --- the watcher ------------------------------------------------------------------

# watcher_available: whether this build's `vmhosts watch` exists yet.
watcher_available() {
    ! "$VMHOSTS" watch --help 2>&1 | grep -q 'not written yet'
}

# watch_lock_held DIR: whether someone holds a lock on DIR/watch.lock.
watch_lock_held() {
    local inode
    inode=$(stat -c %i "$1/watch.lock" 2>/dev/null) || return 1
    grep -q ":$inode " /proc/locks
}
