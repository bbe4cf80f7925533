#!/usr/bin/env bash
# The refresh lock and the refresher's process, against hosts and users
# that would abuse them (issue 13), through real getent and the stand-in
# multipass (tests/stubs/multipass):
#
# - refresh.lock is 0600: another user cannot open it, so cannot hold it;
#   an old 0644 lock file that another user holds is replaced, and root's
#   lookups and `vmhosts refresh` go on;
# - a host that forks while a thread refreshes: the worker it forked keeps
#   no lock, so the next refresh does not wait for it;
# - two threads that miss at once: the second does not release the lock
#   the first one's refresh holds;
# - a thread cancelled while it waits for the refresher: the lock and the
#   claim are let go, and the process's next miss refreshes;
# - a host that reaps the refresher itself and gives its pid to a child of
#   its own: the module neither waits for, takes the status of, nor kills
#   that child (the pid is held through a pidfd from the clone on);
# - a multipass that leaves a grandchild holding its stdout: the refresh
#   the module starts ends when multipass does, and the grandchild dies;
# - a host with RLIMIT_FSIZE 0: the refresher raises its soft limit or
#   fails cleanly, and leaves no temporary file behind.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

require_nss
OTHER=nobody
id "$OTHER" >/dev/null 2>&1 || skip_all "no user $OTHER to hold the lock"
command -v setpriv >/dev/null || skip_all "setpriv is not installed (util-linux)"

STUB=$top_srcdir/tests/stubs/multipass
export MULTIPASS_STUB_CONFIG=$T/stub.conf
stub() { printf '%s\n' "$@" >"$MULTIPASS_STUB_CONFIG"; }
vms() { # NAME=ADDRESS...: a multipass list of running VMs
    local entries=() vm
    for vm in "$@"; do
        entries+=("{\"ipv4\": [\"${vm#*=}\"], \"name\": \"${vm%%=*}\", \"release\": \"x\", \"state\": \"Running\"}")
    done
    (IFS=,; echo "{\"list\": [${entries[*]}]}")
}
CACHE_DIR=$T/cache
fresh_cache() { rm -rf "$CACHE_DIR"; mkdir -m 755 "$CACHE_DIR"; }
as_other() { setpriv --reuid="$OTHER" --regid="$(id -g "$OTHER")" --clear-groups "$@"; }

vms one=10.1.0.1 >"$T/one.json"
vms one=10.1.0.1 two=10.1.0.2 >"$T/two.json"
stub "MULTIPASS_STUB_FIXTURE=$T/one.json"
write_conf multipass_command="$STUB" timeout_ms=3000 ttl=3600 multipass_ttl=3600 \
    refresh_interval_ms=0

# --- who may hold the lock ------------------------------------------------------
fresh_cache
"$VMHOSTS" refresh --backend multipass >/dev/null 2>&1
check_eq "refresh.lock is root's, mode 600" "root 600" "$(stat -c '%U %a' "$CACHE_DIR/refresh.lock")"
as_other cat "$CACHE_DIR/refresh.lock" 2>/dev/null
check_eq "another user cannot open root's refresh.lock" 1 $?

# An old lock file (0644, as earlier versions made it), held by another user.
fresh_cache
"$VMHOSTS" refresh --backend multipass >/dev/null 2>&1
install -m 644 /dev/null "$CACHE_DIR/refresh.lock"
# One process, so that killing it lets go: the shell execs into sleep.
setpriv --reuid="$OTHER" --regid="$(id -g "$OTHER")" --clear-groups \
    sh -c 'exec 9<"$1" && flock --exclusive 9 && exec sleep 20' holder "$CACHE_DIR/refresh.lock" &
holder=$!
at_exit "kill $holder 2>/dev/null"
for ((i = 0; i < 100; i++)); do
    flock --nonblock "$CACHE_DIR/refresh.lock" true 2>/dev/null || break
    sleep 0.05
done
check "the other user holds the old lock file" \
    sh -c "! flock --nonblock '$CACHE_DIR/refresh.lock' true"
stub "MULTIPASS_STUB_FIXTURE=$T/two.json"
check_eq "... root's lookup of a new VM still refreshes and answers" 10.1.0.2 \
    "$(getent_hosts two.example.org)"
check_eq "... the lock file was replaced by a 600 one" "root 600" \
    "$(stat -c '%U %a' "$CACHE_DIR/refresh.lock")"
timeout 10 "$VMHOSTS" refresh --backend multipass >/dev/null 2>&1
check_eq "... vmhosts refresh does not wait for the other user" 0 $?
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# --- a host that forks during a refresh --------------------------------------------
fresh_cache
stub "MULTIPASS_STUB_FIXTURE=$T/one.json" "MULTIPASS_STUB_PIDFILE=$T/started" \
    MULTIPASS_STUB_DELAY=0.5
rm -f "$T/started"
# To a file: the worker holds the host's stdout too, and a pipe would wait for it.
with_nss "$top_builddir/tests/host_fork_refresh" one.example.org "$T/started" 20 >"$T/fork.out"
output=$(cat "$T/fork.out")
worker=$(sed -n 's/^worker //p' <<<"$output")
at_exit "kill $worker 2>/dev/null"
check_eq "a host forks while a thread refreshes: the thread's lookup answers" 10.1.0.1 \
    "$(head -n 1 <<<"$output")"
