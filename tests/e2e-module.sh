#!/usr/bin/env bash
# The module as glibc loads it, and multipass VMs by name end to end: real
# getent, curl and ssh through the freshly built module with a stand-in
# multipass (tests/stubs/multipass) that prints recorded output.  No Docker.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_built
MODULE=$MODULE_DIR/libnss_vmhosts.so.2

# --- what every process that resolves a name loads --------------------------
exports=$(nm -D --defined-only "$MODULE" | awk '$2 ~ /^[TtWwDdBbRr]$/ {print $3}' | sort | xargs)
check_eq "the module exports glibc's six entry points and nothing else" \
    "_nss_vmhosts_gethostbyaddr2_r _nss_vmhosts_gethostbyaddr_r _nss_vmhosts_gethostbyname2_r _nss_vmhosts_gethostbyname3_r _nss_vmhosts_gethostbyname4_r _nss_vmhosts_gethostbyname_r" \
    "$exports"
needed=$(readelf -d "$MODULE" | awk '/NEEDED/ {gsub(/[][]/, "", $5); print $5}' | sort | xargs)
check_eq "the module links libc only (no libcurl, no jansson)" "libc.so.6" "$needed"
dynamic=$(readelf -d "$MODULE")
check "the module is linked -z now" grep -qE 'FLAGS.*(BIND_NOW|NOW)' <<<"$dynamic"
check "the module is linked -z nodelete" grep -qE 'FLAGS_1.*NODELETE' <<<"$dynamic"
check "the module has no constructor of its own (.init_array holds gcc's frame_dummy only)" \
    test "$((16#$(readelf -S -W "$MODULE" | sed -n 's/.* \.init_array  *[A-Z_]*  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')))" -le 8

# The module is the read path: a function or table in nss_vmhosts/ that
# the six entry points never reach is what only `vmhosts` or a test needs,
# loaded into every process for nothing, and belongs in tools/ or tests/.
# Each in a section of its own, the linker keeps what the version script's
# exports reach and names what it drops.  -O0: a function inlined
# into every caller would leave an unused copy behind.
unreached_parts() {
    local objects=() source
    for source in $(module_sources); do
        objects+=("$T/gc-$(basename "$source" .c).o")
        "${CC:-cc}" -std=c11 -D_GNU_SOURCE -O0 -fPIC -ffunction-sections -fdata-sections \
            -I"$top_builddir" -I"$top_srcdir/nss_vmhosts" -c "$source" -o "${objects[-1]}" ||
            { echo "(compiling $source failed)"; return; }
    done
    "${CC:-cc}" -shared -o "$T/gc.so" "${objects[@]}" -Wl,--gc-sections -Wl,--print-gc-sections \
        -Wl,--version-script="$top_srcdir/nss_vmhosts/nss_vmhosts.map" 2>"$T/gc.log" ||
        { echo "(linking failed: $(head -c 300 "$T/gc.log"))"; return; }
    sed -n "s/.*removing unused section '\.[a-z.]*\.\([a-z_0-9]*\)' in file '.*\/gc-\([a-z_]*\)\.o'.*/\2.c:\1/p" \
        "$T/gc.log" | sort | xargs
}
check_eq "every function and table compiled into the module is reached from its entry points" "" \
    "$(unreached_parts)"

require_nss

STUB=$top_srcdir/tests/stubs/multipass
STUB_CONFIG=$T/stub.conf
# The stub reads its settings from a file: the module runs it from inside
# getent, whose environment is the test's but not the test's to vary per call.
export MULTIPASS_STUB_CONFIG=$STUB_CONFIG
stub() { printf '%s\n' "$@" >"$STUB_CONFIG"; }

# Four VMs: primary (a loopback address first, then a guest bridge),
# stopped, pending (running, address not known yet) and sixer (IPv6 only).
FIXTURE=$T/list.json
cat >"$FIXTURE" <<'EOF'
{
    "list": [
        {"ipv4": ["127.0.0.7", "172.17.0.1"], "name": "primary", "release": "Ubuntu 24.04 LTS", "state": "Running"},
        {"ipv4": [], "name": "stopped", "release": "Ubuntu 22.04 LTS", "state": "Stopped"},
        {"ipv4": ["N/A"], "name": "pending", "release": "Not Available", "state": "Running"},
        {"ipv4": ["fd00::7"], "name": "sixer", "release": "Ubuntu 24.04 LTS", "state": "Running"}
    ]
}
EOF
stub "MULTIPASS_STUB_FIXTURE=$FIXTURE"
write_conf multipass_command="$STUB" multipass_domains="example.org dev.test" timeout_ms=3000

