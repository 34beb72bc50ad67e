#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Drive ctr-cri's socket as the kubelet does: gRPC over a unix socket.

Stubs come from ctr-cri/api.proto, generated with grpc_tools into STUBS
(a directory) on first use. Debian's python3-grpcio and python3-grpc-tools
(/usr/bin/python3).

  cri.py STUBS call SOCKET Service/Method [JSON]   one call; the answer as JSON
      on stdout, or "CODE: details" on stderr and exit 1; JSON "@FILE" is
      read from FILE (a request larger than an argument may be)
  cri.py STUBS raw SOCKET /runtime.v1.S/M HEX      request bytes as given (hex);
      the answer's bytes in hex, or "CODE: details" and exit 1
  cri.py STUBS garbage SOCKET                      write bytes that are no HTTP/2
      to the socket and read until the server closes it (or 5 s pass)
  cri.py STUBS wait SOCKET                         until Version answers (10 s)
  cri.py STUBS together SOCKET                     stdin: a JSON array of
      [Service/Method, JSON] pairs, called all at once (a thread each, let go
      together); stdout: a JSON array of their answers in the same order,
      {"ok": ANSWER} or {"code": CODE, "details": TEXT}
"""
import os
import socket
import sys
import time


def stubs(d):
    if not os.path.exists(os.path.join(d, "api_pb2_grpc.py")):
        from grpc_tools import protoc
        proto = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ctr-cri")
        os.makedirs(d, exist_ok=True)
        rc = protoc.main(["protoc", "-I", proto, "--python_out=" + d,
                          "--grpc_python_out=" + d, os.path.join(proto, "api.proto")])
        if rc != 0:
            sys.exit("cri.py: protoc failed")
    sys.path.insert(0, d)
    import api_pb2
    return api_pb2


def channel(sock):
    import grpc
    return grpc.insecure_channel("unix:" + sock, options=[
        ("grpc.max_send_message_length", 64 << 20),
        ("grpc.max_receive_message_length", 64 << 20)])


def fail(e):
    sys.stderr.write("%s: %s\n" % (e.code().name, e.details()))
    sys.exit(1)


def call(pb, sock, method, body):
    import grpc
    from google.protobuf import json_format
    if body and body.startswith("@"):
        with open(body[1:]) as f:
            body = f.read()
    svc, name = method.split("/")
    m = pb.DESCRIPTOR.services_by_name[svc].methods_by_name[name]
    req = json_format.Parse(body or "{}", getattr(pb, m.input_type.name)())
    out = getattr(pb, m.output_type.name)
    f = channel(sock).unary_unary("/runtime.v1.%s/%s" % (svc, name),
                                  request_serializer=lambda x: x.SerializeToString(),
                                  response_deserializer=out.FromString)
    try:
        resp = f(req, timeout=120)
    except grpc.RpcError as e:
        fail(e)
    print(json_format.MessageToJson(resp, preserving_proto_field_name=True, indent=None))


def one(pb, ch, method, body):
    """A unary call's function and its request message."""
    from google.protobuf import json_format
    svc, name = method.split("/")
    m = pb.DESCRIPTOR.services_by_name[svc].methods_by_name[name]
    req = json_format.Parse(body or "{}", getattr(pb, m.input_type.name)())
    out = getattr(pb, m.output_type.name)
    return ch.unary_unary("/runtime.v1.%s/%s" % (svc, name),
                          request_serializer=lambda x: x.SerializeToString(),
                          response_deserializer=out.FromString), req


def together(pb, sock):
    import json
    import threading
    import grpc
    from google.protobuf import json_format
    todo = json.load(sys.stdin)
    # a channel each: separate connections, as separate kubelet workers would be
    calls = [one(pb, channel(sock), m, b) for m, b in todo]
    res = [None] * len(calls)
    go = threading.Barrier(len(calls))

    def run(i):
        f, req = calls[i]
        go.wait()
        try:
            resp = f(req, timeout=120)
            res[i] = {"ok": json.loads(json_format.MessageToJson(
                resp, preserving_proto_field_name=True))}
        except grpc.RpcError as e:
            res[i] = {"code": e.code().name, "details": e.details()}
    ts = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(json.dumps(res))


def raw(sock, path, hexbytes):
    import grpc
    f = channel(sock).unary_unary(path)
    try:
        print(f(bytes.fromhex(hexbytes), timeout=30).hex())
    except grpc.RpcError as e:
        fail(e)


def garbage(sock):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    s.settimeout(5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(range(256)) * 64)
    try:
        while s.recv(4096):
            pass
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()


def wait(pb, sock):
    import grpc
    end = time.monotonic() + 10
    while True:
        try:
            channel(sock).unary_unary("/runtime.v1.RuntimeService/Version",
                                      request_serializer=lambda x: x.SerializeToString(),
                                      response_deserializer=pb.VersionResponse.FromString)(
                pb.VersionRequest(), timeout=1)
            return
        except grpc.RpcError:
            if time.monotonic() > end:
                sys.exit("cri.py: nothing answers on " + sock)
            time.sleep(0.05)


def main(argv):
    pb = stubs(argv[1])
    verb = argv[2]
    if verb == "call":
        call(pb, argv[3], argv[4], argv[5] if len(argv) > 5 else None)
    elif verb == "raw":
        raw(argv[3], argv[4], argv[5])
    elif verb == "garbage":
        garbage(argv[3])
    elif verb == "together":
        together(pb, argv[3])
    elif verb == "wait":
        wait(pb, argv[3])
    else:
        sys.exit("cri.py: unknown verb " + verb)


if __name__ == "__main__":
    main(sys.argv)
