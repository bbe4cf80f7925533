#!/usr/bin/env bash
# The Debian packages, built and used as a Debian user would: debian/ builds
# with dpkg-buildpackage into libnss-vmhosts and vmhosts (and a source
# package), lintian finds no error or warning in them, `apt-get install
# ./...deb` puts vmhosts on the hosts: line (after files, before resolve
# and dns, nothing else in /etc/nsswitch.conf changed), a container and a
# VM resolve through the installed module with a plain getent, and remove
# then purge take it all away again: the hosts: line is back byte for byte
# after remove (dh-nss's postrm takes it out on remove, as for systemd's
# libnss-mymachines), and after purge no file of ours is left.  Then the
# i386 module, cross-built with dpkg-buildpackage -a i386, installed beside
# the amd64 one (Multi-Arch: same), where a 32-bit program resolves through
# it from the cache the 64-bit vmhosts wrote.
#
# Nothing here touches the machine's dpkg state or /etc: the packages are
# built from a copy of the sources in the scratch folder, and installed in
# a throwaway root: in a mount namespace of its own (and a network
# namespace: nothing but the i386 part needs the network), an overlay with lowerdir=/
# and an upper folder in the scratch folder, /proc, /dev and a fresh /run
# mounted in it, then chroot.  Every write lands in the upper folder, which
# is removed with the scratch folder.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-hardening.sh"

require_root "an overlay root to install packages into"
unshare -m -n true 2>/dev/null || skip_all "cannot create mount and network namespaces here (unshare -m -n failed)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip_all "no overlay filesystem: cannot make a throwaway root"
for tool in dpkg-buildpackage dh dh_installnss lintian fakeroot apt-get; do
    command -v "$tool" >/dev/null ||
        skip_all "$tool is not installed (apt-get install dpkg-dev debhelper dh-nss lintian fakeroot)"
done

# --- build: binary and source packages, from a copy of the sources ----------------
# A copy without any build (the tree under test may be building right now);
# as the tarball of `make dist` has it, or as a clone after autogen.sh.
mkdir "$T/src" "$T/src/nss-vmhosts"
# (_build and _inst: make distcheck's build and install inside its tree.)
tar -C "$top_srcdir" --exclude='./build*' --exclude=./.git --exclude=autom4te.cache \
    --exclude=./_build --exclude=./_inst \
    --exclude=./debian/tmp --exclude=./debian/.debhelper -cf - . |
    tar -C "$T/src/nss-vmhosts" -xf - || bail_out "cannot copy the sources"
chmod -R u+w "$T/src"
# The source package, for lintian.
(
    unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
    cd "$T/src/nss-vmhosts" && dpkg-buildpackage -S -us -uc
) >"$T/build-source.log" 2>&1
status=$?
check_eq "dpkg-buildpackage -S -us -uc builds the source package" 0 "$status"
[ "$status" = 0 ] || diag "$(tail -n 20 "$T/build-source.log")"
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(cd "$T/src/nss-vmhosts" && dpkg-parsechangelog -S Version)
check "nss-vmhosts_$version.dsc was built" test -f "$T/src/nss-vmhosts_$version.dsc"
# The binary packages are built by the README's first command,
# tools/install-deb, in the throwaway root below (round 1), which leaves
# them in build/deb/ of the copy.
debs=$T/src/nss-vmhosts/build/deb
libnss_deb=$debs/libnss-vmhosts_${version}_$arch.deb
vmhosts_deb=$debs/vmhosts_${version}_$arch.deb

# --- install, resolve, remove, purge in a throwaway root ---------------------------
standin_start
cat >"$T/vms.json" <<'JSON'
{"list": [{"ipv4": ["10.20.30.40"], "name": "primary", "release": "x", "state": "Running"}]}
JSON
printf '#!/bin/sh\ncat %s\n' "$T/vms.json" >"$T/vms"
chmod 755 "$T/vms"
# Settings through VMHOSTS_CONF, so that /etc keeps no file of the test's;
# the cache is root's default one, /var/cache/vmhosts, which purge removes.
printf 'docker_socket = %s\nmultipass_command = %s\nttl = 3600\nmultipass_ttl = 3600\n' \
    "$STANDIN_SOCK" "$T/vms" >"$T/vmhosts.conf"
