#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A registry on 127.0.0.1 that serves chosen bad answers, one scenario per tag.
"""Hostile registry for ctr-pull's bad-input tests (standard library only).

Every tag of the repository "bad/img" is a scenario: GET /v2/bad/img/manifests/TAG
serves a one-layer image whose manifest, config or layer is wrong in the way
the tag names (see SCENARIOS). Blobs and manifests are also served by digest.
Each request is logged as one JSON line (method, path, Range, whether an
Authorization header came) to --log. --tls CERT KEY serves https.
--redirect-port P: blobs of the "redirect" scenario answer 307 to a second
listener on port P that logs the request the same way (to see whether
credentials leaked to another host:port).

Pushes go to repositories "push/SCENARIO/...": every blob and manifest is
missing (HEAD 404), POST starts an upload whose Location carries a query of
its own, PUT checks that query and the digest of the body and answers 201.
SCENARIOS_PUSH says what goes wrong: "ok" nothing (Location relative),
"absolute" nothing (Location absolute), "cut" closes the connection in the
middle of every blob body, "error500" answers 500 to every blob PUT,
"lying-digest" answers a manifest PUT with another Docker-Content-Digest.
"blob-stall" and "manifest-stall" send half the body, then nothing more until
the client hangs up.
"""
import argparse
import hashlib
import json
import os
import select
import socket
import ssl
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
REPO = "/v2/bad/img/"
PUSH = "/v2/push/"
SCENARIOS_PUSH = ["ok", "absolute", "cut", "error500", "lying-digest"]

SCENARIOS = [
    "good", "blob-mismatch", "blob-short", "blob-long", "blob-lying-header",
    "manifest-lying-header", "manifest-huge", "ambiguous", "mediatype-mismatch",
    "unknown-mediatype", "layer-unknown-mediatype", "digest-traversal",
    "digest-upper", "digest-short", "blob-close", "auth-no-challenge",
    "diffids-count", "redirect", "manifest-digest-mismatch", "blob-stall",
    "manifest-stall",
]


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def layer_bytes(name):
    # distinct, deterministic, incompressible-looking bytes per scenario
    out, seed = bytearray(), name.encode()
    while len(out) < 65536:
        seed = hashlib.sha256(seed).digest()
        out += seed
    return bytes(out)


class Store:
    def __init__(self):
        self.manifests = {}  # tag or digest -> (scenario, bytes, content type)
        self.blobs = {}      # digest -> (scenario, bytes)
        for name in SCENARIOS:
            self.build(name)

    def build(self, name):
        layer = layer_bytes(name)
        ldesc = {"mediaType": OCI_LAYER, "digest": sha(layer), "size": len(layer)}
        ids = [sha(layer)] * (2 if name == "diffids-count" else 1)
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "rootfs": {"type": "layers", "diff_ids": ids}}).encode()
        cdesc = {"mediaType": OCI_CONFIG, "digest": sha(config), "size": len(config)}
        if name == "layer-unknown-mediatype":
            ldesc["mediaType"] = "application/x-evil"
        bad = {"digest-traversal": "sha256:../../../../../../tmp/ctr-hostile-escape",
               "digest-upper": "sha256:" + hashlib.sha256(layer).hexdigest().upper(),
               "digest-short": "sha256:" + hashlib.sha256(layer).hexdigest()[:40]}
        if name in bad:
            ldesc["digest"] = bad[name]
        man = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cdesc,
               "layers": [ldesc]}
        ctype = OCI_MANIFEST
        if name == "ambiguous":
            man["manifests"] = [cdesc]
        if name == "mediatype-mismatch":
            man["mediaType"] = DOCKER_MANIFEST
        if name == "unknown-mediatype":
            man.pop("mediaType")
            ctype = "application/vnd.evil.manifest+json"
        body = json.dumps(man).encode()
        if name == "manifest-huge":
            body = body[:-1] + b" " * (4 << 20) + b"}"
        self.manifests[name] = (name, body, ctype)
        self.manifests[sha(body)] = (name, body, ctype)
        self.blobs[sha(config)] = (name, config)
        self.blobs[sha(layer)] = (name, layer)


