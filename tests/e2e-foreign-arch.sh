#!/usr/bin/env bash
# The cache is the same bytes on every machine (nss_vmhosts/cache_format.h:
# fixed widths, no padding, little-endian integers, turned around by a
# big-endian machine, nss_vmhosts/cache_order.h).  For each other machine
# a compiler here can build for (i386 with gcc -m32, for the 32-bit
# programs of an amd64 system: Steam, Wine, old tools; s390x, big-endian,
# with clang --target=s390x-linux-gnu), this builds the module, a resolver
# (tests/resolve_each.c) and the writer (tests/cache_bytes.c) and checks:
# - the writer there writes exactly the bytes it writes here;
# - the module there, in a program there, gets exactly the answers this
#   machine's gets from the cache the 64-bit `vmhosts refresh` wrote
#   (Docker's recorded list from a stand-in, VMs from the multipass
#   stand-in), forward and in reverse.
# Where the kernel runs no such program, qemu-user does.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-hardening.sh"

require_nss
MODULE_C=$(module_sources | xargs)
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$top_builddir/Makefile")
FLAGS=(-std=c11 -D_GNU_SOURCE -O2 -I"$top_srcdir/nss_vmhosts" -DSYSCONFDIR="\"$sysconfdir\""
    -DBINDIR="\"$top_builddir\"" -DCACHEDIR='"/var/cache/vmhosts"')

# target_usable NAME: sets CC_T (compiler and flags) and RUN_T (how to run
# its programs) for NAME, or says why not and returns 1.
target_usable() {
    case $1 in
    i386) CC_T=("${CC:-gcc}" -m32) QEMU=qemu-i386 HINT=gcc-multilib SYSROOT= ;;
    # clang, not gcc-s390x-linux-gnu: Debian's gcc-multilib conflicts with
    # every gcc cross compiler, and clang is a cross compiler already.
    s390x) CC_T=(clang --target=s390x-linux-gnu) QEMU=qemu-s390x SYSROOT=/usr/s390x-linux-gnu
        HINT="clang binutils-s390x-linux-gnu libgcc-12-dev-s390x-cross libc6-dev-s390x-cross" ;;
    esac
    echo 'int main(void) { return 0; }' >"$T/probe.c"
    "${CC_T[@]}" -o "$T/probe-$1" "$T/probe.c" 2>"$T/probe.err" ||
        { WHY="no $1 compiler here (install $HINT): $(head -c 200 "$T/probe.err")"; return 1; }
    RUN_T=()
    "$T/probe-$1" 2>/dev/null && return 0
    command -v "$QEMU" >/dev/null ||
        { WHY="this kernel runs no $1 program and $QEMU is not installed (qemu-user)"; return 1; }
    RUN_T=("$QEMU" ${SYSROOT:+-L "$SYSROOT"})
    "${RUN_T[@]}" "$T/probe-$1" || { WHY="$QEMU cannot run a $1 program here"; return 1; }
    diag "$1 programs run under $QEMU: this kernel runs none itself"
}

# build_for NAME: the module in $T/NAME/, the resolver and the writer.
build_for() {
    mkdir -p "$T/$1"
    # shellcheck disable=SC2086
    "${CC_T[@]}" "${FLAGS[@]}" -fPIC -shared \
        -Wl,--version-script="$top_srcdir/nss_vmhosts/nss_vmhosts.map" \
        -Wl,-soname,libnss_vmhosts.so.2 -o "$T/$1/libnss_vmhosts.so.2" $MODULE_C \
        2>"$T/cc.err" || bail_out "building the $1 module failed: $(head -c 1000 "$T/cc.err")"
    "${CC_T[@]}" -std=c11 -D_GNU_SOURCE -o "$T/$1/resolve" "$top_srcdir/tests/resolve_each.c" ||
        bail_out "building the $1 resolver failed"
    # shellcheck disable=SC2086
    "${CC_T[@]}" "${FLAGS[@]}" -I"$top_srcdir/tools/snapshot" -I"$top_srcdir/tests" \
        -o "$T/$1/cache_bytes" "$top_srcdir/tests/cache_bytes.c" \
        "$top_srcdir/tools/snapshot/snapshot.c" "$top_srcdir/tools/snapshot/cache_write.c" \
        "$top_srcdir/tools/snapshot/id_table.c" "$top_srcdir/tools/snapshot/grow.c" \
        "$top_srcdir/tools/snapshot/text_index.c" \
        "$top_srcdir/tools/snapshot/key_sort.c" \
        "$top_srcdir/tools/snapshot/cache_same.c" \
        $MODULE_C 2>"$T/cc.err" ||
        bail_out "building the $1 cache writer failed: $(head -c 1000 "$T/cc.err")"
}

elf_of() { readelf -h "$1" | awk '/Class:/ {c=$2} /Data:/ {d=$(NF-1)} /Machine:/ {m=$NF} END {print c, d, m}'; }

# --- one cache, written by this machine's refresher ------------------------------------
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
CC_T=("${CC:-cc}")
build_for here
out_here=$(resolve_with "$MODULE_DIR" "$T/here/resolve")
check "this machine's program finds $STANDIN_NAME.docker" grep -q "^$STANDIN_NAME.docker: $STANDIN_NAME.docker " <<<"$out_here"
check "this machine's program finds primary.example.org" grep -q "^primary.example.org: primary.example.org 10.20.30.40" <<<"$out_here"
check "this machine's program names 10.20.30.40 in reverse" grep -q "^10.20.30.40: primary.example.org" <<<"$out_here"
"$T/here/cache_bytes" >"$T/here.cache" || bail_out "the cache writer failed here"

# --- each other machine -----------------------------------------------------------------
declare -A ELF=([i386]="ELF32 little 80386" [s390x]="ELF64 big S/390")
declare -A KIND=([i386]="pointer size 4, little-endian" [s390x]="pointer size 8, big-endian")
for target in i386 s390x; do
    if ! target_usable "$target"; then
        for what in "builds for $target" "$target writes this machine's bytes" \
            "a $target program is one" "$target gets this machine's answers"; do
            skip "$what" "$WHY"
        done
        continue
    fi
    build_for "$target"
    check_eq "the module built for $target is one" "${ELF[$target]}" "$(elf_of "$T/$target/libnss_vmhosts.so.2")"
    "${RUN_T[@]}" "$T/$target/cache_bytes" >"$T/$target.cache" || bail_out "the $target cache writer failed"
    check "the $target writer writes the bytes this machine's writes" cmp "$T/here.cache" "$T/$target.cache"
    out=$(resolve_with "$T/$target" "${RUN_T[@]}" "$T/$target/resolve")
    check_eq "the $target program is one" "${KIND[$target]}" "$(tail -n 1 <<<"$out")"
    check_eq "the $target program gets this machine's answers, name by name" \
        "$(head -n -1 <<<"$out_here")" "$(head -n -1 <<<"$out")"
    diag "$target: $(head -n -1 <<<"$out")"
done
done_testing
