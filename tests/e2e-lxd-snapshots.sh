#!/usr/bin/env bash
# LXD puts every snapshot of every instance in its list whole
# (recursion=2), so that instances with hundreds of snapshots each make an
# answer past the 32 MiB bound (unix_http.h).  The refresh then asks the
# list without state, snapshots or backups (recursion=1) and each running
# instance's state on its own (tools/backends/lxd/lxd.c), and every name
# still answers.  LXD through its stand-in (bench/lxd-standin.py), which
# serves the answers of a real LXD 5.0.2 (tests/fixtures/lxd/); the real
# daemon's answers to those calls are parsed by tests/test_lxd_json.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
command -v python3 >/dev/null || skip_all "python3 is not installed (the stand-in is Python)"

LXD_SOCK=$T/lxd.sock
ASKED=$T/asked.log
STANDIN_PID=
standin() {
    [ -z "$STANDIN_PID" ] || { kill "$STANDIN_PID"; wait "$STANDIN_PID" 2>/dev/null; }
    rm -f "$LXD_SOCK" "$ASKED"
    python3 "$top_srcdir/bench/lxd-standin.py" "$LXD_SOCK" 3 "$1" "$ASKED" \
        >>"$T/lxd-standin.log" 2>&1 &
    STANDIN_PID=$!
    wait_until 30 test -S "$LXD_SOCK" || bail_out "the stand-in did not start"
}
at_exit 'kill $STANDIN_PID 2>/dev/null'
write_conf lxd_socket="$LXD_SOCK" incus_socket="$T/no-incus.sock" \
    libvirt_leases="$T/no-leases" timeout_ms=10000
whole_lists() { grep -c 'recursion=2' "$ASKED"; }
brief_lists() { grep -c 'recursion=1' "$ASKED"; }
state_calls() { grep -c '/state?project=default$' "$ASKED"; }

# --- a list within the bound: one call ----------------------------------------------
standin 0
check "a refresh of 3 instances without snapshots" sh -c "'$VMHOSTS' refresh --backend lxd >/dev/null"
check_eq "... one call: the whole list" "1 0 0" "$(whole_lists) $(brief_lists) $(state_calls)"
check_eq "inst-0002.lxd answers" "10.99.0.4" "$(getent_ahosts inst-0002.lxd)"

# Two of the configured paths may reach one daemon (a symlink, a bind
# mount): it is asked once, and its instances counted once.
ln -s "$LXD_SOCK" "$T/lxd-again.sock"
write_conf lxd_socket="$LXD_SOCK $T/lxd-again.sock" incus_socket="$T/no-incus.sock" \
    libvirt_leases="$T/no-leases" timeout_ms=10000
: >"$ASKED"
check_eq "two paths to one socket: one daemon, 3 instances" "lxd: 3 instances, 3 running" \
    "$("$VMHOSTS" refresh --backend lxd 2>&1 | head -n 1)"
check_eq "... asked once" "1" "$(whole_lists)"
check_eq "inst-0002.lxd still answers" "10.99.0.4" "$(getent_ahosts inst-0002.lxd)"

# --- 7,500 snapshots each: 33 MiB ------------------------------------------------
standin 7500
size=$(curl -s --unix-socket "$LXD_SOCK" 'http://localhost/1.0/instances?recursion=2' | wc -c)
check "the stand-in's whole list is past 32 MiB ($size bytes)" test "$size" -gt $((32 << 20))
: >"$ASKED"
out=$("$VMHOSTS" refresh --backend lxd 2>&1)
check "a refresh of 3 instances with 7,500 snapshots each succeeds" test $? -eq 0
check_eq "... and says what it found" "lxd: 3 instances, 3 running" "$(head -n 1 <<<"$out")"
check_eq "... the whole list, then the list without state and each instance's state" \
    "1 1 3" "$(whole_lists) $(brief_lists) $(state_calls)"
check_eq "inst-0001.lxd answers" "10.99.0.3" "$(getent_ahosts inst-0001.lxd)"
check_eq "inst-0003.lxd answers" "10.99.0.5" "$(getent_ahosts inst-0003.lxd)"
check "vmhosts status: LXD answered" sh -c "'$VMHOSTS' status 2>&1 | grep -q 'ok: root.s cache: 3 instances, 3 running'"

done_testing
