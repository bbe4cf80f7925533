#!/usr/bin/env python3
"""Hostile clients of the DNS face, for tests/e2e-dns.sh: run in the face's
network namespace as `dns-hostile.py ADDRESS NAME WHAT`, it does WHAT to the
face and then asks NAME once over UDP and once over TCP; it prints
"udp=RCODE/ANSWERS tcp=RCODE/ANSWERS" (none when no reply came).

WHAT: garbage (malformed datagrams of every kind), prefix (a TCP length
prefix of 65535 and nothing after it), silent (more TCP connections than the
face keeps, that never write), flood (20,000 queries as fast as they go)."""
import os
import random
import socket
import struct
import sys
import time

import dns_wire
from dns_wire import query, summary

ADDRESS, NAME, WHAT = sys.argv[1], sys.argv[2], sys.argv[3]


def ask_udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        s.sendto(query(NAME), (ADDRESS, 53))
        return s.recv(4096)
    except OSError:
        return None
    finally:
        s.close()


def ask_tcp():
    try:
        s = socket.create_connection((ADDRESS, 53), timeout=2)
    except OSError:
        return None
    with s:
        return dns_wire.ask_tcp(s, NAME)


def garbage():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rng = random.Random(16)
    good = query(NAME)
    packets = [b"", b"\x12", good[:5], good[:11], good[:12], good[:20],
               query(NAME, qdcount=0), query(NAME, qdcount=2), query(NAME, qclass=4242),
               good[:12] + b"\xc0\x0c\0\1\0\1",                # a pointer to itself
               good[:12] + b"\x40" + b"a" * 64 + b"\0\0\1\0\1",  # a label of 64
               good[:12] + (b"\x3f" + b"a" * 63) * 5 + b"\0\0\1\0\1",  # 320 octets
               good[:2] + b"\x81\x00" + good[4:]]               # a response
    for _ in range(3000):
        n = rng.randrange(0, 600)
        packets.append(good[:rng.randrange(0, len(good))] + bytes(rng.getrandbits(8) for _ in range(n)))
    for packet in packets:
        s.sendto(packet, (ADDRESS, 53))
    # Also over TCP, each frame on a connection of its own.
    for packet in packets[:40]:
        try:
            c = socket.create_connection((ADDRESS, 53), timeout=1)
            c.sendall(struct.pack(">H", len(packet)) + packet)
            c.settimeout(0.2)
            try:
                c.recv(4096)
            except OSError:
                pass
            c.close()
        except OSError:
            pass


def prefix():
    global held
    held = socket.create_connection((ADDRESS, 53), timeout=2)
    held.sendall(b"\xff\xff")


def silent():
    global held
    held = [socket.create_connection((ADDRESS, 53), timeout=2) for _ in range(40)]


def flood():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    for i in range(20000):
        try:
            s.sendto(query(NAME, qid=i & 0xFFFF), (ADDRESS, 53))
        except BlockingIOError:
            pass
    time.sleep(0.5)


held = None
{"garbage": garbage, "prefix": prefix, "silent": silent, "flood": flood}[WHAT]()
print("udp=%s tcp=%s" % (summary(ask_udp()), summary(ask_tcp())))
