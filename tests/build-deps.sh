#!/usr/bin/env bash
# The quick start's first command installs what the build needs on a fresh
# Debian 12: every library debian/control builds against is in the lists
# of tools/install-deb and tools/install-from-source, and every
# pkg-config module configure.ac asks for comes from one of them.  (The
# suite's own machine has them all, so a build there cannot show a gap.)
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

control_libs=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' "$top_srcdir/debian/control" |
    grep -o 'lib[a-z0-9.+-]*-dev' | sort -u)
[ -n "$control_libs" ] || bail_out "no lib*-dev in debian/control's Build-Depends"
# pkg-config module -> the Debian package that provides its .pc file.
declare -A provider=([libcurl]=libcurl4-openssl-dev [jansson]=libjansson-dev
                     [yajl]=libyajl-dev [ldns]=libldns-dev)
modules=$(sed -n 's/^PKG_CHECK_MODULES(\[[A-Z_]*\], *\[\([a-z0-9_-]*\).*/\1/p' \
    "$top_srcdir/configure.ac")
for module in $modules; do
    check "configure.ac's $module comes from a package debian/control names" \
        grep -qx -- "${provider[$module]:-no package known for $module}" <<<"$control_libs"
done
for script in install-deb install-from-source; do
    list=$(sed -n '/^BUILD_PACKAGES=(/,/)/p' "$top_srcdir/tools/$script")
    for lib in $control_libs; do
        check "tools/$script installs $lib" grep -qw -- "$lib" <<<"$list"
    done
done
done_testing