chmod 644 "$T/vmhosts.conf"
mkdir "$T/root" "$T/upper" "$T/work"

# Runs chrooted in the overlay: prints KEY=VALUE lines for the checks below.
# Arguments: the scratch folder, the hosts: line to start from, the round
# (for log file names), the two .debs, the multiarch folder name.
cat >"$T/in-root.sh" <<'EOF'
set -u
T=$1 start_line=$2 round=$3 libnss_deb=$4 vmhosts_deb=$5 multiarch=$6
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
hosts_line() { grep '^hosts:' /etc/nsswitch.conf; }
others() { grep -v '^hosts:' /etc/nsswitch.conf | sha256sum | cut -c1-16; }
{ grep -v '^hosts:' /etc/nsswitch.conf; echo "$start_line"; } >/etc/nsswitch.conf.new &&
    mv /etc/nsswitch.conf.new /etc/nsswitch.conf
echo "start=$(hosts_line)"
echo "start_others=$(others)"
echo "start_sum=$(sha256sum </etc/nsswitch.conf | cut -c1-16)"

if [ "$round" = 1 ]; then
    DEB_BUILD_OPTIONS="nocheck parallel=2" "$T/src/nss-vmhosts/tools/install-deb" \
        >"$T/install-$round.log" 2>&1
else
    apt-get install -y -q "$libnss_deb" "$vmhosts_deb" >"$T/install-$round.log" 2>&1
fi
echo "install_status=$?"
echo "installed=$(hosts_line)"
echo "installed_others=$(others)"
echo "module=$(test -f "/usr/lib/$multiarch/libnss_vmhosts.so.2" && echo yes)"
echo "unit=$(test -f /lib/systemd/system/vmhosts-watch.service && echo yes)"
echo "unit_enabled=$(ls /etc/systemd/system/*.wants/vmhosts-watch.service 2>/dev/null | xargs)"
dpkg -L libnss-vmhosts vmhosts >"$T/files-$round" 2>&1
export VMHOSTS_CONF=$T/vmhosts.conf
vmhosts refresh >"$T/refresh-$round.log" 2>&1
echo "refresh_status=$?"
echo "cache=$(test -f /var/cache/vmhosts/hosts.cache && echo yes)"
echo "container=$(getent ahosts "$STANDIN_NAME.docker" | awk '{print $1}' | sort -u | xargs)"
echo "vm=$(getent hosts primary.example.org | awk '{print $1}' | xargs)"
echo "reverse=$(getent hosts 10.20.30.40 | awk '{print $2}')"
echo "localhost=$(getent hosts localhost >/dev/null && echo resolves)"
# What `vmhosts status` advises for a misplaced vmhosts: it leaves a
# backup of nsswitch.conf beside it, which purge removes.
vmhosts disable >"$T/reenable-$round.log" 2>&1 && vmhosts enable >>"$T/reenable-$round.log" 2>&1
echo "reenabled=$(hosts_line)"
echo "backup=$(test -f /etc/nsswitch.conf.vmhosts-backup && echo yes)"
vmhosts enable --dns >"$T/enable-dns-$round.log" 2>&1
echo "dns_enabled=$(ls /etc/systemd/resolved.conf.d/vmhosts.conf \
    /etc/dnssec-trust-anchors.d/vmhosts.negative 2>/dev/null | wc -l)"
unset VMHOSTS_CONF