expect_nothing() {
    local found status
    found=$(getent_hosts "$1")
    status=$?
    check_eq "getent hosts $1 finds nothing: $2" "exit 2: ''" "exit $status: '$found'"
}

# --- names ---------------------------------------------------------------------
check_eq "getent hosts primary.example.org: the first IPv4 only" 127.0.0.7 \
    "$(getent_hosts primary.example.org)"
check_eq "getent ahosts primary.example.org: the first IPv4 only" 127.0.0.7 \
    "$(getent_ahosts primary.example.org)"
check_eq "getaddrinfo primary.example.org" 127.0.0.7 "$(python_getaddrinfo primary.example.org)"
check_eq "getent hosts PRIMARY.Example.ORG.: any case, trailing dot" 127.0.0.7 \
    "$(getent_hosts PRIMARY.Example.ORG.)"
check_eq "getent hosts primary.dev.test: the second domain" 127.0.0.7 \
    "$(getent_hosts primary.dev.test)"
check_eq "the canonical name is <vm>.<domain>" "127.0.0.7 primary.example.org" \
    "$(with_nss getent hosts PRIMARY.example.org | xargs)"
check_eq "getaddrinfo(AF_INET6) primary.example.org: no IPv6, no data" EAI_NODATA \
    "$(python_getaddrinfo primary.example.org AF_INET6)"
check_eq "getent ahostsv6 (AI_V4MAPPED): glibc maps the IPv4 answer" "::ffff:127.0.0.7" \
    "$(getent_ahosts primary.example.org ahostsv6)"
expect_nothing stopped.example.org "a stopped VM"
expect_nothing pending.example.org "a running VM whose address is N/A"
expect_nothing sixer.example.org "a VM whose first address is not IPv4"
expect_nothing nosuch.example.org "no such VM"
check_eq "getent hosts 127.0.0.7: the reverse lookup names the VM" "127.0.0.7 primary.example.org" \
    "$(with_nss getent hosts 127.0.0.7 | xargs)"

# NOTFOUND for names of ours, UNAVAIL for the rest: with vmhosts first and
# [NOTFOUND=return], files answers only what is not ours.
write_hosts_file "192.0.2.40 stopped.example.org dev.example.com primary"
set_hosts_line 'vmhosts [NOTFOUND=return] files'
check_eq "stopped.example.org: NOTFOUND ends the lookup before files" "" \
    "$(getent_hosts stopped.example.org)"
check_eq "dev.example.com: not ours, files answers" 192.0.2.40 "$(getent_hosts dev.example.com)"
check_eq "bare primary: not a VM lookup, files answers" 192.0.2.40 "$(getent_hosts primary)"
set_hosts_line files vmhosts
write_hosts_file

# --- real clients reach the VM --------------------------------------------------
mkdir -p "$T/www" && echo "hello from primary" >"$T/www/index.html"
"$PYTHON" -m http.server --bind 127.0.0.7 --directory "$T/www" 0 >"$T/http.out" 2>&1 &
http_pid=$!
at_exit 'kill $http_pid 2>/dev/null; wait $http_pid 2>/dev/null'
port=
for ((tries = 0; tries < 50; tries++)); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$T/http.out" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    skip "curl reaches the VM by name" "no HTTP server on 127.0.0.7: $(cat "$T/http.out")"
else
    check_eq "curl http://primary.example.org:$port/ gets the VM's page" "hello from primary" \
        "$(with_nss curl -s --max-time 5 --noproxy '*' "http://primary.example.org:$port/")"
    ssh_log=$(with_nss ssh -v -o BatchMode=yes -o ConnectTimeout=3 -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -p "$port" ubuntu@primary.example.org true 2>&1)
    check "ssh -v connects to the VM's address" \
        grep -q "Connecting to primary.example.org \[127.0.0.7\] port $port" <<<"$ssh_log"
fi

# --- a multipass that misbehaves ------------------------------------------------
# A fresh cache each time, so that the lookup has to ask.
fresh_cache() { rm -rf "$T/cache"; mkdir -m 755 "$T/cache"; }

