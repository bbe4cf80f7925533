#!/usr/bin/env python3
"""A stand-in for the Docker Engine API on a Unix socket that misbehaves on
request, for tests/e2e-hostile-docker.sh.

    hostile-docker.py SOCKET MODE_FILE LOG FIXTURES

Each connection reads MODE_FILE (one word) and behaves accordingly:

  good       GET /containers/json answers the recorded API 1.52 list, and
             GET /containers/{id}/json the recorded inspect of that ID
  hang       accepts, reads the request, never answers
  slow       the good list, one byte every 50 ms
  http500    HTTP 500 with Docker's {"message": ...} body
  malformed  HTTP 200 with a JSON body cut off in the middle of an object
  garbage    bytes that are not HTTP at all
  huge       HTTP 200 announcing and sending a 1 GiB JSON array
  midbody    HTTP 200 announcing the good list's length, sending half of it,
             then closing the connection

Each connection appends "MODE METHOD PATH" to LOG, so the test can tell
that the refresher really reached the socket in each mode.
"""
import glob
import json
import os
import socket
import socketserver
import sys
import threading
import time

SOCKET, MODE_FILE, LOG, FIXTURES = sys.argv[1:5]
LIST_FIXTURE = "docker-containers-json-list-api1.52-reconstructed.json"
HUGE_BYTES = 1024 * 1024 * 1024  # past the list's bound, VMH_DOCKER_LIST_MAX

with open(os.path.join(FIXTURES, LIST_FIXTURE), "rb") as f:
    LIST_BODY = f.read()
LISTED_NAMES = {c["Id"]: c["Names"][0] for c in json.loads(LIST_BODY)}

# The recorded inspect of each listed ID; when several share an ID, the
# one whose name is the listed name.
INSPECTS = {}
for path in sorted(glob.glob(os.path.join(FIXTURES, "docker-inspect-*.json"))):
    with open(path, "rb") as f:
        body = f.read()
    found = json.loads(body)
    if found["Id"] in LISTED_NAMES and (found["Id"] not in INSPECTS or
                                        found["Name"] == LISTED_NAMES[found["Id"]]):
        INSPECTS[found["Id"]] = body

log_lock = threading.Lock()
held = []  # connections of "hang", kept open until the server ends


def response(status, body, length=None):
    reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}[status]
    head = ("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
            "Api-Version: 1.52\r\nContent-Length: %d\r\n\r\n"
            % (status, reason, len(body) if length is None else length))
    return head.encode()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        connection = self.request
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(4096)
            if not chunk:
                return
            request += chunk
        method, path = (request.split(b"\r\n", 1)[0].decode("latin-1").split(" ") + ["", ""])[:2]
        try:
            with open(MODE_FILE) as f:
                mode = f.read().strip()
        except OSError:
            mode = "good"
        with log_lock, open(LOG, "a") as log:
            log.write("%s %s %s\n" % (mode, method, path))
        getattr(self, "mode_" + mode)(connection, path)

    def good_body(self, path):
        if path.split("?")[0] == "/containers/json":
            return 200, LIST_BODY
        for container_id, body in INSPECTS.items():
            if path.split("?")[0] == "/containers/%s/json" % container_id:
                return 200, body
        return 404, b'{"message": "No such container"}'

    def mode_good(self, connection, path):
        status, body = self.good_body(path)
        connection.sendall(response(status, body) + body)

    def mode_hang(self, connection, path):
        held.append(connection.dup())
        threading.Event().wait()

    def mode_slow(self, connection, path):
        status, body = self.good_body(path)
        for byte in response(status, body) + body:
            connection.sendall(bytes([byte]))
            time.sleep(0.05)

    def mode_http500(self, connection, path):
        body = b'{"message": "hostile-docker: internal error on purpose"}'
        connection.sendall(response(500, body) + body)

    def mode_malformed(self, connection, path):
        body = LIST_BODY[:len(LIST_BODY) // 3]
        connection.sendall(response(200, body) + body)

    def mode_garbage(self, connection, path):
        connection.sendall(b"\x00\xffSSH-2.0-not-docker\r\n\x1b[2J" * 50)

    def mode_huge(self, connection, path):
        connection.sendall(response(200, b"", HUGE_BYTES))
        block = b"[" + b" " * (1024 * 1024 - 1)
        sent = 0
        try:
            while sent < HUGE_BYTES:
                connection.sendall(block)
                sent += len(block)
                block = b" " * len(block)
        except OSError:
            pass  # the client gave up: that is the point

    def mode_midbody(self, connection, path):
        status, body = self.good_body(path)
        connection.sendall(response(status, body) + body[:len(body) // 2])
        connection.shutdown(socket.SHUT_RDWR)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 64


if __name__ == "__main__":
    server = Server(SOCKET, Handler)
    print("ready", flush=True)
    server.serve_forever()
