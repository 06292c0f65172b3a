#!/usr/bin/env python3
"""What a port on a host answers, from the outside.

  netprobe.py HOST tcp|udp PORT [TIMEOUT]

Prints `open' (TCP connected), `closed' (a TCP reset, or for UDP an ICMP
port unreachable) or `silent' (nothing came back within TIMEOUT seconds,
default 3): a firewall that drops. A silent UDP port may also be a service
that ignores the probe (WireGuard answers nothing it cannot authenticate).
"""
import socket
import sys


def tcp(host, port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        return "open"
    except ConnectionRefusedError:
        return "closed"
    except (socket.timeout, TimeoutError):
        return "silent"
    except OSError as e:
        return "error: %s" % e
    finally:
        s.close()


def udp(host, port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        # Connected, so an ICMP port unreachable comes back as an error.
        s.connect((host, port))
        s.send(b"kgw image-check probe\n")
        s.recv(2048)
        return "open"
    except ConnectionRefusedError:
        return "closed"
    except (socket.timeout, TimeoutError):
        return "silent"
    except OSError as e:
        return "error: %s" % e
    finally:
        s.close()


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[2] not in ("tcp", "udp"):
        sys.exit(__doc__)
    timeout = float(sys.argv[4]) if len(sys.argv) == 5 else 3.0
    probe = tcp if sys.argv[2] == "tcp" else udp
    print(probe(sys.argv[1], int(sys.argv[3]), timeout))


if __name__ == "__main__":
    main()