# Caches of the versions before (version 1: the fixed-array format of
# a56ce33; version 2: before network and label keys, 73e0574; version 3:
# before the block table, 6cc8052; version 4: before the key slots,
# f9a45b3; version 5: before the replaced mark, 2a71bdd), as an
# upgrade leaves them: the module refuses them, never reads them with this
# version's layout; the refresh it starts replaces them, and the VM answers.
format_version() { od -An -tu4 -j8 -N4 "$T/cache/hosts.cache" | tr -d ' '; }
write_conf multipass_command="$STUB" timeout_ms=3000
stub "MULTIPASS_STUB_FIXTURE=$FIXTURE"
for old in 1 2 3 4 5; do
    fresh_cache
    cp "$FIXTURES/cache/version$old.cache" "$T/cache/hosts.cache"
    check_eq "a version $old cache is in place" $old "$(format_version)"
    check_eq "... the lookup ignores it, refreshes and answers" 127.0.0.7 \
        "$(getent_hosts primary.example.org)"
    check_eq "... the cache is rewritten in the current format" 6 "$(format_version)"
    fresh_cache
    cp "$FIXTURES/cache/version$old.cache" "$T/cache/hosts.cache"
    check "... vmhosts refresh says it replaced another version's cache" \
        grep -q "written by another version of vmhosts and has been replaced" \
        <<<"$("$VMHOSTS" refresh --backend multipass 2>&1)"
done

# Sleeps forever: the lookup returns within the timeout, the sleeper dies.
TIMEOUT_MS=1000
write_conf multipass_command="$STUB" timeout_ms=$TIMEOUT_MS
fresh_cache
stub MULTIPASS_STUB_MODE=sleep "MULTIPASS_STUB_PIDFILE=$T/sleeper.pid"
started=$(now_ms)
found=$(getent_hosts primary.example.org)
elapsed=$(($(now_ms) - started))
check_eq "hung multipass: primary.example.org not found" "" "$found"
check "... within the timeout (${elapsed} ms < ${TIMEOUT_MS} + 500 ms)" \
    test "$elapsed" -lt $((TIMEOUT_MS + 500))
