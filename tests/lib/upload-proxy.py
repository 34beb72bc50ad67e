#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A counting HTTP proxy in front of a real registry, for ctr-push's upload tests.
"""Forwards every request to --target (host:port) as it came, Host header
included, so that the registry's Location URLs name the proxy and a whole
push passes through it. Each request is logged to --log as one JSON line:
method, path, the bytes of its body ("bytes") and the status answered.

--refuse-patch: PATCH is answered 405 UNSUPPORTED (a registry that takes
whole blobs only). --hold-patch N: the Nth PATCH is read whole and never
forwarded nor answered, and the file --port-file.held appears: the test
kills the client then, with the registry at a chunk boundary. --cut-patch N:
half of the Nth PATCH's body is forwarded, then the upstream connection is
cut (the registry keeps those bytes) and the client held as above.
Each line also has "inflight": the blob PUTs being answered when this one
came, itself included (other requests: 0). --gate-put K: a blob PUT waits
(10 s at most) until K are in flight, so that a client sending K at once is
seen doing so whatever the timing.
--drop-patch N: as --cut-patch, but the client's connection is closed too,
without an answer (a registry that drops it mid-chunk).
--lie-range get|patch: the Range header of the registry's answers to GETs
on upload sessions (get: the offset a resumed push starts from) or to
PATCHes (patch: the bytes it holds) is replaced by a wrong one ("0-1" after
a PATCH, far beyond any blob after a GET).
Standard library only.
"""
import argparse
import http.client
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, nbytes, status):
        line = {"method": self.command, "path": self.path, "bytes": nbytes,
                "status": status, "inflight": getattr(self, "inflight", 0)}
        with self.server.lock:
            self.server.logf.write(json.dumps(line) + "\n")
            self.server.logf.flush()

    def hold(self):
        with open(self.server.port_file + ".held", "w") as f:
            f.write("%s\n" % self.path)
        while True:
            time.sleep(3600)

    def relay(self):
        n = int(self.headers.get("Content-Length") or 0)
        srv = self.server
        self.inflight = 0
        if self.command == "PATCH":
            with srv.lock:
                srv.patches += 1
                nth = srv.patches
            if srv.refuse_patch:
                self.rfile.read(n)
                self.record(n, 405)
                body = b'{"errors":[{"code":"UNSUPPORTED","message":"no chunks"}]}'
                return self.answer(405, [("Content-Type", "application/json")], body)
            if nth in (srv.cut_patch, srv.drop_patch):
                return self.cut(n, drop=nth == srv.drop_patch)
            if nth == srv.hold_patch:
                self.rfile.read(n)
                self.record(n, 0)
                return self.hold()
        body = self.rfile.read(n) if n else None
        blob_put = self.command == "PUT" and "/blobs/uploads/" in self.path
        if blob_put:
            self.gate_enter()
        try:
            self.forward(n, body)
        finally:
            if blob_put:
                with srv.cond:
                    srv.puts -= 1

    def gate_enter(self):
        srv = self.server
        with srv.cond:
            srv.puts += 1
            self.inflight = srv.puts
            srv.cond.notify_all()
            srv.cond.wait_for(lambda: srv.puts >= srv.gate_put, timeout=10)

    def forward(self, n, body):
        srv = self.server
        up = http.client.HTTPConnection(srv.target, timeout=120)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if body is not None or self.command in ("PUT", "POST", "PATCH"):
            hdrs["Content-Length"] = str(n)
        up.request(self.command, self.path, body=body, headers=hdrs)
        resp = up.getresponse()
        data = resp.read()
        up.close()
        self.record(n, resp.status)
        keep = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
        lie = {"get": ("GET", "0-1099511627775"), "patch": ("PATCH", "0-1")}.get(srv.lie_range)
        if lie and self.command == lie[0] and "/blobs/uploads/" in self.path:
            keep = [(k, lie[1] if k.lower() == "range" else v) for k, v in keep]
        self.answer(resp.status, keep, data)

    def cut(self, n, drop=False):
        half = self.rfile.read(n // 2)
        up = http.client.HTTPConnection(self.server.target, timeout=120)
        up.putrequest("PATCH", self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            up.putheader(k, v)
        up.endheaders()
        up.send(half)
        up.close()
        self.record(len(half), 0)
        if not drop:
            self.hold()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def answer(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = relay


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--refuse-patch", action="store_true")
    ap.add_argument("--hold-patch", type=int, default=0)
    ap.add_argument("--cut-patch", type=int, default=0)
    ap.add_argument("--drop-patch", type=int, default=0)
    ap.add_argument("--gate-put", type=int, default=0)
    ap.add_argument("--lie-range", choices=["get", "patch"])
    args = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Proxy)
    srv.target, srv.port_file = args.target, args.port_file
    srv.refuse_patch, srv.hold_patch, srv.cut_patch = (
        args.refuse_patch, args.hold_patch, args.cut_patch)
    srv.lie_range, srv.drop_patch = args.lie_range, args.drop_patch
    srv.patches, srv.lock = 0, threading.Lock()
    srv.gate_put, srv.puts, srv.cond = args.gate_put, 0, threading.Condition()
    srv.logf = open(args.log, "a")
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
