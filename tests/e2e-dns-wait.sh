#!/usr/bin/env bash
# A query whose answer waits for a refresh holds up its own client only:
# the face answers it from a child process after the refresh
# (tools/dns/dns_server.c), and every other client meanwhile.  Docker
# through a socket that accepts and never answers (a hung engine), so that
# the refresh a miss starts lasts all of timeout_ms; libvirt through lease
# files, whose names the face answers from the cache meanwhile; no watcher.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/lib.sh"

require_nss
command -v dig >/dev/null || skip_all "dig is not installed (apt-get install bind9-dnsutils)"
command -v nsenter >/dev/null || skip_all "nsenter is not installed (util-linux)"
command -v python3 >/dev/null || skip_all "python3 is not installed (the hung engine is Python)"

HUNG=$T/hung.sock
python3 -c '
import socket, sys
server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1])
server.listen(64)
held = []
while True:
    held.append(server.accept()[0])
' "$HUNG" &
at_exit "kill $! 2>/dev/null"
wait_until 10 test -S "$HUNG" || bail_out "the hung engine did not start"
LEASES=$T/leases
mkdir -p "$LEASES"
python3 "$top_srcdir/bench/libvirt-leases.py" "$LEASES" 2
write_conf docker_socket="$HUNG" libvirt_leases="$LEASES" lxd_socket="$T/no-lxd.sock" \
    incus_socket="$T/no-incus.sock" timeout_ms=4000 ttl=600 libvirt_ttl=600
with_nss "$VMHOSTS" refresh --backend libvirt >/dev/null 2>&1 ||
    bail_out "vmhosts refresh --backend libvirt failed"

FACE=127.0.0.153
unshare -n sh -c 'ip link set lo up && exec "$@"' face "$VMHOSTS" dns --listen "$FACE" \
    2>"$T/face.log" &
FACE_PID=$!
at_exit "kill -TERM $FACE_PID 2>/dev/null; wait $FACE_PID 2>/dev/null"
in_net() { nsenter -n -t "$FACE_PID" "$@"; }
q() { in_net dig +tries=1 +time=2 @"$FACE" +short "$@" 2>&1 | sort | xargs; }
rcode() { sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$1"; }
answers() { [ "$(q "$1")" = "$2" ]; }
wait_until 10 answers vm-0001.libvirt 10.77.0.3 || bail_out "the face does not answer: $(cat "$T/face.log")"

# --- over UDP ---------------------------------------------------------------------
in_net dig +tries=1 +time=15 @"$FACE" new.docker A >"$T/miss.out" 2>&1 &
miss=$!
sleep 0.5
check_eq "a miss waits for a refresh of a hung Docker; meanwhile another client is answered" \
    10.77.0.3 "$(q vm-0001.libvirt)"
check "... before the miss is" kill -0 "$miss"
wait "$miss"
check_eq "the miss is answered once the refresh gave up: SERVFAIL, Docker did not answer" \
    SERVFAIL "$(rcode "$T/miss.out")"

# --- over TCP, once the failed refresh may be tried again (2 s) ----------------------
sleep 2.5
in_net dig +tcp +tries=1 +time=15 @"$FACE" new2.docker A >"$T/miss-tcp.out" 2>&1 &
miss=$!
sleep 0.5
check_eq "over TCP: meanwhile another client is answered" 10.77.0.4 "$(q vm-0002.libvirt)"
check "... before the miss is" kill -0 "$miss"
wait "$miss"
check_eq "the miss over TCP is answered on its connection: SERVFAIL" \
    SERVFAIL "$(rcode "$T/miss-tcp.out")"
check "the face is still running" kill -0 "$FACE_PID"

# --- a slot's events are its connection's own -----------------------------------------
# With one connection slot and two listeners, one poll round can accept a
# connection into the descriptor and the slot of one reset in that round.
# nsenter execs the face, so that $! is the face's own pid (a function would fork).
nsenter -n -t "$FACE_PID" "$VMHOSTS" dns --listen 127.0.0.154 --listen 127.0.0.155 \
    --max-connections 1 2>"$T/face1.log" &
ONE_PID=$!
at_exit "kill -TERM $ONE_PID 2>/dev/null"
wait_until 10 sh -c "[ \"\$(nsenter -n -t $FACE_PID dig +short +tries=1 +time=1 @127.0.0.154 \
    vm-0001.libvirt)\" = 10.77.0.3 ]" || bail_out "the second face does not answer"
check_eq "a connection given a reset one's slot and descriptor is answered, not closed" \
    0/1 "$(in_net python3 "$top_srcdir/tests/dns-slot-reuse.py" "$ONE_PID" 127.0.0.154 \
        127.0.0.155 vm-0001.libvirt)"
kill -TERM "$ONE_PID"
wait "$ONE_PID"

# --- the face's end stops a child still waiting for its refresh -----------------------
sleep 2.5
in_net dig +tries=1 +time=15 @"$FACE" new3.docker A >"$T/miss-end.out" 2>&1 &
miss=$!
wait_until 5 pgrep -P "$FACE_PID" >/dev/null
child=$(pgrep -P "$FACE_PID" | head -n 1)
check "a child waits for the refresh of a third miss" test -n "$child"
kill -TERM "$FACE_PID"
wait "$FACE_PID"
check_eq "SIGTERM stops the face with status 0" 0 "$?"
check "... and the child with it, not timeout_ms later" sh -c "! kill -0 '${child:-0}' 2>/dev/null"
wait "$miss"
done_testing