apt-get remove -y -q libnss-vmhosts vmhosts >"$T/remove-$round.log" 2>&1
echo "remove_status=$?"
echo "removed=$(hosts_line)"
echo "removed_sum=$(sha256sum </etc/nsswitch.conf | cut -c1-16)"
echo "removed_module=$(test -e "/usr/lib/$multiarch/libnss_vmhosts.so.2" && echo still-there)"
echo "removed_cache=$(test -e /var/cache/vmhosts && echo kept)"
echo "removed_dns=$(ls /etc/systemd/resolved.conf.d/vmhosts.conf \
    /etc/dnssec-trust-anchors.d/vmhosts.negative 2>/dev/null | xargs)"

apt-get purge -y -q libnss-vmhosts vmhosts >"$T/purge-$round.log" 2>&1
echo "purge_status=$?"
echo "purged=$(hosts_line)"
echo "purged_sum=$(sha256sum </etc/nsswitch.conf | cut -c1-16)"
echo "purged_dpkg=$(dpkg-query -W -f='${db:Status-Abbrev}' libnss-vmhosts vmhosts 2>/dev/null | xargs)"
# Every path the packages had is gone, but for folders that other
# packages own too (/usr/bin, /usr/share/man/man1, ...).
left=
while read -r path; do
    case $path in /.) continue ;; /*) ;; *) continue ;; esac
    [ -e "$path" ] || [ -L "$path" ] || continue
    [ -d "$path" ] && dpkg -S "$path" >/dev/null 2>&1 && continue
    left="$left $path"
done <"$T/files-$round"
echo "left=${left# }"
echo "cache_left=$(ls -d /var/cache/vmhosts /etc/vmhosts.conf /etc/nsswitch.conf.nss.* 2>/dev/null | xargs)"
EOF

system_sum=$(sha256sum </etc/nsswitch.conf)
module_before=$(ls "/usr/lib/$multiarch/libnss_vmhosts.so.2" 2>/dev/null)
# What dpkg knows of our packages and architectures (others may install
# other packages on this machine meanwhile).
dpkg_ours() {
    dpkg-query -W -f='${Package}:${Architecture} ${db:Status-Abbrev}\n' \
        'libnss-vmhosts*' vmhosts 2>/dev/null
    dpkg --print-foreign-architectures
}
system_dpkg=$(dpkg_ours)

# overlay_chroot [-n] SCRIPT ARGS...: runs SCRIPT with bash chrooted in a
# fresh overlay of / (every write lands in $T/upper), in a mount namespace of
# its own and, with -n, a network namespace too.  $T is bind-mounted at the
# same path inside.
overlay_chroot() {
    local network=
    [ "$1" != -n ] || { network=-n; shift; }
    rm -rf "$T/upper" "$T/work"
    mkdir "$T/upper" "$T/work"
    unshare -m $network sh -c '
        T=$1 root=$1/root
        mount -t overlay overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$root" || exit 125
        mount -t proc proc "$root/proc" || exit 125
        mount --rbind /dev "$root/dev" || exit 125
        mount -t tmpfs tmpfs "$root/run" || exit 125
        mount -t tmpfs tmpfs "$root/tmp" || exit 125
        mkdir -p "$root$T" && mount --bind "$T" "$root$T" || exit 125
        shift
        exec chroot "$root" bash "$@"' overlay_chroot "$T" "$@"
}

# in_root ROUND START-LINE: one install, resolve, remove, purge in a fresh
# overlay, with no network (ROUND names its log files); sets $results.
in_root() {
    results=$(STANDIN_NAME=$STANDIN_NAME overlay_chroot -n "$T/in-root.sh" "$T" "$2" "$1" \
        "$libnss_deb" "$vmhosts_deb" "$multiarch")
    status=$?
    diag "$results"
    check_eq "round $1: the overlay root was set up" 0 "$status"
}
value() { sed -n "s/^$1=//p" <<<"$results"; }

# An installed vmhosts leaves behind, in the upper folder, only what dpkg
# and apt keep of every package they ever saw (their logs).  A whiteout
# (a character device) only says the root removed a path the machine has
# (a /var/cache/vmhosts of the machine's own, which purge removes): no trace.
traces() {
    (cd "$T/upper" && find . -path ./tmp -prune -o -path ./run -prune -o ! -type c -print) |
        grep -i -e vmhosts -e libnss_vmhosts | grep -v -e '^\./var/log/' | xargs
}

# install_round ROUND START EXPECTED: from the hosts: line START, installed
# (round 1 with tools/install-deb, which builds the packages; after, with
# apt-get install of those), the line EXPECTED; then remove and purge.
install_round() {
    local round=$1 start=$2 expected=$3
    in_root "$round" "$start"
    check_eq "round $round: the hosts: line we start from" "$start" "$(value start)"
    if [ $round = 1 ]; then
        # nocheck: the unit tests the package build would run are this
        # make check's own; here, only the packaging is under test.
        check_eq "round 1: tools/install-deb (build, apt-get install ./...deb) exits 0" 0 \
            "$(value install_status)"
    else
        check_eq "round $round: apt-get install ./libnss-vmhosts*.deb ./vmhosts*.deb exits 0" 0 \
            "$(value install_status)"
    fi
    [ "$(value install_status)" = 0 ] || diag "$(tail -n 30 "$T/install-$round.log")"
    check_eq "round $round: installed, vmhosts is after files, before resolve and dns" \
        "$expected" "$(value installed)"
    check_eq "round $round: nothing else in nsswitch.conf changed" "$(value start_others)" \
        "$(value installed_others)"
    check_eq "round $round: vmhosts disable, then enable: the same line, and a backup" \
        "$expected yes" "$(value reenabled) $(value backup)"
    if [ $round = 1 ]; then
        check_eq "the module is in /usr/lib/$multiarch" yes "$(value module)"
        check_eq "the watcher's unit is installed" yes "$(value unit)"
        check_eq "... and not enabled" "" "$(value unit_enabled)"
        check_eq "the installed vmhosts refresh writes root's cache" "0 yes" \
            "$(value refresh_status) $(value cache)"
        [ "$(value refresh_status)" = 0 ] || diag "$(cat "$T/refresh-$round.log")"
        check_eq "getent hosts $STANDIN_NAME.docker: the container, through the installed module" \
            "$STANDIN_ADDRESSES" "$(value container)"
        check_eq "getent hosts primary.example.org: the VM" 10.20.30.40 "$(value vm)"
        check_eq "getent hosts 10.20.30.40: the VM's name in reverse" primary.example.org \
            "$(value reverse)"
        check_eq "other names still resolve" resolves "$(value localhost)"
        check_eq "vmhosts enable --dns wrote resolved's drop-in and trust anchors" 2 \
            "$(value dns_enabled)"
        check_eq "remove: what enable --dns wrote is gone with it" "" "$(value removed_dns)"
        check_eq "remove: the module is gone" "" "$(value removed_module)"
        check_eq "remove: root's cache is kept until purge" kept "$(value removed_cache)"
    fi
    check_eq "round $round: apt-get remove exits 0" 0 "$(value remove_status)"
    check_eq "round $round: remove takes vmhosts off the hosts: line (dh-nss)" "$start" \
        "$(value removed)"
    check_eq "round $round: ... and nsswitch.conf is the original, byte for byte" \
        "$(value start_sum)" "$(value removed_sum)"
    check_eq "round $round: apt-get purge exits 0" 0 "$(value purge_status)"
    check_eq "round $round: purged, nsswitch.conf is the original, byte for byte" \
        "$(value start_sum)" "$(value purged_sum)"
    check_eq "round $round: purged, dpkg knows neither package" "" "$(value purged_dpkg)"
    check_eq "round $round: purged, no file of the packages is left" "" "$(value left)"
    check_eq "round $round: purged, no cache, settings or dh-nss marker is left" "" \
        "$(value cache_left)"
    check_eq "round $round: purged, the root has no trace of vmhosts but dpkg's logs" "" \
        "$(traces)"
}

# Debian 12's own hosts: line, then one with systemd's modules and actions.
install_round 1 "hosts:          files dns" "hosts:          files vmhosts dns"
check "libnss-vmhosts_${version}_$arch.deb was built" test -f "$libnss_deb"
check "vmhosts_${version}_$arch.deb was built" test -f "$vmhosts_deb"
[ -f "$libnss_deb" ] && [ -f "$vmhosts_deb" ] || bail_out "no packages to test further"
check_eq "libnss-vmhosts is Multi-Arch: same" same "$(dpkg-deb -f "$libnss_deb" Multi-Arch)"
check_eq "libnss-vmhosts holds the module, its man page and its docs" \
    "/usr/lib/$multiarch/libnss_vmhosts.so.2 /usr/share/doc/libnss-vmhosts/changelog.gz /usr/share/doc/libnss-vmhosts/copyright /usr/share/lintian/overrides/libnss-vmhosts /usr/share/man/man8/nss-vmhosts.8.gz" \
    "$(dpkg-deb --fsys-tarfile "$libnss_deb" | tar -tf - | grep -v '/$' | sed 's|^\./|/|' | sort | xargs)"
check_eq "vmhosts holds the command, its man pages, the units of the watcher and the DNS face, no settings file" \
    "/lib/systemd/system/vmhosts-dns.service /lib/systemd/system/vmhosts-dns.socket /lib/systemd/system/vmhosts-watch.service /usr/bin/vmhosts /usr/share/doc/vmhosts/changelog.gz /usr/share/doc/vmhosts/copyright /usr/share/lintian/overrides/vmhosts /usr/share/man/man1/vmhosts.1.gz /usr/share/man/man5/vmhosts.conf.5.gz" \
    "$(dpkg-deb --fsys-tarfile "$vmhosts_deb" | tar -tf - | grep -v '/$' | sed 's|^\./|/|' | sort | xargs)"
check "vmhosts depends on what it links (libcurl, jansson, yajl, ldns)" \
    sh -c 'for lib in libcurl libjansson libyajl libldns; do case "$1" in *$lib*) ;; *) exit 1;; esac; done' \
    sh "$(dpkg-deb -f "$vmhosts_deb" Depends)"

# --- lintian: the binary packages and the source package ---------------------------
lintian --pedantic --fail-on error,warning "$debs/nss-vmhosts_${version}_$arch.changes" \
    "$T/src/nss-vmhosts_$version.dsc" >"$T/lintian.out" 2>"$T/lintian.err"
status=$?
diag "lintian: $(cat "$T/lintian.out")"
check "lintian: no error in the .debs or the .dsc" sh -c "! grep -q '^E: ' '$T/lintian.out'"
check "lintian: no warning either (each fixed or overridden with its reason)" \
    sh -c "! grep -q '^W: ' '$T/lintian.out'"
check_eq "lintian --fail-on error,warning exits 0" 0 "$status"
[ "$status" = 0 ] || diag "$(cat "$T/lintian.err")"
# The same lintian run fails on a package with an error: vmhosts without
# its copyright file (no-copyright-file).
mkdir "$T/broken"
dpkg-deb -R "$vmhosts_deb" "$T/broken/tree" &&
    rm "$T/broken/tree/usr/share/doc/vmhosts/copyright" &&
    sed -i '/usr\/share\/doc\/vmhosts\/copyright/d' "$T/broken/tree/DEBIAN/md5sums" &&
    dpkg-deb -b "$T/broken/tree" "$T/broken/vmhosts.deb" >/dev/null || bail_out "cannot repack the .deb"
lintian --pedantic --fail-on error,warning "$T/broken/vmhosts.deb" >"$T/broken/lintian.out" 2>&1
status=$?
check "lintian: an error in a package fails this test (exit status not 0, an E: line)" \
    sh -c "[ $status != 0 ] && grep -q '^E: vmhosts: no-copyright-file' '$T/broken/lintian.out'"

install_round 2 "hosts: files mymachines resolve [!UNAVAIL=return] dns myhostname" \
    "hosts: files mymachines vmhosts resolve [!UNAVAIL=return] dns myhostname"


# --- the i386 module beside the amd64 one (Multi-Arch: same) -----------------------
# Cross-built in the overlay root, which gets the i386 architecture, the
# cross compiler and the i386 build dependencies from Debian's archive (the
# only part of this test that needs the network); then installed beside the
# amd64 packages, where a 32-bit program resolves through it.
cat >"$T/in-root-i386.sh" <<'EOF'
set -u
T=$1 libnss_deb=$2 vmhosts_deb=$3
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
hosts_line() { grep '^hosts:' /etc/nsswitch.conf; }
echo "start=$(hosts_line)"
dpkg --add-architecture i386 && apt-get update -q >"$T/i386-update.log" 2>&1
echo "update_status=$?"
cd "$T/src386/nss-vmhosts" || exit 1
# The module alone (debian/rules): none of the command's i386 libraries,
# whose versions an amd64 system updated from the security archive may not
# find for i386 in the main one.  libc6:i386, so that dpkg-shlibdeps names
# it: without it, it takes the multilib /usr/lib32/libc.so.6 of this
# machine's gcc-multilib and depends on libc6-i386:i386, which no one has.
profile=pkg.nss-vmhosts.module-only
apt-get install -y -q --no-install-recommends crossbuild-essential-i386 libc6:i386 \
    >"$T/i386-deps.log" 2>&1 &&
    apt-get build-dep -y -q -a i386 -P "$profile" --no-install-recommends ./ >>"$T/i386-deps.log" 2>&1
echo "deps_status=$?"
DEB_BUILD_OPTIONS="parallel=2" dpkg-buildpackage -a i386 -B --build-profiles="$profile" -us -uc \
    >"$T/i386-build.log" 2>&1
echo "build_status=$?"
version=$(dpkg-parsechangelog -S Version)
libnss_i386=$T/src386/libnss-vmhosts_${version}_i386.deb
echo "tool_built=$(cd "$T/src386" && ls -- vmhosts_*.deb 2>/dev/null | xargs)"
echo "module_class=$(dpkg-deb --fsys-tarfile "$libnss_i386" |
    tar -xOf - ./usr/lib/i386-linux-gnu/libnss_vmhosts.so.2 | od -An -tx1 -j4 -N1 | xargs)"
i686-linux-gnu-gcc -std=c11 -D_GNU_SOURCE -o "$T/resolve32" "$T/resolve_each.c"
echo "probe_status=$?"
run32=
"$T/resolve32" >/dev/null 2>&1 || run32=qemu-i386
echo "run32=$run32"

apt-get install -y -q "$libnss_deb" "$vmhosts_deb" >"$T/i386-install.log" 2>&1
export VMHOSTS_CONF=$T/vmhosts.conf
vmhosts refresh >/dev/null 2>&1
echo "without_i386=$($run32 "$T/resolve32" primary.example.org | head -n 1)"
apt-get install -y -q "$libnss_i386" >>"$T/i386-install.log" 2>&1
echo "install_status=$?"
echo "installed=$(hosts_line)"
echo "both=$(dpkg-query -W -f='${Package}:${Architecture}=${db:Status-Abbrev} ' libnss-vmhosts | xargs)"
echo "forward32=$($run32 "$T/resolve32" primary.example.org | head -n 1)"
echo "reverse32=$($run32 "$T/resolve32" 10.20.30.40 | head -n 1)"
echo "size32=$($run32 "$T/resolve32" | tail -n 1)"
echo "forward64=$(getent hosts primary.example.org | xargs)"
unset VMHOSTS_CONF
apt-get remove -y -q libnss-vmhosts:i386 >"$T/i386-remove.log" 2>&1
echo "removed_i386=$(hosts_line)"
apt-get purge -y -q libnss-vmhosts:amd64 vmhosts >>"$T/i386-remove.log" 2>&1
apt-get purge -y -q libnss-vmhosts:i386 >>"$T/i386-remove.log" 2>&1
echo "purged=$(hosts_line)"
EOF
mkdir "$T/src386"
mkdir "$T/src386/nss-vmhosts"
tar -C "$T/src/nss-vmhosts" --exclude=./build -cf - . | tar -C "$T/src386/nss-vmhosts" -xf - ||
    bail_out "cannot copy the sources for the i386 build"
cp "$top_srcdir/tests/resolve_each.c" "$T/"
[ "$arch" != amd64 ] || results=$(overlay_chroot "$T/in-root-i386.sh" "$T" "$libnss_deb" "$vmhosts_deb")
status=$?
diag "$results"
if [ "$arch" != amd64 ]; then
    skip "i386: the i386 module beside the amd64 one" "this is $arch, not amd64"
elif [ "$status" != 0 ]; then
    fail "i386: the overlay root was set up"
elif [ "$(value update_status)" != 0 ] && [ "$(value deps_status)" != 0 ]; then
    skip "i386: the i386 module beside the amd64 one" \
        "apt-get update for i386 failed, and then the cross compiler or libc6:i386 did not install (is Debian's archive reachable?): $(grep -m 1 '^E:' "$T/i386-update.log")"
else
    # An update that failed on one index alone (a mirror caught mid-sync)
    # still lets the build go on when what it needs installs.
    [ "$(value update_status)" = 0 ] || diag "apt-get update for i386: $(grep -m 1 '^E:' "$T/i386-update.log")"
    check_eq "i386: the cross compiler and the i386 build dependencies install" 0 "$(value deps_status)"
    [ "$(value deps_status)" = 0 ] || diag "$(tail -n 20 "$T/i386-deps.log")"
    check_eq "i386: dpkg-buildpackage -a i386 -B builds" 0 "$(value build_status)"
    [ "$(value build_status)" = 0 ] || diag "$(tail -n 30 "$T/i386-build.log")"
    check_eq "i386: the module-only profile builds no vmhosts package" "" "$(value tool_built)"
    check_eq "i386: the module in libnss-vmhosts_*_i386.deb is a 32-bit ELF" 01 "$(value module_class)"
    check_eq "i386: a 32-bit program is built" 0 "$(value probe_status)"
    check_eq "i386: without the i386 package, the 32-bit program does not resolve the VM" \
        "primary.example.org: not found" "$(value without_i386)"
    check_eq "i386: apt-get install ./libnss-vmhosts_*_i386.deb beside the amd64 one" 0 \
        "$(value install_status)"
    [ "$(value install_status)" = 0 ] || diag "$(tail -n 20 "$T/i386-install.log")"
    check_eq "i386: both architectures installed" "libnss-vmhosts:amd64=ii libnss-vmhosts:i386=ii" \
        "$(value both)"
    check_eq "i386: vmhosts is on the hosts: line once" "hosts:          files vmhosts dns" \
        "$(value installed)"
    check_eq "i386: the 32-bit program resolves the VM from the 64-bit vmhosts' cache" \
        "primary.example.org: primary.example.org 10.20.30.40" "$(value forward32)"
    check_eq "i386: ... and in reverse" "10.20.30.40: primary.example.org" "$(value reverse32)"
    check_eq "i386: ... and it is a 32-bit process" "pointer size 4, little-endian" "$(value size32)"
    check_eq "i386: a 64-bit program gets the same address" "10.20.30.40 primary.example.org" \
        "$(value forward64)"
    check_eq "i386: removing one architecture keeps vmhosts on the line for the other" \
        "hosts:          files vmhosts dns" "$(value removed_i386)"
    check_eq "i386: purging both, the hosts: line is the original" "$(value start)" "$(value purged)"
fi

check_eq "the machine's own nsswitch.conf was not touched" "$system_sum" \
    "$(sha256sum </etc/nsswitch.conf)"
check_eq "the machine's dpkg knows nothing new of ours (packages, architectures)" \
    "$system_dpkg" "$(dpkg_ours)"
check "... and no module was installed into the machine" \
    test ! -e "/usr/lib/$multiarch/libnss_vmhosts.so.2" -o -n "$module_before"

done_testing
