#!/usr/bin/env python3
"""Drives the kgw image's serial console over qemu's socket chardev.

  vmconsole.py SOCKET login USER PASSWORD [TIMEOUT]
  vmconsole.py SOCKET run COMMAND [TIMEOUT]
  vmconsole.py SOCKET send TEXT

`login' waits for a login prompt (or a shell from an earlier login), logs in
and turns echo and kernel messages off. `run' runs COMMAND in that shell,
prints its output, and exits with its exit status; 124 on a timeout. The
console stays logged in between calls, as a person's would.
"""
import re
import socket
import sys
import time

PROMPT = "kgwcon# "
RC = re.compile(r"__KGWRC=(\d+)__")


class Console:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = ""

    def send(self, text):
        self.s.sendall(text.encode())

    def expect(self, pattern, timeout):
        """Reads until pattern matches; returns the match, or None on timeout."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                return m
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(min(left, 1.0))
            try:
                data = self.s.recv(4096)
            except socket.timeout:
                continue
            if not data:
                return None
            self.buf += data.decode(errors="replace").replace("\r", "")

    def consume(self, m):
        self.buf = self.buf[m.end():]


def login(con, user, password, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        con.send("\n")
        m = con.expect(r"login: $|" + re.escape(PROMPT) + r"$", 5)
        if m and m.group(0).startswith("login"):
            con.consume(m)
            con.send(user + "\n")
            m = con.expect(r"Password: ?$", 30)
            if not m:
                continue
            con.consume(m)
            con.send(password + "\n")
            m = con.expect(r"# $|Login incorrect", 60)
            if not m or "incorrect" in m.group(0):
                sys.exit("vmconsole: login as %s refused" % user)
            con.consume(m)
            con.send("PS1='%s'; stty -echo; dmesg -n 1; export TERM=dumb\n" % PROMPT)
            m = con.expect(re.escape(PROMPT) + "$", 30)
            if m:
                return
        elif m:
            return
    sys.exit("vmconsole: no login prompt within %d s" % timeout)


def run(con, command, timeout):
    con.send("\n")
    m = con.expect(re.escape(PROMPT) + "$", 30)
    if not m:
        sys.exit("vmconsole: no shell prompt (log in first)")
    con.consume(m)
    con.send("%s; echo __KGWRC=$?__\n" % command)
    m = con.expect(RC.pattern, timeout)
    if not m:
        sys.stdout.write(con.buf)
        return 124
    out = con.buf[:m.start()]
    sys.stdout.write(out.lstrip("\n"))
    return int(m.group(1))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    con = Console(sys.argv[1])
    verb = sys.argv[2]
    if verb == "login" and len(sys.argv) >= 5:
        login(con, sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 300)
        return 0
    if verb == "run":
        return run(con, sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 120)
    if verb == "send":
        con.send(sys.argv[3])
        # qemu drops what the guest has not read yet when we hang up:
        # stay until the console echoes or goes quiet.
        con.expect(r"(?!)", 3)
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
