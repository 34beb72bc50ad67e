#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A client of ctr-cri's streaming server, as the kubelet's proxy and crictl
speak to it: HTTP/1.1 upgraded to SPDY/3.1, subprotocol v4.channel.k8s.io.

  cri-stream.py URL [options]
    --stdin TEXT     open a stdin stream, send TEXT (\\n escapes), then end it
    --stdin-file F   the same with the bytes of file F
    --stdout, --stderr, --tty   open those streams (--tty: resize too)
    --size WxH       with --tty: the first resize message (sent before the command starts)
    --resize-on TEXT WxH   with --tty: once stdout holds TEXT, send that size
    --progress F     append stdout to file F as it comes
    --until TEXT     hang up once stdout holds TEXT (an attach never ends by itself)
    --protocol P     X-Stream-Protocol-Version to offer (default v4.channel.k8s.io;
                     "" offers none)
    --upgrade U      the Upgrade header (default SPDY/3.1)
    --timeout S      give up after S seconds (default 30)
    --pause S        read nothing of the server's for S seconds after opening the streams
    --digest         print stdout as "stdout_bytes" and "stdout_sha256" (large output)
    --raw HEX        after the upgrade send these bytes instead of opening streams,
                     and read until the server closes the connection
    --portforward JSON   (with --protocol portforward.k8s.io) the requests, all at
                     once on the one connection, as the kubelet's client makes them:
                     a list of {"port": P, "id": RID, "send": TEXT | "send_file": F,
                     "headers": {..} (instead of streamtype/port/requestid for both
                     streams), "pause": S (seconds before reading any answer)}

