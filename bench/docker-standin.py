#!/usr/bin/env python3
"""A stand-in for the Docker Engine API on a Unix socket, for benchmarks.

Serves COUNT synthetic running containers in the shapes a real engine
answers with (see tests/fixtures/docker/): GET /containers/json lists them
with their networks and addresses but no hostname (with filters={"id":[...]},
only those whose ID starts with one of them, as a watcher asks after an
event), GET /containers/{id}/json
inspects one, with Config.Hostname.  Every request's method and path is
appended to the log file, one line each, so that the benchmark can count the
HTTP calls one `vmhosts refresh` makes.

    docker-standin.py SOCKET COUNT LOG [PREFIX]

Containers are PREFIX-0001 ... PREFIX-COUNT (PREFIX defaults to "bench"),
each with a sha256 ID, its short ID as hostname, and one address on a
bridge network.  The answers are built once at start, so the server's own
cost per request is small next to the client's.  With STANDIN_PUBLISH=IP
in the environment, each also publishes its port 80 on IP, as a rootless
engine's containers must to be reached.  GET /events is a stream that
says the first container started, then stays open; at each SIGUSR1 the
second container stops (or starts again, at the next), and each stream
says so, so that a benchmark can time the watcher's work for one event;
at each SIGUSR2 each stream says again that the first one started, which
changes nothing.
"""
import hashlib
import json
import copy
import os
import signal
import sys
import threading
import urllib.parse

from unix_http_server import serve


def published(index):
    """The list's Ports and the inspect's NetworkSettings.Ports."""
    host_ip = os.environ.get("STANDIN_PUBLISH")
    if not host_ip:
        return [], {}
    host_port = 8000 + index % 50000
    return ([{"IP": host_ip, "PrivatePort": 80, "PublicPort": host_port, "Type": "tcp"}],
            {"80/tcp": [{"HostIp": host_ip, "HostPort": str(host_port)}]})


