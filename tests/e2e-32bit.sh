#!/usr/bin/env bash
# 32-bit programs (Steam, Wine, old tools) load a 32-bit build of the
# module, which reads the cache the 64-bit `vmhosts refresh` wrote: the
# cache format has fixed widths, no padding and one byte order
# (nss_vmhosts/cache_format.h).  This builds the module and a resolver
# (tests/resolve_each.c) with gcc -m32, writes a cache with the 64-bit
# refresher (Docker's recorded list from a stand-in, VMs from the
# multipass stand-in), and checks that the 32-bit program gets exactly the
# 64-bit program's answers, forward and in reverse.  Where the kernel runs
# no 32-bit program, qemu-i386 runs it (Debian's qemu-user).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-hardening.sh"

require_nss
CC32=${CC:-gcc}
echo 'int main(void) { return sizeof(void *) == 4 ? 0 : 1; }' >"$T/probe.c"
"$CC32" -m32 -o "$T/probe" "$T/probe.c" 2>"$T/probe.err" ||
    skip_all "no 32-bit compiler here (install gcc-multilib): $(head -c 200 "$T/probe.err")"
RUN32=()
if ! "$T/probe" 2>/dev/null; then
    command -v qemu-i386 >/dev/null ||
        skip_all "this kernel runs no 32-bit program and qemu-i386 is not installed (qemu-user)"
    RUN32=(qemu-i386)
    "${RUN32[@]}" "$T/probe" || skip_all "qemu-i386 cannot run a 32-bit program here"
    diag "32-bit programs run under qemu-i386: this kernel runs none itself"
fi

# --- the 32-bit module, from the same sources as the 64-bit one --------------------
sources=$(sed -n '/^libvmhmodule_la_SOURCES/,/^$/p' "$top_srcdir/Makefile.am" |
    grep -oE 'nss_vmhosts/[a-z_]+\.c' | sed "s|^|$top_srcdir/|" | xargs)
mkdir -p "$T/lib32"
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$top_builddir/Makefile")
# shellcheck disable=SC2086
"$CC32" -m32 -std=c11 -D_GNU_SOURCE -O2 -fPIC -shared -I"$top_srcdir/nss_vmhosts" \
    -DSYSCONFDIR="\"$sysconfdir\"" -DBINDIR="\"$top_builddir\"" -DCACHEDIR='"/var/cache/vmhosts"' \
    -Wl,--version-script="$top_srcdir/nss_vmhosts/nss_vmhosts.map" -Wl,-soname,libnss_vmhosts.so.2 \
    -o "$T/lib32/libnss_vmhosts.so.2" $sources 2>"$T/cc.err" ||
    bail_out "building the 32-bit module failed: $(head -c 1000 "$T/cc.err")"
"$CC32" -m32 -std=c11 -D_GNU_SOURCE -o "$T/resolve32" "$top_srcdir/tests/resolve_each.c" ||
    bail_out "building the 32-bit resolver failed"
"${CC:-cc}" -std=c11 -D_GNU_SOURCE -o "$T/resolve64" "$top_srcdir/tests/resolve_each.c" ||
    bail_out "building the 64-bit resolver failed"
check_eq "the module built for 32 bits is an i386 ELF" "ELF32 80386" \
    "$(readelf -h "$T/lib32/libnss_vmhosts.so.2" | awk '/Class:/ {c=$2} /Machine:/ {m=$NF} END {print c, m}')"

# --- one cache, written by the 64-bit refresher ----------------------------------------
standin_start
cat >"$T/vms.json" <<'JSON'
{"list": [{"ipv4": ["10.20.30.40"], "name": "primary", "release": "x", "state": "Running"},
          {"ipv4": ["10.20.30.41"], "name": "builder", "release": "x", "state": "Running"}]}
JSON
printf '#!/bin/sh\ncat %s\n' "$T/vms.json" >"$T/vms"
chmod 755 "$T/vms"
write_conf docker_socket="$STANDIN_SOCK" multipass_command="$T/vms" ttl=3600 multipass_ttl=3600
"$VMHOSTS" refresh >/dev/null 2>"$T/refresh.err" || bail_out "the 64-bit refresh failed: $(cat "$T/refresh.err")"
set_hosts_line vmhosts

first_address=${STANDIN_ADDRESSES%% *}
names=("$STANDIN_NAME.docker" "${STANDIN_ID:0:12}.docker" primary.example.org
    builder.example.org nosuch.example.org nosuch.docker 10.20.30.40 "$first_address")
resolve_with() { # LIBDIR PROGRAM...: the resolver's lines with that module
    LD_LIBRARY_PATH=$1 VMHOSTS_CONF="$VMHOSTS_CONF" unshare -m sh -c '
        mount --bind "$1" /etc/nsswitch.conf || exit 125
        mount --bind "$2" /etc/hosts || exit 125
        shift 2
        exec "$@"' resolve_with "$NSSWITCH" "$HOSTS_FILE" "${@:2}" "${names[@]}"
}
out64=$(resolve_with "$MODULE_DIR" "$T/resolve64")
out32=$(resolve_with "$T/lib32" "${RUN32[@]}" "$T/resolve32")
check "the 64-bit program finds $STANDIN_NAME.docker" grep -q "^$STANDIN_NAME.docker: $STANDIN_NAME.docker " <<<"$out64"
check "the 64-bit program finds primary.example.org" grep -q "^primary.example.org: primary.example.org 10.20.30.40" <<<"$out64"
check "the 64-bit program names 10.20.30.40 in reverse" grep -q "^10.20.30.40: primary.example.org" <<<"$out64"
check_eq "the 32-bit program is one" "pointer size 4" "$(tail -n 1 <<<"$out32")"
check_eq "the 32-bit program gets the 64-bit program's answers, name by name" \
    "$(head -n -1 <<<"$out64")" "$(head -n -1 <<<"$out32")"
diag "$(head -n -1 <<<"$out32")"
done_testing
