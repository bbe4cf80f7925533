#!/usr/bin/env python3
"""A stand-in for LXD's REST API on a Unix socket, for benchmarks.

Serves COUNT running containers, inst-0001 ... inst-COUNT, each a copy of
the recorded instance in tests/fixtures/lxd (LXD 5.0.2's answer to
GET /1.0/instances?recursion=2) with its own name, MAC and address, so
that `vmhosts refresh --backend lxd` fills a cache of that many LXD names.

    lxd-standin.py SOCKET COUNT
"""
import copy
import json
import os
import sys

from unix_http_server import serve

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "lxd", "lxd-5.0.2-instances-recursion2-running-container.json")


def instances(count):
    recorded = json.load(open(FIXTURE))
    model = recorded["metadata"][0]
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
        listing.append(instance)
    return json.dumps(dict(recorded, metadata=listing)).encode()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    listing = instances(int(sys.argv[2]))
    empty = b'{"type":"sync","status":"Success","status_code":200,"metadata":{}}'
    serve(sys.argv[1], lambda path: (200, listing if path.split("?", 1)[0] == "/1.0/instances"
                                     else empty, "application/json"))


if __name__ == "__main__":
    main()