With --portforward prints {"http": 101, "requests": [{"id", "data" (text, or
"bytes" and "sha256" for more than 4 KiB), "error" (the error stream's text),
"reset": bool}], "goaway": bool}.

Prints one JSON object: {"http": CODE, "body": TEXT} when the upgrade is
refused, else {"http": 101, "stdout": ..., "stderr": ..., "status": DOC,
"goaway": bool}, DOC the error stream parsed (null when none came).
"""
import hashlib
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

# SPDY/3's header dictionary (draft 3, 2.6.10.1): length-prefixed words, then a raw tail.
WORDS = ("options head post put delete trace accept accept-charset accept-encoding "
         "accept-language accept-ranges age allow authorization cache-control connection "
         "content-base content-encoding content-language content-length content-location "
         "content-md5 content-range content-type date etag expect expires from host if-match "
         "if-modified-since if-none-match if-range if-unmodified-since last-modified location "
         "max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after "
         "server te trailer transfer-encoding upgrade user-agent vary via warning "
         "www-authenticate method get status").split() + ["200 OK"] + \
    "version HTTP/1.1 url public set-cookie keep-alive origin".split()
TAIL = (b"100101201202205206300302303304305306307402405406407408409410411412413414415416417"
        b"502504505203 Non-Authoritative Information204 No Content301 Moved Permanently"
        b"400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error"
        b"501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct "
        b"Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,"
        b"image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
        b"text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8"
        b"charset=iso-8859-1,utf-,*,enq=0.")
DICT = b"".join(struct.pack("!I", len(w)) + w.encode() for w in WORDS) + TAIL
assert len(DICT) == 1423 and zlib.adler32(DICT) == 0xe3c6a7c2

SYN_STREAM, SYN_REPLY, RST_STREAM, PING, GOAWAY = 1, 2, 3, 6, 7
FIN = 1


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.z_out = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, DICT)
        self.z_in = zlib.decompressobj(zdict=DICT)
        self.next_id = 1

        self.lock = threading.Lock()  # sends from two threads (portforward) stay whole

    def control(self, ftype, flags, body):
        with self.lock:
            self.sock.sendall(struct.pack("!HHI", 0x8003, ftype, flags << 24 | len(body)) + body)

    def data(self, sid, flags, body):
        with self.lock:
            self.sock.sendall(struct.pack("!II", sid, flags << 24 | len(body)) + body)

    def open(self, stype, headers=None):
        """A new stream with headers (default: streamtype alone); its id."""
        with self.lock:
            sid = self.next_id
            self.next_id += 2
            hs = list(headers.items()) if headers is not None else [("streamtype", stype)]
            hdr = struct.pack("!I", len(hs))
            for k, v in hs:
                hdr += struct.pack("!I", len(k)) + k.encode() + struct.pack("!I", len(v)) + v.encode()
            block = self.z_out.compress(hdr) + self.z_out.flush(zlib.Z_SYNC_FLUSH)
            body = struct.pack("!IIBB", sid, 0, 0, 0) + block
            self.sock.sendall(struct.pack("!HHI", 0x8003, SYN_STREAM, len(body)) + body)
        return sid

    def event(self):
        """The next frame the caller acts on: ("data", stream, flags, body),
        ("rst", stream), ("goaway",), or None at EOF; replies and pings are
        handled here."""
        while True:
            f = self.frame()
            if f is None:
                return None
            control, kind, fl, body = f
            if not control:
                return "data", kind, fl, body
            if kind == SYN_REPLY:
                self.z_in.decompress(body[4:])
            elif kind == PING:
                self.control(PING, 0, body)
            elif kind == GOAWAY:
                return ("goaway",)
            elif kind == RST_STREAM:
                return "rst", struct.unpack("!I", body[:4])[0] & 0x7fffffff

    def frame(self):
        """The next frame: (control, type_or_stream, flags, body), None at EOF."""
        while True:
            if len(self.buf) >= 8:
                w0, w1 = struct.unpack("!II", self.buf[:8])
                n = w1 & 0xffffff
                if len(self.buf) >= 8 + n:
                    body, self.buf = self.buf[8:8 + n], self.buf[8 + n:]
                    if w0 & 0x80000000:
                        return True, w0 & 0xffff, w1 >> 24, body
                    return False, w0 & 0x7fffffff, w1 >> 24, body
            try:
                got = self.sock.recv(65536)
            except ConnectionResetError:
                got = b""
            if not got:
                return None
            self.buf += got


def portforward(c, reqs):
    """The kubelet's client: per request an error stream (ended at once, as kubectl
    does) and a data stream; the bytes to send go from a thread of their own."""
    by_id = {}
    for n, r in enumerate(reqs):
        rid = str(r.get("id", n))
        r["rid"] = rid
        for stype in ("error", "data"):
            h = r.get("headers")
            if h is None:
                h = {"streamtype": stype, "port": str(r.get("port", "")), "requestid": rid}
            else:
                h = dict(h, streamtype=h.get("streamtype", stype))
            sid = c.open(stype, h)
            by_id[sid] = (n, stype)
            r[stype] = sid
        c.data(r["error"], FIN, b"")

    def sender():
        for r in reqs:
            if "send_file" in r:
                with open(r["send_file"], "rb") as f:
                    text = f.read()
            else:
                text = r.get("send", "").encode().decode("unicode_escape").encode()
            try:
                for i in range(0, len(text), 32768):
                    c.data(r["data"], 0, text[i:i + 32768])
                c.data(r["data"], FIN, b"")
            except OSError:
                return  # the server went away: what it said is read below
    t = threading.Thread(target=sender, daemon=True)
    t.start()
    time.sleep(max([r.get("pause", 0) for r in reqs]))
    got = {sid: b"" for sid in by_id}
    ended, reset = set(), set()
    goaway = False
    while not set(by_id) <= ended:
        ev = c.event()
        if ev is None or ev[0] == "goaway":
            goaway = ev is not None
            break
        if ev[0] == "rst":
            ended.add(ev[1])
            reset.add(ev[1])
        elif ev[1] in got:
            got[ev[1]] += ev[3]
            if ev[2] & FIN:
                ended.add(ev[1])
    out = []
    for r in reqs:
        d = got[r["data"]]
        o = {"id": r["rid"], "error": got[r["error"]].decode(errors="replace"),
             "reset": r["data"] in reset or r["error"] in reset,
             "ended": r["data"] in ended and r["error"] in ended}
        if len(d) > 4096:
            o["bytes"], o["sha256"] = len(d), hashlib.sha256(d).hexdigest()
        else:
            o["data"] = d.decode(errors="replace")
        out.append(o)
    return {"http": 101, "requests": out, "goaway": goaway}


def main(argv):
    url = argv[0]
    opts = {"--protocol": "v4.channel.k8s.io", "--upgrade": "SPDY/3.1", "--timeout": "30"}
    flags = set()
    i = 1
    while i < len(argv):
        if argv[i] in ("--stdout", "--stderr", "--tty", "--digest"):
            flags.add(argv[i])
            i += 1
        elif argv[i] == "--resize-on":
            opts[argv[i]] = (argv[i + 1], argv[i + 2])
            i += 3
        else:
            opts[argv[i]] = argv[i + 1]
            i += 2
    u = urllib.parse.urlsplit(url)
    sock = socket.create_connection((u.hostname, u.port), timeout=float(opts["--timeout"]))
    req = "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n" % (u.path, u.netloc)
    if opts["--upgrade"]:
        req += "Connection: Upgrade\r\nUpgrade: %s\r\n" % opts["--upgrade"]
    if opts["--protocol"]:
        req += "X-Stream-Protocol-Version: %s\r\n" % opts["--protocol"]
    sock.sendall((req + "\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        got = sock.recv(4096)
        if not got:
            break
        head += got
    head, _, rest = head.partition(b"\r\n\r\n")
    code = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    if code != 101:
        while True:
            got = sock.recv(4096)
            if not got:
                break
            rest += got
        print(json.dumps({"http": code, "body": rest.decode(errors="replace").strip(),
                          "headers": head.decode(errors="replace")}))
        return
    c = Conn(sock)
    c.buf = rest
    if "--raw" in opts:
        sock.sendall(bytes.fromhex(opts["--raw"]))
        while c.frame() is not None:
            pass
        print(json.dumps({"http": 101, "closed": True}))
        return
    if "--portforward" in opts:
        res = portforward(c, json.loads(opts["--portforward"]))
        sock.close()
        print(json.dumps(res))
        return
    ids = {}
    # the first size goes before the other streams: it is in place when the command starts
    if "--tty" in flags:
        ids["resize"] = c.open("resize")
        if "--size" in opts:
            w, h = opts["--size"].split("x")
            c.data(ids["resize"], 0, json.dumps({"Width": int(w), "Height": int(h)}).encode())
    for name in ("stdout", "stderr"):
        if "--" + name in flags:
            ids[name] = c.open(name)
    if "--stdin-file" in opts:
        with open(opts["--stdin-file"], "rb") as f:
            opts["--stdin"] = f.read()
    elif "--stdin" in opts:
        opts["--stdin"] = opts["--stdin"].encode().decode("unicode_escape").encode()
    if "--stdin" in opts:
        ids["stdin"] = c.open("stdin")
    ids["error"] = c.open("error")
    if "--stdin" in opts:
        def send(text):
            for i in range(0, len(text), 32768):  # as the kubelet's copies: 32 KiB frames
                c.data(ids["stdin"], 0, text[i:i + 32768])
            c.data(ids["stdin"], FIN, b"")
        # from a thread, as the kubelet's: the server may stop reading until we do
        threading.Thread(target=send, args=(opts["--stdin"],), daemon=True).start()
    time.sleep(float(opts.get("--pause", 0)))
    got = {k: b"" for k in ids}
    ended = set()
    goaway = False
    by_id = {v: k for k, v in ids.items()}
    want = {k for k in ("stdout", "stderr", "error") if k in ids}
    while not want <= ended:
        ev = c.event()
        if ev is None:
            break
        if ev[0] == "goaway":
            goaway = True
            continue
        if ev[0] == "rst":
            ended.add(by_id.get(ev[1]))
            continue
        _, kind, fl, body = ev
        name = by_id.get(kind)
        if name:
            got[name] += body
            if name == "stdout" and "--progress" in opts:
                with open(opts["--progress"], "ab") as f:
                    f.write(body)
            if fl & FIN:
                ended.add(name)
        if "--until" in opts and opts["--until"].encode() in got.get("stdout", b""):
            break
        if "--resize-on" in opts and opts["--resize-on"][0].encode() in got.get("stdout", b""):
            w, h = opts.pop("--resize-on")[1].split("x")
            c.data(ids["resize"], 0, json.dumps({"Width": int(w), "Height": int(h)}).encode())
    if not goaway and "--until" not in opts:
        f = c.frame()
        goaway = f is not None and f[0] and f[1] == GOAWAY
    sock.close()
    out = got.get("stdout", b"")
    if "--digest" in flags:
        print(json.dumps({"http": 101, "stdout_bytes": len(out),
                          "stdout_sha256": hashlib.sha256(out).hexdigest(),
                          "status": json.loads(got["error"]) if got.get("error") else None}))
        return
    print(json.dumps({"http": 101,
                      "stdout": out.decode(errors="replace"),
                      "stderr": got.get("stderr", b"").decode(errors="replace"),
                      "status": json.loads(got["error"]) if got.get("error") else None,
                      "goaway": goaway}))


if __name__ == "__main__":
    main(sys.argv[1:])
