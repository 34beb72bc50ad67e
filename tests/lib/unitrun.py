#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Run a service unit's commands as systemd would, without systemd (PID 1 here
# is not systemd): unitrun.py UNIT INSTANCE CHECK...
# Specifiers %i %n %%, Environment= and EnvironmentFile=, $VAR split into
# words and ${VAR} kept whole, the '-' prefix, ExecStartPre, ExecStart with a
# NOTIFY_SOCKET that must get READY=1, then CHECK (a command; its status is
# reported), ExecStop, SIGTERM to the main process if it is still there,
# ExecStopPost (a Type=oneshot unit's ExecStart runs to its end, no READY). Prints one JSON object: ready, check, main (exit status),
# failed (the first command that failed without '-', or null). What the
# commands print goes to stderr, as it would go to the journal.
import json, os, re, shlex, socket, subprocess, sys, tempfile

unit, inst, check = sys.argv[1], sys.argv[2], sys.argv[3:]
name = re.sub(r"@\.", "@%s." % inst, os.path.basename(unit))
keys = {}
section = None
for line in open(unit):
    line = line.strip()
    if not line or line[0] in "#;":
        continue
    if line.startswith("["):
        section = line
        continue
    if section == "[Service]":
        k, v = line.split("=", 1)
        keys.setdefault(k, []).append(v)


def spec(s):
    return re.sub(r"%(.)", lambda m: {"i": inst, "n": name, "%": "%"}[m.group(1)], s)


env = dict(os.environ)
for v in keys.get("Environment", []):
    for a in shlex.split(spec(v)):
        k, _, val = a.partition("=")
        env[k] = val
for v in keys.get("EnvironmentFile", []):
    v = spec(v)
    try:
        for line in open(v.lstrip("-")):
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, _, val = line.partition("=")
                env[k.strip()] = val.strip().strip('"')
    except FileNotFoundError:
        if not v.startswith("-"):
            raise


def words(cmd):
    out = []
    for w in shlex.split(spec(cmd)):
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", w)
        if m:
            out += env.get(m.group(1), "").split()
        else:
            w = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), w)
            out.append(w.replace("$$", "$"))
    return out


def argv(cmd):
    ignore = cmd.startswith("-")
    return ignore, words(cmd.lstrip("-@+!:"))


report = {"ready": False, "check": None, "main": None, "failed": None}


def run(key):
    for c in keys.get(key, []):
        ignore, a = argv(c)
        if subprocess.call(a, env=env, stdout=sys.stderr) != 0 and not ignore:
            report["failed"] = report["failed"] or c
            return False
    return True


if run("ExecStartPre"):
    d = tempfile.mkdtemp()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(d + "/notify")
    sock.settimeout(30)
    main = subprocess.Popen(argv(keys["ExecStart"][0])[1], env=dict(env, NOTIFY_SOCKET=d + "/notify"), stdout=sys.stderr)
    if keys.get("Type", ["simple"])[-1] != "notify":
        report["main"] = main.wait(timeout=300)  # a oneshot is done once it ran
        report["ready"] = True
    try:
        while not report["ready"]:
            report["ready"] = b"READY=1" in sock.recv(4096)
    except socket.timeout:
        pass
    report["check"] = subprocess.call(check, env=env, stdout=sys.stderr)
    run("ExecStop")
    if main.poll() is None:
        main.terminate()
    report["main"] = main.wait(timeout=60)
    if report["main"] not in [0] + [int(x) for x in " ".join(keys.get("SuccessExitStatus", [])).split()]:
        report["failed"] = report["failed"] or keys["ExecStart"][0]
    sock.close()
    os.unlink(d + "/notify")
    os.rmdir(d)
run("ExecStopPost")
print(json.dumps(report))
