#!/usr/bin/env python3
"""A TCP connection that takes over a slot in the poll round that found
its slot's last connection reset, for tests/e2e-dns-wait.sh.  Run in the
face's network namespace as `dns-slot-reuse.py PID FIRST SECOND NAME`
against `vmhosts dns --listen FIRST --listen SECOND --max-connections 1`
(pid PID): a connection to FIRST is accepted, the face is stopped, that
connection is reset, one connection is made to each address and the
second asks NAME; then the face goes on.  Its two accepts in one round
give the second connection the reset one's descriptor in the one slot.
Prints the second's reply as RCODE/ANSWERS, or none."""
import os
import signal
import socket
import struct
import sys
import time

from dns_wire import query, read_tcp, summary

PID, FIRST, SECOND, NAME = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


first = socket.create_connection((FIRST, 53), timeout=3)
time.sleep(0.3)  # accepted into the slot
os.kill(PID, signal.SIGSTOP)
try:
    first.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    first.close()  # a reset: its descriptor polls POLLHUP | POLLERR
    taken = socket.create_connection((FIRST, 53), timeout=3)
    second = socket.create_connection((SECOND, 53), timeout=3)
    q = query(NAME)
    second.sendall(struct.pack(">H", len(q)) + q)
    time.sleep(0.2)
finally:
    os.kill(PID, signal.SIGCONT)
print(summary(read_tcp(second)))
