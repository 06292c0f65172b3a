#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for kgw-portal's session API, for tests/integration/client-tunnel.sh.

Speaks HTTPS with a test certificate and adds or removes the client's key as
a peer of a wireguard-go interface (with `wg'), as kgwd would. Every request
is appended to a log (one JSON object a line) for the test to check.

Users: alice/pw (code 123456) gets an 8 h session; `short' gets 3 s;
`throttled' always gets 429 with Retry-After: 42; anything else is 401.
"""
import argparse
import base64
import json
import secrets
import ssl
import subprocess
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
SESSIONS = {}  # token -> session


def wg(*args):
    subprocess.run(["wg", "set", ARGS.wg_iface, *args], check=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def record(self, body):
        with open(ARGS.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "auth": self.headers.get("Authorization", ""),
                                "host": self.headers.get("Host", ""),
                                "body": body}) + "\n")

    def reply(self, status, obj, headers=()):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        # Chunked for errors, Content-Length for sessions: the client reads both.
        if status >= 400:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))
        else:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def error(self, status, code, message, headers=()):
        self.reply(status, {"error": {"code": code, "message": message}}, headers)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            req = json.loads(body)
        except ValueError:
            req = None
        self.record(req)
        if self.path != "/api/v1/sessions" or not isinstance(req, dict):
            return self.error(400, "invalid_request", "bad request")
        user = req.get("user")
        if user == "throttled":
            return self.error(429, "too_many_requests", "too many failed attempts; try again later",
                              [("Retry-After", "42")])
        if user not in ("alice", "short") or req.get("password") != "pw" or req.get("otp") != "123456":
            return self.error(401, "unauthorized", "wrong user name, password or code")
        key = req["public_key"]
        if len(base64.b64decode(key)) != 32:
            return self.error(400, "invalid_request", "bad key")
        wg("peer", key, "allowed-ips", "100.64.0.2/32,fd6b:6777::2/128")
        now = int(time.time())
        token = secrets.token_urlsafe(24)
        s = {"id": "s-%d" % now, "user": user, "public_key": key, "address": "100.64.0.2/32",
             "address6": "fd6b:6777::2/128", "created": now,
             "expires": now + (3 if user == "short" else 8 * 3600),
             "gateway_public_key": ARGS.gw_pubkey,
             # Empty: the client uses the host it reached us by, at listen_port.
             "endpoint": "", "listen_port": ARGS.wg_port, "keepalive": 25,
             "routes": ["10.0.0.10/32"],
             "destinations": [{"cidr": "10.0.0.10/32", "ports": "6443"}], "token": token}
        SESSIONS[token] = s
        self.reply(201, s, [("Location", "/api/v1/sessions/current")])

    def session(self):
        auth = self.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else ""
        return tok, SESSIONS.get(tok)

    def do_GET(self):
        self.record(None)
        tok, s = self.session()
        if not s:
            return self.error(401, "unauthorized", "unknown token")
        self.reply(200, s)

    def do_DELETE(self):
        self.record(None)
        tok, s = self.session()
        if not s:
            return self.error(401, "unauthorized", "unknown token")
        wg("peer", s["public_key"], "remove")
        del SESSIONS[tok]
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--wg-iface", required=True)
    p.add_argument("--wg-port", type=int, default=51820)
    p.add_argument("--gw-pubkey", required=True)
    p.add_argument("--tls12", action="store_true", help="offer TLS 1.2 at most")
    ARGS = p.parse_args()
    host, port = ARGS.listen.rsplit(":", 1)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    if ARGS.tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
