#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A tiny client of ctr-shim for tests: spawns it as ctr-run does (sync pipe),
# talks JSON lines on its socket (fds by SCM_RIGHTS) and checks its liveness.
#   shimctl.py spawn [--stdin F] [--stdout F] [--stderr F] [--hang] -- ctr-shim ARGS...
#       (ARGS take "{sync}" where the sync fd number goes; prints the sync line;
#       --hang: then sleep, as a caller that a test SIGKILLs)
#   shimctl.py call DIR JSON [--stdin F --stdout F --stderr F] [--timeout S]
#   shimctl.py events DIR COUNT [--timeout S]
#   shimctl.py alive DIR           exit 0 when shim.json names a live shim
import json
import os
import signal
import socket
import subprocess
import sys


def connect(statedir):
    """Connect to STATEDIR/shim.sock, through /proc/self/fd when the path is long."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = os.path.join(statedir, "shim.sock")
    if len(path.encode()) < 100:
        s.connect(path)
        return s
    dfd = os.open(statedir, os.O_PATH | os.O_DIRECTORY)
    try:
        s.connect("/proc/self/fd/%d/shim.sock" % dfd)
    finally:
        os.close(dfd)
    return s


def readline(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf.decode()


def request(s, obj, fds=None):
    """Send one request (fds passed with it) and return the decoded response."""
    line = (obj if isinstance(obj, str) else json.dumps(obj)).encode() + b"\n"
    if fds:
        socket.send_fds(s, [line], fds)
    else:
        s.sendall(line)
    resp = readline(s)
    return json.loads(resp) if resp else None


def open_stdio(args, flags):
    fds = []
    for name, mode in (("--stdin", os.O_RDONLY), ("--stdout", flags), ("--stderr", flags)):
        path = args.get(name, "/dev/null")
        fds.append(os.open(path, mode if path != "/dev/null" else os.O_RDWR, 0o644))
    return fds


def take_opts(argv, names):
    opts, rest, i = {}, [], 0
    while i < len(argv):
        if argv[i] in names and i + 1 < len(argv):
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    return opts, rest


def cmd_spawn(argv):
    sep = argv.index("--")
    opts, flags = take_opts(argv[:sep], ("--stdin", "--stdout", "--stderr"))
    r, w = os.pipe()
    stdio = open_stdio(opts, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    cmd = [a.replace("{sync}", str(w)) for a in argv[sep + 1:]]
    p = subprocess.Popen(cmd, stdin=stdio[0], stdout=stdio[1], stderr=stdio[2],
                         pass_fds=(w,), close_fds=True)
    os.close(w)
    line = os.read(r, 65536).decode()
    print(line.strip())
    sys.stdout.flush()
    doc = json.loads(line) if line.strip() else {"ok": False}
    if not doc.get("ok"):
        try:
            rc = p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            rc = "running"
        print("shim-exit %s" % rc)
        return 1
    while "--hang" in flags:
        signal.pause()
    return 0


def late_exit(statedir, req):
    """What a client does when the shim has gone: a wait reads the exit file."""
    try:
        doc = json.loads(req)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("op") != "wait":
        return None
    name = "exec-%s.json" % doc["exec"] if "exec" in doc else "exit.json"
    try:
        with open(os.path.join(statedir, name)) as f:
            return {"ok": True, "exit": json.load(f), "from": name}
    except FileNotFoundError:
        return None


def cmd_call(argv):
    opts, rest = take_opts(argv, ("--stdin", "--stdout", "--stderr", "--timeout"))
    fds = None
    if any(k in opts for k in ("--stdin", "--stdout", "--stderr")):
        fds = open_stdio(opts, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        s = connect(rest[0])
        s.settimeout(float(opts.get("--timeout", "30")))
        resp = request(s, rest[1], fds)
    except (ConnectionError, FileNotFoundError) as e:
        resp = late_exit(rest[0], rest[1]) or {"ok": False, "error": "shim: %s" % e.strerror}
        print(json.dumps(resp, sort_keys=True))
        return 0 if resp.get("ok") else 111
    # the shim left between our connect and its answer: the same fallback
    resp = resp or late_exit(rest[0], rest[1])
    print(json.dumps(resp, sort_keys=True))
    return 0 if resp and resp.get("ok") else 1


def cmd_events(argv):
    opts, rest = take_opts(argv, ("--timeout",))
    s = connect(rest[0])
    s.settimeout(float(opts.get("--timeout", "30")))
    print(json.dumps(request(s, {"op": "events"})))
    f = s.makefile("r")
    for _ in range(int(rest[1])):
        line = f.readline()
        if not line:
            return 1
        print(line.strip())
        sys.stdout.flush()
    return 0


def start_time(pid):
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[19]), rest[0]


def cmd_alive(argv):
    with open(os.path.join(argv[0], "shim.json")) as f:
        doc = json.load(f)
    try:
        st, state = start_time(doc["pid"])
    except (FileNotFoundError, ProcessLookupError):
        print("gone")
        return 1
    if st != doc["start_time"] or state in ("Z", "X"):
        print("gone")
        return 1
    print("alive")
    return 0


def main():
    cmds = {"spawn": cmd_spawn, "call": cmd_call, "events": cmd_events, "alive": cmd_alive}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__ or "usage: shimctl.py spawn|call|events|alive ...", file=sys.stderr)
        return 100
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
