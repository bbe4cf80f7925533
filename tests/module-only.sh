#!/usr/bin/env bash
# `./configure --disable-tool`, what debian/rules' pkg.nss-vmhosts.module-only
# profile runs for the i386 module: it configures with none of the command's
# libraries to be found, builds, and installs the module and nss-vmhosts(8)
# alone, a module that links libc only.  (tests/e2e-deb.sh builds the i386
# package so where Debian's archive is reachable; this needs no network.)
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

[ -x "$top_srcdir/configure" ] || skip_all "no configure in $top_srcdir: run ./autogen.sh"
[ ! -e "$top_srcdir/config.status" ] ||
    skip_all "$top_srcdir is configured in place, so no other build can use it (make distclean there)"
command -v cc >/dev/null || skip_all "no C compiler"

mkdir "$T/build" "$T/root"
# No pkg-config module can be found: a build that asked for libcurl, jansson,
# yajl or ldns would stop at configure.
(cd "$T/build" && PKG_CONFIG_LIBDIR=$T/no-pkgconfig "$top_srcdir/configure" --disable-tool \
    --prefix=/usr --with-nssdir=/usr/lib/vmhosts-module-only) >"$T/configure.log" 2>&1
status=$?
check_eq "configure --disable-tool with no pkg-config module found" 0 "$status"
[ "$status" = 0 ] || diag "$(tail -n 15 "$T/configure.log")"
# Not configure --disable-tool: the same lookup of libraries fails (pkgconf
# says "Package 'libcurl', required by ..., not found", pkg-config "No
# package 'libcurl' found").
(mkdir "$T/full" && cd "$T/full" && PKG_CONFIG_LIBDIR=$T/no-pkgconfig "$top_srcdir/configure" \
    --prefix=/usr) >"$T/configure-full.log" 2>&1
status=$?
check "... while the full build's configure stops, naming libcurl" \
    sh -c "[ $status != 0 ] && grep -Eq \"'libcurl'.* not found|No package 'libcurl' found\" '$T/configure-full.log'"

(
    unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
    cd "$T/build" && make -j2 && make install DESTDIR="$T/root"
) >"$T/make.log" 2>&1
status=$?
check_eq "make and make install" 0 "$status"
[ "$status" = 0 ] || diag "$(tail -n 15 "$T/make.log")"
check_eq "installed: the module and its man page, nothing else" \
    "./usr/lib/vmhosts-module-only/libnss_vmhosts.so.2 ./usr/share/man/man8/nss-vmhosts.8" \
    "$(cd "$T/root" && find . -type f | sort | xargs)"
check_eq "no vmhosts command was built" "" "$(cd "$T/build" && ls vmhosts 2>/dev/null)"
needed=$(objdump -p "$T/root/usr/lib/vmhosts-module-only/libnss_vmhosts.so.2" 2>/dev/null |
    awk '$1 == "NEEDED" {print $2}' | xargs)
check_eq "the module links libc only" "libc.so.6" "$needed"
# With the environment of a shell, not of the `make check` running this
# (which exports TESTS, the list it was given).
(cd "$T/build" && env -i PATH="$PATH" make check) >"$T/check.log" 2>&1
status=$?
check_eq "make check has no tests to run there" "0 # TOTAL: 0" \
    "$status $(grep '^# TOTAL:' "$T/check.log")"
[ "$status" = 0 ] || diag "$(tail -n 15 "$T/check.log")"
done_testing
