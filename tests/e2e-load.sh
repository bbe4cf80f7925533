#!/usr/bin/env bash
# Reliability against the peer: 10,000 lookups of a live container in one
# process, through the built module, with a TTL of 1 s so that refreshes
# run during the loop: zero failures and zero wrong answers.  The same loop
# through libnss-docker 0.02 (Debian's package, unpacked into the scratch
# folder, never installed), with the private dockerd's socket bind-mounted
# where it looks for Docker, is printed for comparison and not asserted.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
docker_start
docker_image

LOOKUPS=${LOAD_LOOKUPS:-10000}
container=$(docker_run vmh-load) || bail_out "cannot start a container"
address=$(docker_addresses "$container" bridge)
[ -n "$address" ] || bail_out "the container has no address on the default bridge"
diag "vmh-load $container at $address"

# The loop: in one process, COUNT gethostbyname calls spread over at least
# SPREAD seconds (so that several TTLs pass); prints "FAILURES SECONDS",
# then one line per kind of failure.
SPREAD=3
LOOP='
import collections, socket, sys, time
name, expected, count, spread = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
kinds = collections.Counter()
started = time.monotonic()
for i in range(count):
    if i % 100 == 0:
        time.sleep(max(0, started + spread * i / count - time.monotonic()))
    try:
        got = socket.gethostbyname(name)
        if got != expected:
            kinds["wrong answer " + got] += 1
    except OSError as error:
        kinds[str(error)] += 1
print(sum(kinds.values()), "%.1f" % (time.monotonic() - started))
for kind, times in kinds.most_common(5):
    print("%d x %s" % (times, kind))'

write_conf ttl=1 timeout_ms=1500
set_hosts_line files vmhosts
"$VMHOSTS" refresh >/dev/null 2>&1
inode_before=$(stat -c %i "$T/cache/hosts.cache" 2>/dev/null)
result=$(with_nss "$PYTHON" -c "$LOOP" vmh-load.docker "$address" "$LOOKUPS" "$SPREAD" 2>&1)
read -r ours seconds <<<"$(head -n 1 <<<"$result")"
check_eq "vmhosts: $LOOKUPS lookups of vmh-load.docker in ${seconds:-?} s (TTL 1 s): failures" 0 "$ours"
[ "$ours" = 0 ] || diag "$result"
check "... while the lookups refreshed the cache (a new file replaced the one before)" \
    test -n "$inode_before" -a "$(stat -c %i "$T/cache/hosts.cache")" != "$inode_before"
check_eq "no refresher is left running" "" "$(processes_of "$VMHOSTS")"

# --- the peer --------------------------------------------------------------------
peer_dir=$T/libnss-docker
mkdir -p "$peer_dir"
if ! (cd "$peer_dir" && apt-get download libnss-docker >"$T/apt.log" 2>&1); then
    skip "libnss-docker: $LOOKUPS lookups for comparison" "apt-get download libnss-docker failed: $(tail -n 1 "$T/apt.log")"
    done_testing
fi
dpkg -x "$peer_dir"/libnss-docker_*.deb "$peer_dir/root" || bail_out "dpkg -x of libnss-docker failed"
peer_lib=$(dirname "$(find "$peer_dir/root" -name 'libnss_docker.so.2*' | head -n 1)")
ln -sf "$(basename "$(find "$peer_lib" -name 'libnss_docker.so.2.*' | head -n 1)")" "$peer_lib/libnss_docker.so.2"
peer_version=$(dpkg-deb -f "$peer_dir"/libnss-docker_*.deb Version)

# It knows only /var/run/docker.sock: a private /run in the namespace holds a
# link to the test's engine there.
mkdir -p "$T/run"
ln -s "$DOCKER_SOCK" "$T/run/docker.sock"
set_hosts_line files docker
result=$(LD_LIBRARY_PATH="$peer_lib" unshare -m sh -c '
    mount --bind "$1" /etc/nsswitch.conf || exit 125
    mount --bind "$2" /etc/hosts || exit 125
    mount --bind "$3" /run || exit 125
    shift 3
    exec "$@"' peer "$NSSWITCH" "$HOSTS_FILE" "$T/run" "$PYTHON" -c "$LOOP" vmh-load.docker "$address" "$LOOKUPS" "$SPREAD" 2>&1)
read -r theirs seconds <<<"$(head -n 1 <<<"$result")"
if [[ $theirs =~ ^[0-9]+$ ]]; then
    ok "libnss-docker $peer_version, for comparison (not asserted): $theirs of $LOOKUPS lookups failed ($(awk -v f="$theirs" -v n="$LOOKUPS" 'BEGIN {printf "%.2f", 100 * f / n}') %) in $seconds s; vmhosts: $ours"
    diag "$(tail -n +2 <<<"$result")"
else
    ok "libnss-docker $peer_version, for comparison (not asserted): the loop did not run: $(head -c 300 <<<"$result")"
fi
done_testing
