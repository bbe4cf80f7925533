#!/usr/bin/env python3
"""Lease files as libvirt's dnsmasq helper writes them, for benchmarks.

Writes FOLDER/virbr9.status (COUNT leases, expiring in a year) and
FOLDER/virbr9.macs (a running domain vm-NNNN for each MAC), in the shapes
of tests/fixtures/libvirt, so that `vmhosts refresh --backend libvirt`
fills a cache of that many libvirt names.

    libvirt-leases.py FOLDER COUNT
"""
import json
import os
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    folder, count = sys.argv[1], int(sys.argv[2])
    expiry = int(time.time()) + 365 * 86400
    leases, macs = [], []
    for index in range(1, count + 1):
        mac = "52:54:00:00:%02x:%02x" % (index // 256, index % 256)
        leases.append({"ip-address": "10.77.%d.%d" % (index // 250, index % 250 + 2),
                       "mac-address": mac, "hostname": "guest-%04d" % index,
                       "client-id": "01:" + mac, "expiry-time": expiry})
        macs.append({"domain": "vm-%04d" % index, "macs": [mac]})
    for name, value in (("virbr9.status", leases), ("virbr9.macs", macs)):
        with open(os.path.join(folder, name), "w") as out:
            json.dump(value, out, indent=2)


if __name__ == "__main__":
    main()
