#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The crash-consistency driver of tests/crash/run (see HACKING.md).

Each iteration picks an operation, brings the store to the state it needs,
runs the operation's command and SIGKILLs it after a random delay within the
time the command took on its first, unkilled run (the warm-up), re-runs the
command and checks what the whole store looks like then. At the end it
removes everything, runs ctr-image gc and compares the root with the
baseline taken after the warm-up.

It runs as root with the tools on PATH, against the registry REGISTRY that
serves the busybox fixture as test/busybox:1.
"""

import argparse
import glob
import json
import os
import random
import signal
import subprocess
import sys
import time

OPS = ["pull", "unpack", "push", "commit", "run-rm", "lifecycle", "rm-gc"]
# How long a command may take before we call it hung (seconds).
HANG = 120
# How long what a killed command leaves may take to go by itself (seconds):
# a worker's PDEATHSIG, a shim carrying out --rm. Polled, not slept.
SETTLE = 10


class Failure(Exception):
    pass


class Harness:
    def __init__(self, a):
        self.dir = os.path.abspath(a.dir)
        self.root = os.path.join(self.dir, "root")
        self.state = os.path.join(self.dir, "run")
        self.rng = random.Random(a.seed)
        # a namespace of our own: our cgroups are ctr/NS-ID and nobody else's
        self.ns = "crash%06x" % random.SystemRandom().getrandbits(24)
        self.img = "%s/test/busybox:1" % a.registry
        self.registry = a.registry
        self.env = dict(os.environ, CTR_ROOT=self.root, CTR_STATE=self.state,
                        CTR_NAMESPACE=self.ns, CTR_RUNTIME_NO_VERSION_CHECK="1")
        self.log = open(os.path.join(self.dir, "crash.log"), "a")
        self.durations = {}
        self.layers = {}  # committed chain -> fs_manifest, from the warm-up
        self.live = []  # containers lifecycle left running, oldest first
        self.reclaimed = 0  # chain lock files of killed unpacks that gc removed
        self.counts = {op: {"runs": 0, "killed": 0, "finished": 0, "already": 0,
                            "failed": 0} for op in OPS}
        self.op = None

    # ---- running commands ---------------------------------------------------

    def note(self, text):
        self.log.write(text + "\n")
        self.log.flush()

    def sh(self, argv, check=True):
        self.note("$ " + " ".join(argv))
        try:
            r = subprocess.run(argv, env=self.env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=HANG)
        except subprocess.TimeoutExpired:
            raise Failure("%s: hung for %d s" % (" ".join(argv), HANG))
        except OSError as ex:
            raise Failure("%s: %s" % (argv[0], ex))
        if r.stderr:
            self.note(r.stderr.rstrip())
        self.note("  -> %d" % r.returncode)
        if check and r.returncode != 0:
            raise Failure("%s: exit %d: %s" % (" ".join(argv), r.returncode,
                                                r.stderr.strip()[-400:]))
        return r

    def killed(self, argv, delay):
        """Run argv, SIGKILL it after delay seconds; True if the kill landed."""
        self.note("$ %s   # SIGKILL after %.1f ms" % (" ".join(argv), delay * 1e3))
        p = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        landed = p.poll() is None
        if landed:
            p.send_signal(signal.SIGKILL)
        try:
            _, err = p.communicate(timeout=HANG)
        except subprocess.TimeoutExpired:
            # the kill landed on the command; something else holds its stderr
            raise Failure("%s: stderr still open %d s after SIGKILL" % (argv[0], HANG))
        if err:
            self.note(err.decode(errors="replace").rstrip())
        self.note("  -> %s" % ("killed" if landed else "exit %d" % p.returncode))
        return landed

    def step(self, key, argv, kill=False, already=None):
        """Run one command of an operation. Its first run is the warm-up that
        measures it; with kill, SIGKILL it at a random instant, then re-run
        it: it must succeed, or already(result) must say the killed run had
        done the work (the re-run then refuses, as it would after any run)."""
        if key not in self.durations:
            t = time.monotonic()
            self.sh(argv)
            self.durations[key] = time.monotonic() - t
            return
        if not kill:
            self.sh(argv)
            return
        c = self.counts[self.op]
        delay = self.rng.uniform(0, self.durations[key])
        landed = self.killed(argv, delay)
        c["killed" if landed else "finished"] += 1
        self.detail = "%s %s at %.0f of ~%.0f ms" % (
            key, "killed" if landed else "done before the kill", delay * 1e3,
            self.durations[key] * 1e3)
        r = self.sh(argv, check=False)
        if r.returncode == 0:
            return
        if already and already(r):
            c["already"] += 1
            self.detail += " (re-run: already done)"
            return
        raise Failure("re-run of %s after the kill: exit %d: %s" % (
            " ".join(argv), r.returncode, r.stderr.strip()[-400:]))

    # ---- the store ----------------------------------------------------------

    def containers(self):
        out = self.sh(["ctr-run", "ls", "--json"]).stdout
        return {c["id"]: c for c in json.loads(out or "[]")}

    def images(self):
        out = self.sh(["ctr-image", "ls", "--json"]).stdout
        return [i["name"] for i in json.loads(out or "[]")]

    def reset(self):
        """Nothing: no container, no image, gc run."""
        ids = list(self.containers())
        if ids:
            self.sh(["ctr-run", "delete", "-f"] + ids)
        self.live = []
        names = self.images()
        if names:
            self.sh(["ctr-image", "rm"] + names)
        # an unpack killed while it held a chain lock leaves its file: gc's
        left = self.chain_locks()
        self.sh(["ctr-image", "gc", "-q"])
        if self.chain_locks():
            raise Failure("chain locks gc left: %s" % " ".join(self.chain_locks()))
        self.reclaimed += len(left)

    def chain_locks(self):
        """The chain lock files of every snapshot store (ctr-state(5))."""
        return sorted(glob.glob(os.path.join(self.root, "snapshots", "*", "chain-*.lock")))

    def ensure_image(self, unpacked):
        if self.img not in self.images():
            self.sh(["ctr-pull", "-q", "--plain-http", self.img])
        if unpacked:
            self.sh(["ctr-unpack", self.img])

    def status(self, cid):
        c = self.containers().get(cid)
        return c and c.get("status")

    def wait_gone(self, cid):
        end = time.monotonic() + SETTLE
        while cid in self.containers():
            if time.monotonic() > end:
                return False
            time.sleep(0.1)
        return True

    # ---- the operations -----------------------------------------------------

    def op_pull(self, i):
        self.reset()
        unpack = self.rng.random() < 0.5
        argv = ["ctr-pull", "-q", "--plain-http"] + (["--unpack"] if unpack else [])
        self.step("pull --unpack" if unpack else "pull", argv + [self.img], kill=True)

    def op_unpack(self, i):
        self.reset()
        self.sh(["ctr-pull", "-q", "--plain-http", self.img])
        self.step("unpack", ["ctr-unpack", self.img], kill=True)

    def op_push(self, i):
        self.ensure_image(False)
        dest = "%s/crash/push:%d" % (self.registry, i)
        self.step("push", ["ctr-push", "-q", "--plain-http", self.img, dest], kill=True)

    def op_commit(self, i):
        self.ensure_image(True)
        cid, name = "cm%d" % i, "crash/commit:%d" % i
        self.sh(["ctr-run", "run", "--name", cid, self.img, "--", "sh", "-c",
                 "echo %d >/changed" % i])
        self.step("commit", ["ctr-image", "commit", cid, name], kill=True)
        self.sh(["ctr-image", "inspect", name])
        self.sh(["ctr-run", "delete", cid])
        self.sh(["ctr-image", "rm", name])

    def op_run_rm(self, i):
        self.ensure_image(True)
        cid = "r%d" % i
        argv = ["ctr-run", "run", "--rm", "--name", cid, self.img, "--", "sh", "-c", "echo hi"]

        def already(r):
            # the killed run's container still exists: its shim removes it
            if "already exists" not in r.stderr:
                return False
            if not self.wait_gone(cid):
                raise Failure("%s: the killed run --rm's container stays (%s)" % (
                    cid, self.status(cid)))
            self.sh(argv)
            return True

        self.step("run --rm", argv, kill=True, already=already)
        if not self.wait_gone(cid):
            raise Failure("%s: still there after run --rm (%s)" % (cid, self.status(cid)))

    def op_lifecycle(self, i):
        self.ensure_image(True)
        cid = "c%d" % i
        phase = self.rng.choice(["create", "start", "delete"])
        self.step("create", ["ctr-run", "create", "--name", cid, self.img, "--", "sleep", "600"],
                  kill=phase == "create",
                  already=lambda r: "already exists" in r.stderr and self.status(cid) == "created")
        self.step("start", ["ctr-run", "start", cid], kill=phase == "start",
                  already=lambda r: self.status(cid) == "running")
        if phase == "delete" or i == 0 or self.rng.random() < 0.5:
            self.step("delete", ["ctr-run", "delete", "-f", cid], kill=phase == "delete",
                      already=lambda r: "no such container" in r.stderr)
        else:
            self.live.append(cid)
        while len(self.live) > 2:
            self.sh(["ctr-run", "delete", "-f", self.live.pop(0)])

    def op_rm_gc(self, i):
        self.ensure_image(True)
        phase = self.rng.choice(["rm", "gc"])
        self.step("rm", ["ctr-image", "rm", self.img], kill=phase == "rm",
                  already=lambda r: self.img not in self.images())
        self.step("gc", ["ctr-image", "gc", "-q"], kill=phase == "gc")

    # ---- the checks ---------------------------------------------------------

    def check_records(self):
        """Every JSON file of the root and the state parses."""
        skip = {"fs", "work", "rootfs", "blobs"}
        for top in (self.root, self.state):
            for d, dirs, files in os.walk(top):
                dirs[:] = [x for x in dirs if x not in skip]
                for f in files:
                    p = os.path.join(d, f)
                    if f.startswith(".") and f.endswith(".tmp"):
                        continue  # an atomic write in flight (or its leftover)
                    try:
                        if f.endswith(".json") or f == "index.json":
                            with open(p) as fh:
                                json.load(fh)
                        elif f.endswith(".jsonl"):
                            with open(p) as fh:
                                for line in fh:
                                    json.loads(line)
                    except (ValueError, OSError) as ex:
                        raise Failure("record %s does not parse: %s" % (p, ex))

    def snapshot_trees(self):
        """name -> (kind, fs directory) of every snapshot of every store."""
        out = {}
        for drv in ("overlay", "native"):
            top = os.path.join(self.root, "snapshots", drv)
            meta = os.path.join(top, "meta")
            if not os.path.isdir(meta):
                continue
            for f in os.listdir(meta):
                if not f.endswith(".json") or f.startswith("."):
                    continue
                try:
                    with open(os.path.join(meta, f)) as fh:
                        m = json.load(fh)
                except (ValueError, OSError):
                    continue  # check_records says it
                if m.get("id") and m.get("name"):
                    out[m["name"]] = (m.get("kind"), os.path.join(top, str(m["id"]), "fs"))
        return out

    @staticmethod
    def fs_manifest(top):
        """What a layer's tree holds: path, type and mode, size, link target."""
        out = []
        for d, dirs, files in os.walk(top):
            for x in sorted(dirs + files):
                p = os.path.join(d, x)
                st = os.lstat(p)
                link = os.readlink(p) if os.path.islink(p) else ""
                size = st.st_size if not os.path.isdir(p) else 0
                out.append((os.path.relpath(p, top), st.st_mode, size, link))
        return sorted(out)

    def check_snapshots(self):
        """Every snapshot has its directory, and a committed layer of the
        image holds what it held after the warm-up's unkilled unpack."""
        for name, (kind, d) in self.snapshot_trees().items():
            if not os.path.isdir(d):
                raise Failure("snapshot %s (%s): no %s" % (name, kind, d))
            ref = self.layers.get(name)
            if kind == "committed" and ref is not None and self.fs_manifest(d) != ref:
                raise Failure("committed snapshot %s does not hold what an unkilled unpack "
                              "made (%s)" % (name, d))

    def container_dirs(self):
        ids = set()
        for top in (os.path.join(self.root, "containers", self.ns),
                    os.path.join(self.state, self.ns)):
            if os.path.isdir(top):
                # .gone-ID: a removal that renamed it away (ctr-state(5)); gc
                # finishes it, and the baseline check sees that it does
                ids |= {x for x in os.listdir(top) if os.path.isdir(os.path.join(top, x))
                        and not x.startswith(".gone-")}
        return ids

    def ours(self):
        """pid -> cmdline of the processes that name our root or state."""
        found = {}
        me = os.getpid()
        keys = (self.root.encode(), self.state.encode())
        envkey = b"CTR_ROOT=" + self.root.encode() + b"\0"
        for p in os.listdir("/proc"):
            if not p.isdigit() or int(p) == me:
                continue
            try:
                with open("/proc/%s/cmdline" % p, "rb") as fh:
                    cmd = fh.read()
                with open("/proc/%s/environ" % p, "rb") as fh:
                    env = fh.read() + b"\0"
            except OSError:
                continue
            if any(k in cmd for k in keys) or envkey in env:
                found[int(p)] = cmd.replace(b"\0", b" ").decode(errors="replace").strip()
        return found

    def shims(self, ids):
        pids = set()
        for cid in ids:
            try:
                with open(os.path.join(self.state, self.ns, cid, "shim.json")) as fh:
                    pids.add(int(json.load(fh)["pid"]))
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return pids

    def cgroups(self):
        pat = "ctr/%s-*" % self.ns
        return glob.glob("/sys/fs/cgroup/*/" + pat) + glob.glob("/sys/fs/cgroup/" + pat)

    def mounts(self):
        out = []
        with open("/proc/self/mountinfo") as fh:
            for line in fh:
                mp = line.split()[4].replace("\\040", " ")
                if mp.startswith(self.dir + "/"):
                    out.append(mp)
        return out

    def settle(self, what, fn):
        """Poll fn() (a list of what is left) until empty or SETTLE s pass."""
        end = time.monotonic() + SETTLE
        while True:
            left = fn()
            if not left or time.monotonic() > end:
                break
            time.sleep(0.1)
        if left:
            raise Failure("%s left: %s" % (what, "; ".join(map(str, left))[:600]))

    def check(self):
        self.check_records()
        self.check_snapshots()
        r = self.sh(["ctr-image", "check"], check=False)
        if r.returncode != 0:
            raise Failure("ctr-image check: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-400:]))
        ls = self.containers()
        hidden = self.container_dirs() - set(ls)
        if hidden:
            raise Failure("container directories ctr-run ls does not show: %s" % sorted(hidden))

        def procs():
            ids = self.containers()
            allowed = self.shims(ids)
            return ["%d %s" % (p, c) for p, c in self.ours().items() if p not in allowed]

        self.settle("processes", procs)

        def cgroups():
            ids = self.containers()
            return [g for g in self.cgroups() if g.split("ctr/%s-" % self.ns, 1)[1] not in ids]

        self.settle("cgroups of no container", cgroups)

        def mounts():
            ids = self.containers()
            base = os.path.join(self.root, "containers", self.ns) + "/"
            return [m for m in self.mounts()
                    if m.startswith(base) and m[len(base):].split("/")[0] not in ids]

        self.settle("mounts of no container", mounts)

    def tree(self):
        """(set of paths, bytes) of the root and the state, but the event
        log: a log, rotated at its size limit (ctr-state(5)), not state."""
        paths, size = set(), 0
        for top in (self.root, self.state):
            for d, dirs, files in os.walk(top):
                for x in dirs + [f for f in files if not f.startswith("events.jsonl")]:
                    p = os.path.join(d, x)
                    paths.add(os.path.relpath(p, self.dir))
                    st = os.lstat(p)
                    if not os.path.isdir(p):
                        size += st.st_size
        return paths, size

    def diagnose(self):
        """What the log needs to tell why: containers, leases, processes."""
        for argv in (["ctr-run", "ls", "--json"], ["ctr-image", "lease", "ls"],
                     ["ctr-image", "ls"]):
            try:
                r = self.sh(argv, check=False)
                self.note(r.stdout.rstrip())
            except Failure:
                pass
        for p, c in sorted(self.ours().items()):
            self.note("process %d: %s" % (p, c))

    def stop_all(self):
        """Nothing left running after a failure: its containers are deleted
        (the log has what ls, lease ls and /proc said); the rest is kept."""
        try:
            ids = list(self.containers())
            if ids:
                self.sh(["ctr-run", "delete", "-f"] + ids, check=False)
        except Failure as ex:
            self.note("stop_all: %s" % ex)

    # ---- the run ------------------------------------------------------------

    def warmup(self):
        """Each operation once, unkilled: the durations, the image's layers
        as unpacked, and the baseline."""
        self.reset()
        self.sh(["ctr-pull", "-q", "--plain-http", "--unpack", self.img])
        self.layers = {name: self.fs_manifest(d)
                       for name, (kind, d) in self.snapshot_trees().items()
                       if kind == "committed"}
        if not self.layers:
            raise Failure("no committed snapshot after an unkilled pull --unpack")
        for op in OPS:
            self.op = op
            getattr(self, "op_" + op.replace("-", "_"))(0)
        # every variant of a step measured (pull and pull --unpack)
        self.step("pull --unpack", ["ctr-pull", "-q", "--plain-http", "--unpack", self.img])
        self.step("pull", ["ctr-pull", "-q", "--plain-http", self.img])
        self.reset()
        self.check()
        self.baseline = self.tree()
        self.note("baseline: %d paths, %d bytes" % (len(self.baseline[0]), self.baseline[1]))

    def final(self):
        self.reset()
        self.check()
        paths, size = self.tree()
        new = sorted(paths - self.baseline[0])
        if new:
            raise Failure("the root is not back at its baseline: %d new paths: %s" % (
                len(new), " ".join(new[:20])))
        if size != self.baseline[1]:
            raise Failure("the root is not back at its baseline: %d bytes, baseline %d" % (
                size, self.baseline[1]))
        if self.mounts():
            raise Failure("mounts left: %s" % self.mounts())
        if self.cgroups():
            raise Failure("cgroups left: %s" % self.cgroups())
        if self.ours():
            raise Failure("processes left: %s" % self.ours())


def interrupted(signum, frame):
    """SIGTERM as ^C: the run stops, and deletes its containers."""
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--registry", required=True)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--ops", default=",".join(OPS))
    ap.add_argument("--keep-going", action="store_true")
    ap.add_argument("iter", nargs="?", type=int, default=20)
    a = ap.parse_args()
    if a.seed is None:
        a.seed = random.SystemRandom().getrandbits(32)
    ops = a.ops.split(",")
    for op in ops:
        if op not in OPS:
            ap.error("unknown operation %r (%s)" % (op, ", ".join(OPS)))
    h = Harness(a)
    print("# seed %d, namespace %s, log %s" % (a.seed, h.ns, h.log.name), flush=True)
    passed = failed = 0
    try:
        h.warmup()
    except Failure as ex:
        print("not ok 0 - warm-up: %s" % ex)
        print("0 passed, 1 failed")
        return 1
    print("# warm-up (ms): " + ", ".join("%s %.0f" % (k, v * 1e3)
                                         for k, v in sorted(h.durations.items())), flush=True)
    signal.signal(signal.SIGTERM, interrupted)
    for i in range(1, a.iter + 1):
        h.op = h.rng.choice(ops)
        h.detail = ""
        h.counts[h.op]["runs"] += 1
        h.note("# ---- %d: %s" % (i, h.op))
        try:
            getattr(h, "op_" + h.op.replace("-", "_"))(i)
            h.check()
            passed += 1
            print("ok %d - %s: %s" % (i, h.op, h.detail), flush=True)
        except KeyboardInterrupt:
            print("not ok %d - %s: interrupted" % (i, h.op), flush=True)
            h.note("INTERRUPTED")
            failed += 1
            a.keep_going = False
            break
        except Failure as ex:
            failed += 1
            h.counts[h.op]["failed"] += 1
            h.note("FAILED: %s" % ex)
            h.diagnose()
            print("not ok %d - %s: %s: %s" % (i, h.op, h.detail, ex), flush=True)
            if not a.keep_going:
                break
    if failed and not a.keep_going:
        h.stop_all()
    if failed == 0 or a.keep_going:
        h.op = "final"
        try:
            h.final()
            print("ok %d - back at the baseline after removing everything and gc" % (a.iter + 1))
            passed += 1
        except Failure as ex:
            failed += 1
            h.note("FAILED: %s" % ex)
            print("not ok %d - final: %s" % (a.iter + 1, ex))
    print("# %-10s %5s %7s %9s %8s %7s" % ("operation", "runs", "killed", "finished", "already",
                                          "failed"))
    for op in OPS:
        c = h.counts[op]
        print("# %-10s %5d %7d %9d %8d %7d" % (op, c["runs"], c["killed"], c["finished"],
                                               c["already"], c["failed"]))
    print("# chain locks of killed unpacks removed by gc: %d" % h.reclaimed)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
