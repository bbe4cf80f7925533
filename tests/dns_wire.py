"""DNS messages for the tests' Python clients of the DNS face
(tests/dns-hostile.py, tests/dns-slot-reuse.py)."""
import struct


def query(name, qid=0x4242, qtype=1, qdcount=1, qclass=1):
    """A query for name with recursion desired, as a stub resolver sends."""
    q = struct.pack(">HHHHHH", qid, 0x0100, qdcount, 0, 0, 0)
    for label in name.strip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", qtype, qclass)


def summary(reply):
    """RCODE/ANSWERS of a reply, or none."""
    if reply is None or len(reply) < 12:
        return "none"
    rcode, ancount = reply[3] & 0xF, struct.unpack(">H", reply[6:8])[0]
    return "%d/%d" % (rcode, ancount)


def ask_tcp(s, name):
    """Asks name on connected socket s; the reply, or None."""
    try:
        q = query(name)
        s.sendall(struct.pack(">H", len(q)) + q)
        return read_tcp(s)
    except OSError:
        return None


def read_tcp(s):
    """One length-prefixed message from s; None when none came whole."""
    try:
        length = struct.unpack(">H", s.recv(2))[0]
        data = b""
        while len(data) < length:
            chunk = s.recv(length - len(data))
            if not chunk:
                return None
            data += chunk
        return data
    except (OSError, struct.error):
        return None
