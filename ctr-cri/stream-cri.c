/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gRPC side of Exec, Attach and PortForward: the request checked as
 * the kubelet's streaming library checks it, its container (running) or
 * pod (ready) found, a token minted.
 */
#include <string.h>

#include "cleanup.h"
#include "containers.h"
#include "ctr-cri/api.pb-c.h"
#include "jsonio.h"
#include "record.h"
#include "stream-cri.h"
#include "stream.h"
#include "xmem.h"

/* The checks of upstream's validateExecRequest / validateAttachRequest, and its words. */
static int
check(const char *id, bool tty, bool in, bool out, bool err, struct cri_status *s)
{
	if (!id || !id[0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "missing required container_id");
	if (tty && err)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"tty and stderr cannot both be true");
	if (!in && !out && !err)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"one of stdin, stdout, or stderr must be set");
	return 0;
}

/* Keep r (taken over) under a new token; its URL in the arena. */
static int
mint(struct stream_req *r, struct arena *arena, char **url, struct cri_status *s)
{
	_cleanup_free_ char *u = NULL;
	char tok[STREAM_TOKEN_LEN + 1];
	enum stream_kind kind = r->kind; /* r is the cache's once minted */
	struct err e;

	if (stream_token_mint(r, tok, &e) < 0)
		return cri_fail(s, GRPC_STATUS_RESOURCE_EXHAUSTED, "%s", e.msg);
	u = stream_url(kind, tok);
	*url = arena_strdup(arena, u);
	return 0;
}

/*
 * The full ID of the container id names (new), if it runs: containerd 1.6
 * answers a container that does not at the call, before it checks the
 * streams asked for, and so do we.
 */
static char *
running(struct cri *c, const char *id, bool *once, struct cri_status *s)
{
	_cleanup_close_ int dirfd = -1;
	json_auto_t *rec = NULL;
	struct err e;

	if (!id || !id[0]) {
		cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "missing required container_id");
		return NULL;
	}
	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", id, &dirfd, NULL, &e))) {
		cri_fail_err(s, &e);
		return NULL;
	}
	if (containers_running(c, jsonio_str(rec, "id"), s) < 0)
		return NULL;
	if (once)
		*once = json_is_true(json_object_get(rec, "stdin_once"));
	return xstrdup(jsonio_str(rec, "id"));
}

int
stream_exec(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	    struct cri_status *s)
{
	const Runtime__V1__ExecRequest *q = (const Runtime__V1__ExecRequest *)req;
	Runtime__V1__ExecResponse *r = (Runtime__V1__ExecResponse *)resp;
	struct stream_req sr = {STREAM_EXEC, NULL,     NULL,	  NULL,
				q->tty,	     q->stdin, q->stdout, q->stderr};

	if (!(sr.container = running(c, q->container_id, NULL, s)))
		return -1;
	if (check(q->container_id, q->tty, q->stdin, q->stdout, q->stderr, s) < 0 ||
	    ((!q->n_cmd || !q->cmd[0][0]) &&
	     cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "Exec: no cmd") < 0)) {
		stream_req_release(&sr);
		return -1;
	}
	sr.cmd = xcalloc(q->n_cmd + 1, sizeof(char *));
	for (size_t i = 0; i < q->n_cmd; i++)
		sr.cmd[i] = xstrdup(q->cmd[i]);
	return mint(&sr, arena, &r->url, s);
}

int
stream_attach(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	      struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__AttachRequest *q = (const Runtime__V1__AttachRequest *)req;
	Runtime__V1__AttachResponse *r = (Runtime__V1__AttachResponse *)resp;
	struct stream_req sr = {STREAM_ATTACH, NULL,	 NULL,	    NULL,
				q->tty,	       q->stdin, q->stdout, q->stderr};

	if (!(sr.container = running(c, q->container_id, &sr.once, s)))
		return -1;
	if (check(q->container_id, q->tty, q->stdin, q->stdout, q->stderr, s) < 0) {
		stream_req_release(&sr);
		return -1;
	}
	return mint(&sr, arena, &r->url, s);
}

/*
 * A ready pod's network namespace, kept in the request: containerd 1.6
 * answers one that is not ready at the call. Ports are not checked at the
 * call (upstream neither): each stream names its own.
 */
int
stream_port_forward(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		    struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__PortForwardRequest *q = (const Runtime__V1__PortForwardRequest *)req;
	Runtime__V1__PortForwardResponse *r = (Runtime__V1__PortForwardResponse *)resp;
	struct stream_req sr = {.kind = STREAM_PORTFORWARD};
	_cleanup_close_ int dirfd = -1;
	json_auto_t *rec = NULL;
	const char *netns;
	struct err e;

	if (!q->pod_sandbox_id || !q->pod_sandbox_id[0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "missing required pod_sandbox_id");
	if (!(rec = record_find(c->st, RECORD_SANDBOXES, "pod sandbox", q->pod_sandbox_id, &dirfd,
				NULL, &e)))
		return cri_fail_err(s, &e);
	if (strcmp(jsonio_str(rec, "state") ?: "", "ready") != 0)
		return cri_fail(s, GRPC_STATUS_UNKNOWN, "sandbox container is not running");
	sr.container = xstrdup(jsonio_str(rec, "id"));
	if ((netns = jsonio_str(rec, "netns")))
		sr.netns = xstrdup(netns);
	return mint(&sr, arena, &r->url, s);
}
