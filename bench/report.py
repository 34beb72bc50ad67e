#!/usr/bin/python3 -I
# SPDX-License-Identifier: Apache-2.0
# Turns the bench's samples (TSV: section, what, side, value, unit, note)
# and machine facts (JSON) into OUT.md (a table per section: medians,
# ranges, ratios) and OUT.json (every sample).
#   report.py SAMPLES.tsv FACTS.json OUT
import json
import statistics
import sys

SECTIONS = {
    "pull": "1. Pull and unpack (cold: empty root / fresh containerd per sample)",
    "run": "2. Run a container to completion",
    "memory": "3. Memory of running containers",
    "snapshot": "4a. Snapshots and image removal",
    "push": "4b. Push",
    "netns": "5. Network namespaces",
    "cri": "6. CRI: a pod of one container (kubelet calls)",
}
# Other ways of ours, measured in the same rounds: an extra row each, with
# the peer and floor of the base row.
VARIANTS = {"ours+unpack": "ours: ctr-pull --unpack"}


METHOD = """\
- Registry: Debian's docker-registry on 127.0.0.1 (plain HTTP), storage on
  a tmpfs; both sides use plain HTTP (`--plain-http`).
- Peer: a private containerd started by the bench (own config, root, state
  and sockets; CRI off; overlayfs snapshotter) and the `ctr` client.
- Pull: ours `ctr-pull | ctr-unpack` (and `ctr-pull --unpack`) into an empty
  root; peer `ctr images pull` into a containerd started on a fresh root for
  each sample (start not timed). Fetch only: `ctr-pull` vs `ctr content
  fetch`. Unpack only: `ctr-unpack NAME` vs `ctr images mount` + `unmount
  --rm` (ctr 1.6 has no unpack verb; mount unpacks first). Floor: every
  layer, two at a time, `curl | igzip -d | tar -x` (zstd: `zstd -d`), with
  no digest checks and no fsync; "fetch only" floor: `curl -o` into the same
  storage. Ours checks three digests per layer and syncs each snapshot
  (syncfs); containerd fsyncs each blob. "disk" rows run a `sync` before each
  sample (not timed); the page cache is not dropped.
- Podman: Debian's podman with its own `--root`, `--runroot` and `--tmpdir`
  per instance, the overlay driver, `--runtime runc --cgroup-manager
  cgroupfs` (this machine's cgroups are hybrid), events to a file, and
  containers with `--network none` and ulimits within the sandbox's limits.
  Cold pull: `podman pull` into a fresh root per sample (it unpacks as it
  pulls). Run: `podman run --rm`. Memory: every container's conmon (podman
  has no daemon).
- Run: `ctr-run run --rm IMG -- /bin/true` vs `ctr run --rm IMG ID
  /bin/true`; floor `runc run` of a prepared bundle (same rootfs, runc's
  default spec, no seccomp filter).
- Memory: detached `sleep` containers started two at a time; PSS and RSS
  summed over /proc/PID/smaps_rollup of every ctr-shim (pid from shim.json)
  vs every containerd-shim-runc-v2 (parent of each task's init), divided by
  the number of containers; "+ daemon" adds containerd itself (ours has no
  daemon). One sample each. PSS splits shared pages among every process
  mapping them, including shims of other runs on the machine; RSS does not.
- Snapshot: `ctr-snapshot prepare --parent TOP K` + `commit` vs `ctr
  snapshots prepare K TOP` + `commit`. Image rm: `ctr-image rm` vs `ctr
  images rm` (gc asynchronous); `ctr-image rm` + `gc` vs `ctr images rm
  --sync`, both returning once every file is unlinked (containerd's gc waits
  for its snapshotter's Cleanup and its content sweep); `ctr-image rm` + `gc
  --background` (returns once the records are gone and the snapshot
  directories are in the trash; a child unlinks them, waited for untimed) vs
  `ctr images rm`.
- Push: into a registry started empty for each sample (not timed): `ctr-push`
  vs `ctr images push`; `skopeo copy` from the OCI layout for reference.
- Netns: `ctr-netns create`, `veth add`, `addr add`, `rm` vs `ip netns add`,
  `ip link add ... type veth peer`, `ip link set up` (x3), `ip addr add`, `ip
  netns del`; CNI: ADD then DEL with host-local IPAM, `ctr-netns` in plugin
  mode vs /usr/lib/cni/bridge, each run in a namespace the bench made.
- CRI: one gRPC client (Debian's python3-grpcio, bench/lib/cri-bench.py)
  calls ctr-cri and containerd 1.6's own CRI plugin (the private instance
  with the plugin on, overlayfs, runc, its sandbox image the busybox fixture
  sleeping) in turn: RunPodSandbox (host network, so no CNI on either side)
  + CreateContainer (`sleep 3600`, the image pulled beforehand) +
  StartContainer, then StopContainer (timeout 0) + RemoveContainer +
  StopPodSandbox + RemovePodSandbox; the three calls also each on a row.
  One untimed round first. containerd runs a pause container per pod;
  ctr-cri pins no namespace for a host-network pod and runs no pause.""".split("\n")


