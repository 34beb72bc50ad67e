#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Seeds for fuzz-ctr-netns-nl: rtnetlink replies of the namespace we run in.

Each file is one recv() batch after a byte that picks the callback the
target runs on it: 0 none (acks, errors), 1 links, 2 addresses, 3 routes.
"""
import os
import socket
import struct
import sys

NETLINK_CAP_ACK, NETLINK_EXT_ACK = 10, 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE = 18, 22, 26
IFLA_IFNAME = 3


def batches(sk, msg_type, flags, payload):
    seq = 0x4200 + msg_type
    hdr = struct.pack("=LHHLL", 16 + len(payload), msg_type, NLM_F_REQUEST | flags, seq, 0)
    sk.send(hdr + payload)
    while True:
        buf = sk.recv(65536)
        yield buf
        # the last message of the batch ends a dump (DONE, 3) or is the ack/error (2)
        off, last = 0, None
        while off + 16 <= len(buf):
            ln, ty = struct.unpack_from("=LH", buf, off)
            last = ty
            off += (ln + 3) & ~3
        if last in (2, 3):
            return


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sk.setsockopt(270, NETLINK_EXT_ACK, 1)
    sk.setsockopt(270, NETLINK_CAP_ACK, 1)
    sk.bind((0, 0))
    ifinfo = struct.pack("=BxHiII", 0, 0, 0, 0, 0)
    name = b"nosuch0\0"
    attr = struct.pack("=HH", 4 + len(name), IFLA_IFNAME) + name
    reqs = [
        ("links", 1, RTM_GETLINK, NLM_F_DUMP, ifinfo),
        ("addrs", 2, RTM_GETADDR, NLM_F_DUMP, struct.pack("=BBBBi", 0, 0, 0, 0, 0)),
        ("routes", 3, RTM_GETROUTE, NLM_F_DUMP, struct.pack("=BBBBBBBBI", 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        ("nodev", 1, RTM_GETLINK, NLM_F_ACK, ifinfo + attr),
        ("lo", 1, RTM_GETLINK, NLM_F_ACK, ifinfo + struct.pack("=HH", 7, IFLA_IFNAME) + b"lo\0\0"),
    ]
    for name, pick, ty, flags, payload in reqs:
        for i, buf in enumerate(batches(sk, ty, flags, payload)):
            with open(os.path.join(outdir, "%s-%d" % (name, i)), "wb") as f:
                f.write(bytes([pick]) + buf)


main(sys.argv[1])
