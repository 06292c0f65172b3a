#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Floods a WireGuard port from many source addresses, for abuse-wg.sh.

  wg-flood.py init GW_PUBLIC_KEY HOST PORT SRC... : handshake initiations
      with a valid mac1 (so they pass the first check and cost the
      responder a DH) and random contents otherwise; counts the cookie
      replies (type 3) that come back.
  wg-flood.py junk - HOST PORT SRC... : malformed packets: unknown types,
      short and odd-length messages of every type.

Sends until STOP_FILE (env FLOOD_STOP) exists or FLOOD_SECONDS pass, then
prints "sent=N cookies=M". Addresses only the namespace the test made.
"""
import base64
import hashlib
import os
import random
import select
import socket
import sys
import time


def mac1_key(pub):
    return hashlib.blake2s(b"mac1----" + pub).digest()


def initiation(key):
    body = bytes([1, 0, 0, 0]) + os.urandom(4 + 32 + 48 + 28)
    return body + hashlib.blake2s(body, key=key, digest_size=16).digest() + bytes(16)


def junk():
    kind = random.randrange(6)
    if kind == 0:   # a type that does not exist
        return bytes([random.randrange(5, 256), 0, 0, 0]) + os.urandom(random.randrange(0, 200))
    if kind == 1:   # shorter than any header
        return os.urandom(random.randrange(1, 4))
    typ = random.randrange(1, 5)
    size = {1: 148, 2: 92, 3: 64, 4: 32}[typ]
    n = size + random.choice([-1, 1, 7, -20]) if typ != 4 else random.randrange(4, 31)
    return bytes([typ, 0, 0, 0]) + os.urandom(max(n - 4, 0))


def main():
    mode, pub, host, port, srcs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
    key = mac1_key(base64.b64decode(pub)) if mode == "init" else None
    stop = os.environ.get("FLOOD_STOP", "")
    deadline = time.monotonic() + float(os.environ.get("FLOOD_SECONDS", "20"))
    socks = []
    for s in srcs:
        so = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        so.bind((s, 0))
        so.setblocking(False)
        socks.append(so)
    sent = cookies = 0
    while time.monotonic() < deadline and not (stop and os.path.exists(stop)):
        for so in socks:
            for _ in range(8):
                try:
                    so.sendto(initiation(key) if key else junk(), (host, port))
                    sent += 1
                except (BlockingIOError, OSError):
                    break
        readable, _, _ = select.select(socks, [], [], 0)
        for so in readable:
            while True:
                try:
                    data = so.recv(2048)
                except (BlockingIOError, OSError):
                    break
                if len(data) == 64 and data[0] == 3:
                    cookies += 1
    print(f"sent={sent} cookies={cookies}")


if __name__ == "__main__":
    main()
