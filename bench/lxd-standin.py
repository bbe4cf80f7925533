#!/usr/bin/env python3
"""A stand-in for LXD's REST API on a Unix socket, for benchmarks and tests.

Serves COUNT running containers, inst-0001 ... inst-COUNT, each a copy of
the recorded instance in tests/fixtures/lxd (LXD 5.0.2's answer to
GET /1.0/instances?recursion=2) with its own name, MAC and address, so
that `vmhosts refresh --backend lxd` fills a cache of that many LXD names.
With SNAPSHOTS, each instance has that many snapshots, which LXD puts in
the recursion=2 list whole (a copy of a recorded one each); the list
without state (recursion=1) and each instance's own state are served as
LXD serves them.  With LOG, each path asked is appended to that file.

    lxd-standin.py SOCKET COUNT [SNAPSHOTS [LOG]]
"""
import copy
import json
import os
import sys

from unix_http_server import serve

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                        "lxd")
FIXTURE = os.path.join(FIXTURES, "lxd-5.0.2-instances-recursion2-running-container.json")
WITH_SNAPSHOT = os.path.join(FIXTURES,
                             "lxd-5.0.2-instances-recursion2-two-projects-snapshot.json")
NOT_FOUND = open(os.path.join(FIXTURES, "lxd-5.0.2-instance-state-not-found.json"), "rb").read()
WHOLE_ONLY = ("state", "snapshots", "backups")


def instances(count, snapshots):
    model = json.load(open(FIXTURE))["metadata"][0]
    snapshot = json.load(open(WITH_SNAPSHOT))["metadata"][0]["snapshots"][0]
    listing = []
    for index in range(1, count + 1):
        instance = copy.deepcopy(model)
        mac = "00:16:3e:00:%02x:%02x" % (index // 256, index % 256)
        instance["name"] = "inst-%04d" % index
        for config in ("config", "expanded_config"):
            instance[config]["volatile.eth0.hwaddr"] = mac
        eth0 = instance["state"]["network"]["eth0"]
        eth0["hwaddr"] = mac
        eth0["addresses"] = [{"family": "inet", "netmask": "16", "scope": "global",
                              "address": "10.99.%d.%d" % (index // 250, index % 250 + 2)}]
        if snapshots:
            instance["snapshots"] = [dict(snapshot, name="snap%d" % n) for n in range(snapshots)]
        listing.append(instance)
    return listing


def sync(metadata):
    return json.dumps({"type": "sync", "status": "Success", "status_code": 200,
                       "metadata": metadata}).encode()


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__)
    listing = instances(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    log = sys.argv[4] if len(sys.argv) > 4 else None
    whole = sync(listing)
    brief = sync([{k: v for k, v in i.items() if k not in WHOLE_ONLY} for i in listing])
    states = {"/1.0/instances/%s/state" % i["name"]: sync(i["state"]) for i in listing}

    def answer(path):
        if log:
            with open(log, "a") as out:
                out.write(path + "\n")
        where, _, query = path.partition("?")
        if where == "/1.0/instances":
            return 200, brief if "recursion=1" in query else whole, "application/json"
        if where in states:
            return 200, states[where], "application/json"
        if where.startswith("/1.0/instances/"):
            return 404, NOT_FOUND, "application/json"
        return 200, sync({}), "application/json"
    serve(sys.argv[1], answer)


if __name__ == "__main__":
    main()
