/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gRPC side of Exec and Attach: the request checked as the kubelet's
 * streaming library checks it, its container found, a token minted.
 */
#include <string.h>

#include "cleanup.h"
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

/* Mint the token of r (taken over) for the container id names; the URL in the arena. */
static int
mint(struct cri *c, const char *id, struct stream_req *r, struct arena *arena, char **url,
     struct cri_status *s)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *u = NULL;
	char tok[STREAM_TOKEN_LEN + 1];
	enum stream_kind kind = r->kind; /* r is the cache's once minted */
	json_auto_t *rec = NULL;
	struct err e;

	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", id, &dirfd, NULL, &e))) {
		stream_req_release(r);
		return cri_fail_err(s, &e);
	}
	r->container = xstrdup(jsonio_str(rec, "id"));
	if (stream_token_mint(r, tok, &e) < 0)
		return cri_fail(s, GRPC_STATUS_RESOURCE_EXHAUSTED, "%s", e.msg);
	u = stream_url(kind, tok);
	*url = arena_strdup(arena, u);
	return 0;
}

int
stream_exec(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	    struct cri_status *s)
{
	const Runtime__V1__ExecRequest *q = (const Runtime__V1__ExecRequest *)req;
	Runtime__V1__ExecResponse *r = (Runtime__V1__ExecResponse *)resp;
	struct stream_req sr = {STREAM_EXEC, NULL, NULL, q->tty, q->stdin, q->stdout, q->stderr};

	if (check(q->container_id, q->tty, q->stdin, q->stdout, q->stderr, s) < 0)
		return -1;
	if (!q->n_cmd || !q->cmd[0][0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "Exec: no cmd");
	sr.cmd = xcalloc(q->n_cmd + 1, sizeof(char *));
	for (size_t i = 0; i < q->n_cmd; i++)
		sr.cmd[i] = xstrdup(q->cmd[i]);
	return mint(c, q->container_id, &sr, arena, &r->url, s);
}

int
stream_attach(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	      struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__AttachRequest *q = (const Runtime__V1__AttachRequest *)req;
	Runtime__V1__AttachResponse *r = (Runtime__V1__AttachResponse *)resp;
	struct stream_req sr = {STREAM_ATTACH, NULL, NULL, q->tty, q->stdin, q->stdout, q->stderr};

	if (check(q->container_id, q->tty, q->stdin, q->stdout, q->stderr, s) < 0)
		return -1;
	return mint(c, q->container_id, &sr, arena, &r->url, s);
}