def address_bytes(index):
    """10.88.0.2, 10.88.0.3, ...: 250 to a third byte, 250 third bytes to
    a second (from 10.89.0.2 on past 62,499), so that every one of
    100,000 containers has an address that parses."""
    return (88 + index // 62500, index // 250 % 250, index % 250 + 2)


def container(index, prefix):
    name = "%s-%04d" % (prefix, index)
    listed_ports, inspected_ports = published(index)
    container_id = hashlib.sha256(name.encode()).hexdigest()
    address = "10.%d.%d.%d" % address_bytes(index)
    network = {
        "IPAMConfig": None,
        "MacAddress": "02:42:0a:%02x:%02x:%02x" % address_bytes(index),
        "NetworkID": hashlib.sha256(b"bench-net").hexdigest(),
        "EndpointID": hashlib.sha256(name.encode() + b"/ep").hexdigest(),
        "Gateway": "10.88.0.1",
        "IPAddress": address,
        "IPPrefixLen": 16,
        "IPv6Gateway": "",
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
    }
    listed = {
        "Id": container_id,
        "Names": ["/" + name],
        "Image": "busybox:latest",
        "ImageID": "sha256:" + hashlib.sha256(b"image").hexdigest(),
        "Command": "sleep 100000",
        "Created": 1739811096,
        "Ports": listed_ports,
        "Labels": {},
        "State": "running",
        "Status": "Up 4 minutes",
        "HostConfig": {"NetworkMode": "bridge"},
        "NetworkSettings": {"Networks": {"bridge": network}},
        "Mounts": [],
    }
    inspected = {
        "Id": container_id,
        "Name": "/" + name,
        "State": {"Status": "running", "Running": True, "Paused": False,
                  "Restarting": False, "Dead": False, "Pid": 1000 + index, "ExitCode": 0},
        "HostConfig": {"NetworkMode": "bridge"},
        "Config": {"Hostname": container_id[:12], "Domainname": "",
                   "Image": "busybox:latest", "Labels": {}},
        "NetworkSettings": {"Networks": {"bridge": dict(network, Aliases=None,
                                                        DNSNames=None)}},
    }
    if inspected_ports:
        inspected["NetworkSettings"]["Ports"] = inspected_ports
    return container_id, listed, inspected


class Engine:
    def __init__(self, count, prefix, log_path):
        made = [container(i, prefix) for i in range(1, count + 1)]
        self.listing = json.dumps([listed for _, listed, _ in made]).encode()
        self.listed = {cid: listed for cid, listed, _ in made}
        self.made = made
        self.pushed = []
        self.changed = threading.Condition()
        self.inspects = {cid: json.dumps(inspected).encode() for cid, _, inspected in made}
        first = made[0][0] if made else "0" * 64
        self.started = json.dumps({
            "Type": "container", "Action": "start", "status": "start", "id": first,
            "Actor": {"ID": first, "Attributes": {"name": "%s-0001" % prefix}},
            "scope": "local", "time": 1739811096, "timeNano": 1739811096000000000,
        }).encode() + b"\n"
        self.log = open(log_path, "a", buffering=1)
        self.lock = threading.Lock()

    def record(self, method, path):
        with self.lock:
            self.log.write("%s %s\n" % (method, path))

    def event(self, action, index):
        container_id = self.made[index][0]
        return json.dumps({
            "Type": "container", "Action": action, "status": action, "id": container_id,
            "Actor": {"ID": container_id, "Attributes": {}},
            "scope": "local", "time": 1739811096, "timeNano": 1739811096000000000,
        }).encode() + b"\n"

    def toggle(self, *_):
        """SIGUSR1: the second container stops, or starts again."""
        container_id, listed, inspected = self.made[1]
        stopping = self.listed[container_id]["State"] == "running"
        if stopping:
            shown, inspected = copy.deepcopy(listed), copy.deepcopy(inspected)
            shown["State"], shown["Status"] = "exited", "Exited (0) 1 second ago"
            for network in shown["NetworkSettings"]["Networks"].values():
                network["IPAddress"] = ""
            inspected["State"]["Running"], inspected["State"]["Status"] = False, "exited"
            for network in inspected["NetworkSettings"]["Networks"].values():
                network["IPAddress"] = ""
        else:
            shown = listed
        with self.changed:
            self.listed[container_id] = shown
            self.inspects[container_id] = json.dumps(inspected).encode()
            self.listing = None
            self.pushed.append(self.event("die" if stopping else "start", 1))
            self.changed.notify_all()

    def restarted(self, *_):
        """SIGUSR2: the first container said to start again, as it was."""
        with self.changed:
            self.pushed.append(self.started)
            self.changed.notify_all()

    def stream(self):
        yield self.started
        seen = 0
        while True:
            with self.changed:
                while seen == len(self.pushed):
                    self.changed.wait()
                news, seen = self.pushed[seen:], len(self.pushed)
            yield from news

    def listed_by_id(self, path):
        """The listing, or its containers the id filter names: a listing of
        all 100,000 after each event would measure the stand-in, not the
        watcher."""
        query = urllib.parse.parse_qs(path.partition("?")[2])
        ids = json.loads(query.get("filters", ["{}"])[0]).get("id")
        if ids:
            self.remove_when_armed()
        if not ids:
            with self.changed:
                if self.listing is None:
                    self.listing = json.dumps(list(self.listed.values())).encode()
                return self.listing
        return json.dumps([listed for cid, listed in self.listed.items()
                           if any(cid.startswith(i) for i in ids)]).encode()

    @staticmethod
    def remove_when_armed():
        """STANDIN_ARM and STANDIN_REMOVE, for a test: once the file
        STANDIN_ARM exists, the next filtered list removes it and the file
        STANDIN_REMOVE, as a hand would in the middle of a refresh."""
        arm, victim = os.environ.get("STANDIN_ARM"), os.environ.get("STANDIN_REMOVE")
        if arm and victim and os.path.exists(arm):
            os.unlink(arm)
            if os.path.exists(victim):
                os.unlink(victim)

    def answer(self, path):
        bare = path.split("?", 1)[0]
        # The API may be versioned: /v1.43/containers/json.
        parts = [p for p in bare.split("/") if p]
        if parts and parts[0].startswith("v1."):
            parts = parts[1:]
        if parts == ["_ping"]:
            return 200, b"OK", "text/plain"
        if parts == ["events"]:
            return 200, self.stream(), "application/json"
        if parts == ["containers", "json"]:
            return 200, self.listed_by_id(path), "application/json"
        if len(parts) == 3 and parts[0] == "containers" and parts[2] == "json":
            body = self.inspects.get(parts[1])
            if body is None:
                matches = [cid for cid in self.inspects if cid.startswith(parts[1])]
                body = self.inspects[matches[0]] if len(matches) == 1 else None
            if body is not None:
                return 200, body, "application/json"
            return 404, b'{"message":"No such container: %s"}' % parts[1].encode(), \
                "application/json"
        return 404, b'{"message":"page not found"}', "application/json"


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    socket_path, count, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    prefix = sys.argv[4] if len(sys.argv) == 5 else "bench"
    # Built before the socket exists: a client that finds the socket is
    # answered at once, not after the seconds 100,000 containers take.
    engine = Engine(count, prefix, log_path)
    signal.signal(signal.SIGUSR1, engine.toggle)
    signal.signal(signal.SIGUSR2, engine.restarted)

    def answer(path):
        engine.record("GET", path)
        return engine.answer(path)

    serve(socket_path, answer, [("Api-Version", "1.47")])


if __name__ == "__main__":
    main()
