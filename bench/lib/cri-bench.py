#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The CRI rows of `make bench`: one gRPC client (Debian's python3-grpcio,
stubs from ctr-cri/api.proto as tests/lib/cri.py makes them) driving two
CRI sockets in turn, A B A B, with the kubelet's calls for a host-network
pod of one container. One TSV sample per line on stdout (bench_sample's).

  cri-bench.py STUBS ROUNDS IMAGE ours=SOCKET peer=SOCKET
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "lib"))
import cri  # noqa: E402

UP = "RunPodSandbox + CreateContainer + StartContainer"
DOWN = "StopContainer + RemoveContainer + StopPodSandbox + RemovePodSandbox"


class WithSandboxConfig:
    """A CreateContainerRequest with the kubelet's sandbox_config (field 3),
    which containerd reads and our api.proto leaves out: appended as bytes."""

    def __init__(self, req, cfg):
        self.req, self.cfg = req, cfg

    def SerializeToString(self):
        b = self.cfg.SerializeToString()
        n, v = len(b), bytearray()
        while True:
            v.append((n & 0x7f) | (0x80 if n > 0x7f else 0))
            n >>= 7
            if not n:
                break
        return self.req.SerializeToString() + b"\x1a" + bytes(v) + b


def pod_config(pb, name):
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid="uid-" + name, namespace="bench"),
        linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
            namespace_options=pb.NamespaceOption(network=pb.NODE))))


class Side:
    def __init__(self, pb, name, sock):
        import grpc
        self.pb, self.name = pb, name
        ch = grpc.insecure_channel("unix:" + sock)
        self.call = {}
        for svc in ("RuntimeService", "ImageService"):
            for m in pb.DESCRIPTOR.services_by_name[svc].methods:
                out = getattr(pb, m.output_type.name)
                self.call[m.name] = ch.unary_unary(
                    "/runtime.v1.%s/%s" % (svc, m.name),
                    request_serializer=lambda x: x.SerializeToString(),
                    response_deserializer=out.FromString)

    def __getattr__(self, method):
        call = self.call[method]
        return lambda req: call(req, timeout=120)


def timed(steps):
    """Each step's microseconds, and the last step's answer."""
    out, ans = [], None
    for f in steps:
        t0 = time.monotonic_ns()
        ans = f(ans)
        out.append((time.monotonic_ns() - t0) // 1000)
    return out, ans


def sample(what, side, us):
    print("cri\t%s\t%s\t%d\tus\t" % (what, side, us), flush=True)


def round_of(pb, s, img, i):
    name = "bench-%s-%d" % (s.name, i)
    cfg = pod_config(pb, name)
    ids = {}

    def run(_):
        ids["pod"] = s.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg)).pod_sandbox_id

    def create(_):
        req = pb.CreateContainerRequest(
            pod_sandbox_id=ids["pod"],
            config=pb.ContainerConfig(metadata=pb.ContainerMetadata(name="sleeper"),
                                      image=pb.ImageSpec(image=img),
                                      command=["sleep", "3600"]))
        ids["c"] = s.CreateContainer(WithSandboxConfig(req, cfg)).container_id

    def start(_):
        s.StartContainer(pb.StartContainerRequest(container_id=ids["c"]))

    up, _ = timed([run, create, start])
    down, _ = timed([
        lambda _: s.StopContainer(pb.StopContainerRequest(container_id=ids["c"], timeout=0)),
        lambda _: s.RemoveContainer(pb.RemoveContainerRequest(container_id=ids["c"])),
        lambda _: s.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=ids["pod"])),
        lambda _: s.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=ids["pod"])),
    ])
    sample(UP, s.name, sum(up))
    for what, us in zip(("RunPodSandbox", "CreateContainer", "StartContainer"), up):
        sample(what, s.name, us)
    sample(DOWN, s.name, sum(down))


def main(argv):
    import grpc
    pb = cri.stubs(argv[1])
    rounds, img = int(argv[2]), argv[3]
    sides = [Side(pb, *a.split("=", 1)) for a in argv[4:]]
    for s in sides:  # the image where each side's kubelet would have it
        s.PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=img)))
    # one untimed round each: first-use costs (page cache, a shim binary loaded)
    for i in range(rounds + 1):
        for s in sides:
            try:
                if i == 0:
                    kept = sys.stdout
                    sys.stdout = open(os.devnull, "w")
                    round_of(pb, s, img, i)
                    sys.stdout.close()
                    sys.stdout = kept
                else:
                    round_of(pb, s, img, i)
            except grpc.RpcError as e:
                sys.stdout = sys.__stdout__
                sys.exit("cri-bench: %s: %s: %s" % (s.name, e.code().name, e.details()))


if __name__ == "__main__":
    main(sys.argv)
