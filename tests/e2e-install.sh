#!/usr/bin/env bash
# The README's command for other systems, for real: `tools/install-from-source` on a copy
# of this tree builds, installs the module where glibc looks, installs
# vmhosts, and enables the module in /etc/nsswitch.conf; after which a plain
# `getent hosts <container>.docker` (no LD_LIBRARY_PATH) answers.  Then the
# rest of what the README tells a newcomer, with the installed programs
# only: `vmhosts status`, `vmhosts list`, the watcher, a lookup as another
# user, and `vmhosts lookup` explaining why a stopped container is gone.
#
# It runs in a mount namespace with overlays on /usr and /etc: the install
# and the nsswitch.conf rewrite land in the test's upper folders and vanish
# with the namespace; the system's own files are never written.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_root
require_built
unshare -m true 2>/dev/null || skip_all "cannot create a mount namespace here (unshare -m failed)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip_all "no overlay filesystem: cannot install into a throwaway /usr"
docker_start
docker_image

web=$(docker_run vmh-web) || bail_out "cannot start a container"
web_address=$(docker_addresses "$web")

# A copy of the sources without any build: install-from-source builds in
# the tree it is run from, and the tree under test may be building right now.
mkdir "$T/src"
tar -C "$top_srcdir" --exclude='./build*' --exclude=./.git --exclude=autom4te.cache -cf - . |
    tar -C "$T/src" -xf - || bail_out "cannot copy the sources"
mkdir -p "$T/usr.upper" "$T/usr.work" "$T/etc.upper" "$T/etc.work" "$T/installed-cache"

# Runs in the namespace: overlays, the README's command, then what a user
# would try next.  Prints KEY=VALUE lines for the checks below.
cat >"$T/in-namespace.sh" <<'EOF'
set -u
T=$1 DOCKER_SOCK=$2
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$T/usr.upper,workdir=$T/usr.work" /usr || exit 125
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc.upper,workdir=$T/etc.work" /etc || exit 125
if [ -d /run/nscd ]; then mount -t tmpfs none /run/nscd || exit 125; fi
printf 'hosts: files dns\n' >/etc/nsswitch.conf.test-start
grep -v '^hosts:' /etc/nsswitch.conf >>/etc/nsswitch.conf.test-start
mv /etc/nsswitch.conf.test-start /etc/nsswitch.conf
unset VMHOSTS_CONF LD_LIBRARY_PATH
"$T/src/tools/install-from-source" >"$T/install.log" 2>&1
echo "install_status=$?"
echo "hosts_line=$(grep '^hosts:' /etc/nsswitch.conf)"
multiarch=$(gcc -print-multiarch)
echo "module_installed=$(test -f "/usr/lib/$multiarch/libnss_vmhosts.so.2" && echo yes)"
echo "vmhosts_installed=$(test -x /usr/local/bin/vmhosts && echo yes)"
# The installed settings file, pointed at the test's engine and a cache of
# the test's own (root's real /var/cache is not the test's to write).
printf 'docker_socket = %s\ncache_dir = %s\n' "$DOCKER_SOCK" "$T/installed-cache" >/etc/vmhosts.conf
echo "web=$(getent hosts vmh-web.docker | awk '{print $1}' | sort -u | xargs)"
echo "example=$(getent hosts localhost >/dev/null && echo resolves)"

# The README, on: status, list, the watcher, another user, a stopped one.
vmhosts status >"$T/status.out" 2>&1
echo "status_exit=$?"
vmhosts list >"$T/list.out" 2>&1
echo "list_exit=$?"
vmhosts watch 2>"$T/watch.log" &
watcher=$!
for i in $(seq 50); do grep -q "following Docker's events" "$T/watch.log" && break; sleep 0.1; done
echo "nobody_socket=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    sh -c "test -r '$DOCKER_SOCK' -a -w '$DOCKER_SOCK' && echo may || echo may-not")"
echo "nobody_web=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    getent hosts vmh-web.docker | awk '{print $1}' | sort -u | xargs)"
docker -H "unix://$DOCKER_SOCK" stop -t 0 vmh-web >/dev/null
for i in $(seq 100); do getent hosts vmh-web.docker >/dev/null || break; sleep 0.1; done
vmhosts lookup vmh-web.docker >"$T/lookup.out" 2>&1
echo "lookup_exit=$?"
kill -TERM "$watcher"
wait "$watcher"
echo "watch_exit=$?"
EOF

system_nsswitch=$(sha256sum </etc/nsswitch.conf)
module_before=$(ls "/usr/lib/$(gcc -print-multiarch)/libnss_vmhosts.so.2" 2>/dev/null)
results=$(unshare -m bash "$T/in-namespace.sh" "$T" "$DOCKER_SOCK")
status=$?
diag "$results"
value() { sed -n "s/^$1=//p" <<<"$results"; }
check_eq "the namespace and its overlays were set up" 0 "$status"
check_eq "tools/install-from-source exits 0" 0 "$(value install_status)"
[ "$(value install_status)" = 0 ] || diag "$(tail -n 30 "$T/install.log")"
check_eq "it added vmhosts after files, before dns" "hosts: files vmhosts dns" "$(value hosts_line)"
check_eq "the module is where glibc looks" yes "$(value module_installed)"
check_eq "vmhosts is in /usr/local/bin" yes "$(value vmhosts_installed)"
check_eq "getent hosts vmh-web.docker answers, with nothing but the install" \
    "$web_address" "$(value web)"
check_eq "other names still resolve" resolves "$(value example)"

diag "$(cat "$T/status.out")"
check_eq "vmhosts status: all is well (exit 0)" 0 "$(value status_exit)"
check "vmhosts status: reads the installed /etc/vmhosts.conf" grep -q '/etc/vmhosts.conf' "$T/status.out"
check "vmhosts status: vmhosts is reached on the hosts: line" \
    grep -q 'ok: vmhosts is reached after files' "$T/status.out"
check_eq "vmhosts list exits 0" 0 "$(value list_exit)"
check "vmhosts list shows vmh-web.docker and its address" \
    grep -qE "^vmh-web\.docker +$web_address " "$T/list.out"
check_eq "nobody may not open Docker's socket" may-not "$(value nobody_socket)"
check_eq "with the watcher running, nobody resolves vmh-web.docker" "$web_address" \
    "$(value nobody_web)"
diag "$(cat "$T/lookup.out")"
check_eq "vmh-web stopped: vmhosts lookup exits 1 (NOTFOUND)" 1 "$(value lookup_exit)"
check "... and says the container is not running, and what to do" \
    grep -qE 'not running' "$T/lookup.out"
check "... docker start vmh-web" grep -qF 'docker start vmh-web' "$T/lookup.out"
check_eq "the watcher stops with exit 0 on SIGTERM" 0 "$(value watch_exit)"
check_eq "the system's own nsswitch.conf was not touched" "$system_nsswitch" \
    "$(sha256sum </etc/nsswitch.conf)"
check "... and no module was installed into the system" \
    test ! -e "/usr/lib/$(gcc -print-multiarch)/libnss_vmhosts.so.2" -o -n "$module_before"

done_testing
