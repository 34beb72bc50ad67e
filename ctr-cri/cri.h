/* SPDX-License-Identifier: Apache-2.0 */
/* What every CRI method handler is given: the state directory, the call's memory, its status. */
#ifndef CTR_CRI_CRI_H
#define CTR_CRI_CRI_H

#include <grpc/status.h>
#include <stdbool.h>
#include <protobuf-c/protobuf-c.h>

#include "arena.h"
#include "state.h"

/* The CRI namespace: images and containers of the kubelet, as containerd names it. */
#define CRI_NAMESPACE "k8s.io"

/* The server's context, one for its life. */
struct cri {
	struct state *st;	  /* namespace CRI_NAMESPACE, open */
	const char *cni_conf_dir; /* $CNI_CONF_DIR, else /etc/cni/net.d, as ctr-netns cni reads */
	const char *seccomp_root; /* --seccomp-profile-root: where Localhost profiles must lie */
};

/* A call's answer when it fails: a gRPC status code and one line. */
struct cri_status {
	grpc_status_code code;
	char msg[512];
};

/* Record a failure; always returns -1. */
int cri_fail(struct cri_status *s, grpc_status_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The gRPC code of an error code token (ctr-json(7)): not-found is NOT_FOUND...; else INTERNAL. */
grpc_status_code cri_code_status(const char *code);
/* A library error as a status, its code mapped by cri_code_status. */
struct err;
int cri_fail_err(struct cri_status *s, const struct err *e);

/*
 * A method: the request (unpacked, borrowed), the response to fill (the
 * zeroed message of the method's output type; parts from arena). Returns
 * 0, or -1 with s filled.
 */
typedef int (*cri_method_fn)(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
			     struct arena *arena, struct cri_status *s);

#endif
