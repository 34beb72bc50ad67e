#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A Docker token-auth server for tests: Basic credentials in, an RS256 JWT out.
"""Token server for the docker-registry test harness.

GET /token?service=S&scope=repository:NAME:pull,push[&scope=...] with HTTP
Basic credentials answers {"token", "access_token", "expires_in",
"issued_at"}; POST /token with a form (grant_type=password, username,
password, service, scope) answers the same (the OAuth2 variant clients may
use), and so does grant_type=refresh_token with refresh_token set to
"idtoken-" + the password (an identity token, as a credential helper's
"<token>" user hands out). Valid credentials get every action they ask for; no credentials get a
token with no access (or pull only with --anonymous-pull); wrong credentials
get 401. The JWT carries an x5c header with the signing certificate, which
the registry finds in its rootcertbundle. Signing runs `openssl dgst` so
only the standard library is needed. Each request is logged as one JSON line.
"""
import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64(pem_path):
    # the first certificate of the PEM file, as standard base64 DER (x5c form)
    lines, inside = [], False
    with open(pem_path) as f:
        for line in f:
            line = line.strip()
            if line == "-----BEGIN CERTIFICATE-----":
                inside = True
            elif line == "-----END CERTIFICATE-----":
                break
            elif inside:
                lines.append(line)
    return "".join(lines)


class Issuer:
    def __init__(self, args):
        self.args = args
        self.x5c = [cert_der_b64(args.cert)]
        self.log_lock = threading.Lock()

    def sign(self, signing_input):
        res = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.args.key],
            input=signing_input, capture_output=True, check=True)
        return res.stdout

    def token(self, subject, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {
            "iss": self.args.issuer, "sub": subject, "aud": self.args.service,
            "exp": now + self.args.expires, "nbf": now - 10, "iat": now,
            "jti": secrets.token_hex(16), "access": access,
        }
        head = b64url(json.dumps(header, separators=(",", ":")).encode())
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = (head + "." + body).encode()
        return head + "." + body + "." + b64url(self.sign(signing_input))

    def log(self, entry):
        if not self.args.log:
            return
        with self.log_lock, open(self.args.log, "a") as f:
            f.write(json.dumps(entry, separators=(",", ":")) + "\n")


def parse_scopes(scopes):
    # "repository:NAME:pull,push" -> {"type","name","actions"}; NAME may hold ':'
    out = []
    for s in scopes:
        for one in s.split(" "):
            typ, _, rest = one.partition(":")
            name, _, actions = rest.rpartition(":")
            if typ and name:
                out.append({"type": typ, "name": name,
                            "actions": [a for a in actions.split(",") if a]})
    return out


def grant(requested, user, anonymous_pull):
    if user is not None:
        return requested
    if not anonymous_pull:
        return []
    return [dict(r, actions=[a for a in r["actions"] if a == "pull"])
            for r in requested if r["type"] == "repository"]


class Handler(BaseHTTPRequestHandler):
    server_version = "ctr-test-token/1"

    def log_message(self, fmt, *args):
        pass  # requests go to the JSON log instead

    def basic_user(self):
        # -> (user or None, ok); ok is False for wrong credentials
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None, True
        try:
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None, False
        return self.check(user, pw)

    def check(self, user, pw):
        a = self.server.issuer.args
        if user == a.user and pw == a.password:
            return user, True
        return None, False

    def reply(self, code, doc, extra=None):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def serve(self, params, user, ok):
        issuer = self.server.issuer
        entry = {"method": self.command, "path": self.path.split("?")[0],
                 "service": params.get("service", [""])[0],
                 "scope": params.get("scope", []), "user": user, "ok": ok}
        if self.path.split("?")[0] != "/token":
            issuer.log(dict(entry, status=404))
            return self.reply(404, {"errors": [{"code": "NOT_FOUND"}]})
        if not ok:
            issuer.log(dict(entry, status=401))
            return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                "message": "bad credentials"}]},
                              {"WWW-Authenticate": 'Basic realm="ctr-test"'})
        access = grant(parse_scopes(entry["scope"]), user,
                       issuer.args.anonymous_pull)
        tok = issuer.token(user or "", access)
        issuer.log(dict(entry, status=200, access=access))
        self.reply(200, {"token": tok, "access_token": tok,
                         "expires_in": issuer.args.expires,
                         "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                    time.gmtime())})

    def do_GET(self):
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        user, ok = self.basic_user()
        self.serve(params, user, ok)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        params = urllib.parse.parse_qs(self.rfile.read(n).decode())
        user, ok = None, True
        grant = params.get("grant_type", [""])[0]
        if grant == "password":
            user, ok = self.check(params.get("username", [""])[0],
                                  params.get("password", [""])[0])
        elif grant == "refresh_token":
            a = self.server.issuer.args
            ok = params.get("refresh_token", [""])[0] == "idtoken-" + a.password
            user = a.user if ok else None
        else:
            user, ok = self.basic_user()
        self.serve(params, user, ok)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--key", required=True, help="PEM RSA private key")
    p.add_argument("--cert", required=True, help="PEM certificate of the key")
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--port", type=int, default=0, help="0: pick a free one")
    p.add_argument("--port-file", help="write the bound port here")
    p.add_argument("--log", help="append one JSON line per request")
    p.add_argument("--expires", type=int, default=300)
    p.add_argument("--anonymous-pull", action="store_true")
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.issuer = Issuer(args)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