check "... the forked worker is still alive, holding what it inherited" kill -0 "$worker"
stub "MULTIPASS_STUB_FIXTURE=$T/two.json"
start=$(now_ms)
timeout 10 "$VMHOSTS" refresh --backend multipass >/dev/null 2>&1
status=$?
check_eq "... vmhosts refresh meanwhile takes the lock and exits 0 (took $(($(now_ms) - start)) ms)" 0 "$status"
rm -f "$CACHE_DIR/hosts.cache"
check_eq "... and a root lookup of a new VM refreshes and answers" 10.1.0.2 \
    "$(getent_hosts two.example.org)"
kill "$worker" 2>/dev/null

# --- two threads miss at once ---------------------------------------------------------
# The second one's look at when a refresh was last killed must not release
# the first one's record lock (closing any descriptor of the locked file
# does), or another process could refresh beside it.
fresh_cache
stub "MULTIPASS_STUB_FIXTURE=$T/one.json" "MULTIPASS_STUB_PIDFILE=$T/started" \
    MULTIPASS_STUB_DELAY=1
rm -f "$T/started"
output=$(with_nss "$top_builddir/tests/host_two_misses" one.example.org nine.example.org \
    "$T/started" "$CACHE_DIR/refresh.lock")
check_eq "two threads miss at once: the refresh lock is still held while the first refreshes" \
    "lock held" "$(head -n 1 <<<"$output")"
check_eq "... and the first thread's lookup answers" 10.1.0.1 "$(sed -n 2p <<<"$output")"

# --- a thread cancelled while its lookup waits for the refresher -----------------------
fresh_cache
rm -f "$T/started"
output=$(with_nss "$top_builddir/tests/host_cancel" one.example.org nine.example.org \
    "$T/started" "$CACHE_DIR/refresh.lock")
check_eq "a thread cancelled during its refresh: the refresh lock is released" \
    "lock free" "$(head -n 1 <<<"$output")"
check_eq "... and the next miss in that process starts a refresh again" \
    "refreshed again" "$(sed -n 2p <<<"$output")"

# --- a host that reaps the refresher and reuses its pid -----------------------------
if unshare -p -f --mount-proc true 2>/dev/null; then
    write_conf multipass_command="$STUB" timeout_ms=1000 refresh_interval_ms=0 \
        refresh_command=/bin/true
    fresh_cache
    result=$(with_nss unshare -p -f --mount-proc "$top_builddir/tests/host_pid_reuse" \
        nosuch.example.org 200 3)
    diag "host_pid_reuse: $result"
    read -r _ rounds _ reused _ slowest _ stolen _ killed <<<"$result"
    check "pid reuse: the host reaped the refresher and reused its pid (${reused:-0} of ${rounds:-0} rounds)" \
        test "${reused:-0}" -gt 0
    check_eq "pid reuse: the host's own child's status was never taken" 0 "${stolen:-x}"
    check_eq "pid reuse: the host's own child was never killed" 0 "${killed:-x}"
    check "pid reuse: no lookup waited past its deadline (slowest ${slowest:-?} ms < 1000 + 500)" \
        test "${slowest:-99999}" -lt 1500
else
    skip "pid reuse" "cannot make a pid namespace here"
fi

# --- multipass leaves a grandchild on its stdout -------------------------------------
write_conf multipass_command="$STUB" timeout_ms=6000 ttl=3600 multipass_ttl=3600
fresh_cache
stub "MULTIPASS_STUB_FIXTURE=$T/one.json" MULTIPASS_STUB_MODE=orphan
start=$(now_ms)
found=$(getent_hosts one.example.org)
elapsed=$(($(now_ms) - start))
check_eq "a multipass that leaves a grandchild on stdout: the lookup answers" 10.1.0.1 "$found"
check "... without waiting for the grandchild (${elapsed} ms, the timeout is 6000)" \
    test "$elapsed" -lt 3000
left=$(processes_of "$(readlink -f "$(command -v sleep)")")
check_eq "... and the grandchild is gone" "" "$left"
[ -z "$left" ] || diag "left: $(ps -o pid,ppid,pgid,args -p "$left")"

# --- a host with RLIMIT_FSIZE 0 ------------------------------------------------------
leftovers() { find "$CACHE_DIR" -name '.hosts.cache.*' | wc -l; }
write_conf multipass_command="$STUB" timeout_ms=3000
fresh_cache
stub "MULTIPASS_STUB_FIXTURE=$T/one.json"
found=$(with_nss prlimit --fsize=0:unlimited getent hosts one.example.org | awk '{print $1}')
check_eq "a host with a soft file size limit of 0: the refresher raises it and answers" \
    10.1.0.1 "$found"
fresh_cache
with_nss prlimit --fsize=0:0 getent hosts one.example.org >/dev/null
check_eq "a host with a hard file size limit of 0: nothing found, and no crash" 2 $?
check_eq "... and no temporary file is left behind" 0 "$(leftovers)"
# Its complaint goes to a pipe: a file would be under the same limit.
complaint=$(with_nss prlimit --fsize=0:0 "$VMHOSTS" refresh --backend multipass 2>&1 >/dev/null)
check_eq "... vmhosts refresh under it exits 5 (no cache written)" 5 $?
check "... and says why" grep -q "File too large.*ulimit -f" <<<"$complaint"
check_eq "... and leaves no temporary file either" 0 "$(leftovers)"

done_testing