class PushHandler:
    """The upload side of the API, for ctr-push's tests (mixed into Handler)."""

    def push_scenario(self):
        rest = self.path[len(PUSH):].split("/", 1)[0]
        return rest if rest in SCENARIOS_PUSH else None

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self):
        self.record()
        name = self.push_scenario()
        if not name or "/blobs/uploads/" not in self.path:
            return self.send(404)
        self.body()
        uid = hashlib.sha256(os.urandom(16)).hexdigest()[:16]
        loc = "/v2/push/%s/blobs/uploads/%s?_state=s%%3D%s" % (name, uid, uid)
        if name == "absolute":
            loc = "http://127.0.0.1:%d%s" % (self.server.server_address[1], loc)
        self.send(202, b"", [("Location", loc), ("Docker-Upload-UUID", uid)])

    def do_PUT(self):
        self.record()
        name = self.push_scenario()
        if not name:
            return self.send(404)
        url = urllib.parse.urlparse(self.path)
        if "/manifests/" in url.path:
            data = self.body()
            dg = sha(b"another" if name == "lying-digest" else data)
            return self.send(201, b"", [("Docker-Content-Digest", dg)])
        if name == "cut":
            self.rfile.read(min(1000, int(self.headers.get("Content-Length") or 0)))
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        return self.put_blob(name, url)

    def put_blob(self, name, url):
        data = self.body()
        q = urllib.parse.parse_qs(url.query)
        if name == "error500":
            return self.send(500, b'{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}')
        if "_state" not in q or q.get("digest") != [sha(data)]:
            return self.send(400, b'{"errors":[{"code":"DIGEST_INVALID","message":"no"}]}')
        return self.send(201, b"", [("Docker-Content-Digest", sha(data))])


class Handler(BaseHTTPRequestHandler, PushHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"

    def log_message(self, fmt, *args):
        pass

    def record(self):
        line = {"port": self.server.server_address[1], "method": self.command,
                "path": self.path, "range": self.headers.get("Range"),
                "authorization": self.headers.get("Authorization") is not None}
        with self.server.lock:
            self.server.logf.write(json.dumps(line) + "\n")
            self.server.logf.flush()

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if not any(k.lower() == "content-length" for k, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.record()
        if self.server.is_target:
            return self.send(200, b"redirect target reached")
        if self.path == "/v2/":
            return self.send(200, b"{}", [("Content-Type", "application/json")])
        if not self.path.startswith(REPO):
            return self.send(404)
        kind, _, ref = self.path[len(REPO):].partition("/")
        if kind == "manifests":
            return self.manifest(ref)
        if kind == "blobs":
            return self.blob(ref)
        return self.send(404)

    def stall(self, data, hdrs):
        # half the body, then silence until the client hangs up (at most 5 minutes)
        self.send_response(200)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        for _ in range(300):
            if select.select([self.connection], [], [], 1)[0]:
                if not self.connection.recv(1):
                    break
        self.close_connection = True

    def manifest(self, ref):
        st = self.server.store
        if ref not in st.manifests:
            return self.send(404)
        name, body, ctype = st.manifests[ref]
        if name == "auth-no-challenge":
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
        if name == "redirect" and not self.headers.get("Authorization"):
            return self.send(401, b"", [("WWW-Authenticate", 'Basic realm="hostile"')])
        digest = sha(body)
        if name == "manifest-stall":
            return self.stall(body, [("Content-Type", ctype), ("Docker-Content-Digest", digest)])
        if name == "manifest-lying-header":
            digest = sha(b"something else")
        if name == "manifest-digest-mismatch" and ref.startswith("sha256:"):
            body = body.replace(b'"schemaVersion": 2', b'"schemaVersion":  2')
        self.send(200, body, [("Content-Type", ctype), ("Docker-Content-Digest", digest)])

    def blob(self, digest):
        st = self.server.store
        if digest not in st.blobs:
            return self.send(404)
        name, data = st.blobs[digest]
        is_layer = len(data) == 65536
        if not is_layer:
            return self.send(200, data, [("Docker-Content-Digest", digest)])
        hdrs = [("Content-Type", "application/octet-stream")]
        if name == "blob-mismatch":
            data = bytes([data[0] ^ 1]) + data[1:]
        elif name == "blob-short":
            data = data[:-100]
        elif name == "blob-long":
            data = data + b"extra bytes"
        elif name == "blob-lying-header":
            hdrs.append(("Docker-Content-Digest", sha(b"lie")))
        elif name == "redirect":
            url = "http://127.0.0.1:%d/elsewhere" % self.server.redirect_port
            return self.send(307, b"", [("Location", url)])
        elif name == "blob-stall":
            return self.stall(data, hdrs)
        elif name == "blob-close":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send(200, data, hdrs)


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients that hang up on bad data are the point of this server


def serve(port, store, logf, lock, tls, is_target=False, redirect_port=0):
    srv = Server(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    srv.store, srv.logf, srv.lock = store, logf, lock
    srv.is_target, srv.redirect_port = is_target, redirect_port
    if tls and not is_target:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    return srv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    store, lock = Store(), threading.Lock()
    logf = open(args.log, "a")
    target = serve(0, store, logf, lock, None, is_target=True)
    main_srv = serve(args.port, store, logf, lock, args.tls,
                     redirect_port=target.server_address[1])
    threading.Thread(target=target.serve_forever, daemon=True).start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (main_srv.server_address[1], target.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    try:
        main_srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