sleeper=$(cat "$T/sleeper.pid" 2>/dev/null)
check "the hung multipass ran" test -n "$sleeper"
# Killed processes are reaped by whoever inherits them, a moment later.
gone_within_2s() {
    local tries=0
    while [ -d "/proc/$1" ] && [ $tries -lt 20 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    test ! -d "/proc/$1"
}
check "... and is gone afterwards" gone_within_2s "${sleeper:-0}"

# A refresher whose own multipass deadline is far beyond the module's: only
# the module's kill can end the hung multipass, so it must reach the
# refresher's children.
SLOW_REFRESHER=$T/slow-refresher
printf '#!/bin/sh\nexec "%s" "$@" --timeout-ms 600000\n' "$VMHOSTS" \
    >"$SLOW_REFRESHER"
chmod +x "$SLOW_REFRESHER"
write_conf multipass_command="$STUB" timeout_ms=$TIMEOUT_MS refresh_command="$SLOW_REFRESHER"
fresh_cache
rm -f "$T/sleeper.pid"
stub MULTIPASS_STUB_MODE=sleep "MULTIPASS_STUB_PIDFILE=$T/sleeper.pid"
check_eq "hung multipass under a slow refresher: not found" "" "$(getent_hosts primary.example.org)"
sleeper=$(cat "$T/sleeper.pid" 2>/dev/null)
check "the hung multipass ran under the slow refresher" test -n "$sleeper"
check "... and the module's deadline kill ended it too" gone_within_2s "${sleeper:-0}"
write_conf multipass_command="$STUB" timeout_ms=$TIMEOUT_MS
check_eq "no refresher is left running" "" "$(processes_of "$VMHOSTS")"

# A refresher that outlasts timeout_ms every time (as one at 100,000
# containers does): each is killed before it writes, so the cache records
# no attempt.  The module records it (refresh.lock) and holds the next one
# back: fresh processes start one refresh per 2 s, not one per lookup.
HUNG_REFRESHER=$T/hung-refresher
printf '#!/bin/sh\necho run >>"%s"\nexec sleep 600\n' "$T/hung-runs" >"$HUNG_REFRESHER"
chmod 755 "$HUNG_REFRESHER"
# lookups_refreshes NAME COUNT: how many refreshes COUNT fresh lookups started, and
# how many one per 2 s would allow in the time they took.
lookups_refreshes() {
    local i start=$(date +%s%N)
    : >"$T/hung-runs"
    for ((i = 0; i < $2; i++)); do getent_hosts "$1" >"$T/last-answer"; done
    echo "$(wc -l <"$T/hung-runs") $((1 + ($(date +%s%N) - start) / 2000000000))"
}
write_conf multipass_command="$STUB" timeout_ms=300 refresh_interval_ms=100 \
    refresh_command="$HUNG_REFRESHER"
fresh_cache
read -r runs allowed < <(lookups_refreshes nosuch.example.org 8)
check "no cache, a refresher killed each time: 8 fresh lookups, $runs refreshes (at most $allowed)" \
    test "$runs" -ge 1 -a "$runs" -le "$allowed"
stub "MULTIPASS_STUB_FIXTURE=$FIXTURE"
write_conf multipass_command="$STUB" multipass_ttl=1 timeout_ms=300 refresh_interval_ms=100 \
    refresh_command="$HUNG_REFRESHER"
"$VMHOSTS" refresh --backend multipass >/dev/null 2>&1
sleep 2.1
read -r runs allowed < <(lookups_refreshes primary.example.org 8)
check "a stale cached VM, a refresher killed each time: $runs refreshes (at most $allowed)" \
    test "$runs" -ge 1 -a "$runs" -le "$allowed"
check_eq "... and the stale answer still stands" 127.0.0.7 "$(cat "$T/last-answer")"
check "vmhosts status says the refresh did not finish within timeout_ms" \
    grep -q "did not finish within timeout_ms (300 ms)" <<<"$("$VMHOSTS" status 2>&1)"
check_eq "no hung refresher is left running" "" "$(processes_of "$(readlink -f "$(command -v sleep)")")"
write_conf multipass_command="$STUB" timeout_ms=$TIMEOUT_MS

# Crashes, prints garbage, exits 3: `vmhosts refresh` says so and keeps the
# last good VMs.
stub "MULTIPASS_STUB_FIXTURE=$FIXTURE"
"$VMHOSTS" refresh --backend multipass >/dev/null 2>&1
for mode in crash garbage exit3; do
    stub "MULTIPASS_STUB_MODE=$mode"
    message=$("$VMHOSTS" refresh --backend multipass 2>&1)
    status=$?
    check_eq "multipass $mode: vmhosts refresh exits 1" 1 "$status"
    diag "$message"
    check "multipass $mode: vmhosts refresh says multipass failed" grep -qi multipass <<<"$message"
    check "multipass $mode: the cache keeps the last good VM" grep -qaF primary "$T/cache/hosts.cache"
done
check_eq "multipass broken: primary.example.org is UNAVAIL, not an old address" "" \
    "$(getent_hosts primary.example.org)"
write_conf multipass_command=/nonexistent/multipass timeout_ms=$TIMEOUT_MS
message=$("$VMHOSTS" refresh --backend multipass 2>&1)
check_eq "multipass missing: vmhosts refresh exits 1" 1 "$?"
check "multipass missing: the message says it is not installed and what to set" \
    grep -q 'not installed.*multipass_command' <<<"$message"

# A multipass that itself resolves a VM name through the module: one
# refresh, not a cascade.
write_conf multipass_command="$STUB" timeout_ms=3000
fresh_cache
: >"$T/runs"
stub "MULTIPASS_STUB_FIXTURE=$FIXTURE" "MULTIPASS_STUB_COUNT=$T/runs" \
    MULTIPASS_STUB_RESOLVE=other.example.org
check_eq "a multipass that resolves names: the lookup works" 127.0.0.7 \
    "$(getent_hosts primary.example.org)"
check_eq "... and multipass ran once, not in a cascade" 1 "$(wc -l <"$T/runs")"

# Hosts that are hard on child processes: one that ignores SIGCHLD (its
# children never become zombies, so waitpid cannot wait for them) and one
# whose handler reaps every child.  The lookup runs the refresher either way.
HOST=$top_builddir/tests/host_sigchld
stub "MULTIPASS_STUB_FIXTURE=$FIXTURE" "MULTIPASS_STUB_COUNT=$T/runs"
for mode in ignore reap; do
    fresh_cache
    : >"$T/runs"
    output=$(with_nss "$HOST" "$mode" primary.example.org)
    check_eq "host with SIGCHLD $mode: the lookup works" 127.0.0.7 "$(head -n 1 <<<"$output")"
    check_eq "host with SIGCHLD $mode: the refresher ran (multipass once)" 1 "$(wc -l <"$T/runs")"
done
check_eq "host that reaps every child: its handler still saw its own child's status" \
    "own child: 7" "$(tail -n 1 <<<"$output")"
check_eq "no refresher is left running after either host" "" "$(processes_of "$VMHOSTS")"

done_testing
