#!/usr/bin/env python3
"""A Kubernetes API stand-in for the namespace tests: HTTPS on ADDR:PORT,
answering GET /version as a kube-apiserver does (what `kubectl version`
asks), 404 JSON for anything else. Usage: api-standin.py ADDR PORT CERT KEY"""
import http.server
import json
import ssl
import sys

VERSION = {"major": "1", "minor": "29", "gitVersion": "v1.29.0-kgw-standin",
           "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
           "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.21", "compiler": "gc",
           "platform": "linux/amd64"}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        found = self.path.split("?")[0] == "/version"
        body = json.dumps(VERSION if found else {"kind": "Status", "code": 404}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    addr, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = http.server.ThreadingHTTPServer((addr, port), Handler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