def load(path):
    rows = {}
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 5:
            continue
        sec, what, side, value, unit = f[:5]
        note = f[5] if len(f) > 5 else ""
        row = rows.setdefault((sec, what), {"section": sec, "what": what, "unit": unit, "sides": {}})
        s = row["sides"].setdefault(side, {"samples": [], "notes": []})
        if value in ("na", "fail"):
            s["notes"].append(note or value)
        else:
            s["samples"].append(int(value))
            row["unit"] = unit
    return list(rows.values())


def fmt(v, unit):
    if unit == "us":
        return "%.1f ms" % (v / 1e3) if v < 1e6 else "%.2f s" % (v / 1e6)
    if unit == "kB":
        return "%.2f MiB" % (v / 1024) if v >= 10240 else "%d kB" % v
    return "%g %s" % (v, unit)


def cell(side, unit):
    if side is None:
        return ""
    if side["notes"] and not side["samples"]:
        return side["notes"][-1]
    xs = side["samples"]
    med = statistics.median(xs)
    text = fmt(med, unit)
    if len(xs) > 1:
        text += " (%s–%s)" % (fmt(min(xs), unit), fmt(max(xs), unit))
    if side["notes"]:
        text += "; " + side["notes"][-1]
    return text


def median(side):
    if side is None or not side["samples"]:
        return None
    return statistics.median(side["samples"])


def ratio(a, b):
    if a is None or b is None or b == 0:
        return ""
    return "%.2f" % (a / b)


def table(rows, out):
    out.append("| what | ours (median, min–max) | containerd (median, min–max) | ours/containerd"
               " | podman (median, min–max) | ours/podman | floor | ours/floor |")
    out.append("|---|---|---|---|---|---|---|---|")
    for r in rows:
        s, u = r["sides"], r["unit"]
        p, q, f = s.get("peer"), s.get("podman"), s.get("floor")
        lines = [(r["what"], s.get("ours"))]
        lines += [("%s (%s)" % (r["what"], label), s[k]) for k, label in VARIANTS.items() if k in s]
        for what, o in lines:
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                what, cell(o, u), cell(p, u), ratio(median(o), median(p)),
                cell(q, u), ratio(median(o), median(q)),
                cell(f, u), ratio(median(o), median(f))))


def facts_md(facts, out):
    out.append("| fact | value |")
    out.append("|---|---|")
    out.append("| date | %s (%s run) |" % (facts["date"], facts["mode"]))
    out.append("| kernel | %s |" % facts["kernel"])
    out.append("| CPU | %s, %d cores |" % (facts["cpu"], facts["cores"]))
    out.append("| memory | %.1f GiB |" % (facts["mem_kb"] / 1048576))
    out.append("| disk (the \"disk\" rows) | %s |" % facts["disk_fs"])
    out.append("| containerd | %s (private instance, overlayfs snapshotter, no CRI) |" % facts["containerd"])
    if facts.get("podman"):
        out.append("| podman | %s (own root and runroot per instance, overlay, runc, cgroupfs) |" % facts["podman"])
    out.append("| runc | %s |" % facts["runc"])
    dirty = facts["uncommitted_source_files"]
    out.append("| ours | git %s%s |" % (facts["commit"], " + %d uncommitted source files" % dirty if dirty else ""))
    for name, im in facts["images"].items():
        out.append("| image %s | %d layers, %.1f MB compressed (gzip), %.1f MB / %d entries unpacked |" % (
            name, im["layers"], im["compressed_bytes"] / 1e6, im["unpacked_bytes"] / 1e6, im["entries"]))


def main():
    rows = load(sys.argv[1])
    facts = json.load(open(sys.argv[2], encoding="utf-8"))
    out = ["# Benchmark: ctr suite vs containerd and podman", "",
           "Generated by `make bench` (bench/run); every sample is in latest.json.",
           "Ours and the peers run interleaved (A B C A B C ...) in the same run; a ratio",
           "below 1 means we are faster or smaller. Times are wall-clock. The floor is",
           "the least the machine can do for the same work (bare runc; curl | gzip | tar).",
           ""]
    facts_md(facts, out)
    for sec, title in SECTIONS.items():
        sr = [r for r in rows if r["section"] == sec]
        if sr:
            out += ["", "## " + title, ""]
            table(sr, out)
    out += ["", "## What is compared", ""] + METHOD
    with open(sys.argv[3] + ".md", "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    doc = {"facts": facts, "rows": [
        {"section": r["section"], "what": r["what"], "unit": r["unit"],
         "sides": {k: {"samples": v["samples"], "notes": v["notes"],
                       "median": median(v)} for k, v in r["sides"].items()}}
        for r in rows]}
    with open(sys.argv[3] + ".json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


main()
