/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The streaming server's one-time tokens: an Exec, Attach or PortForward call mints one
 * for its request, the client's first request to the streaming server
 * takes it. Unused ones expire (a minute by default); at most 1000 wait at once.
 */
#ifndef CTR_CRI_STREAM_TOKEN_H
#define CTR_CRI_STREAM_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define STREAM_TOKEN_MAX 1000 /* waiting at once */
#define STREAM_TOKEN_LEN 11   /* 8 random bytes in base64url */

enum stream_kind { STREAM_EXEC, STREAM_ATTACH, STREAM_PORTFORWARD };

/* What a token stands for: one call's request. */
struct stream_req {
	enum stream_kind kind;
	char *container; /* the container's full ID; port-forward: the pod sandbox's */
	char **cmd;	 /* exec: NULL-ended */
	char *netns;	 /* port-forward: the pod's pinned netns; NULL: the host's */
	bool tty, in, out, err;
	bool once; /* attach: the container's stdin_once (its stdin closed when our input ends) */
};

/*
 * Keep r (taken over: released by the cache or its taker) under a new
 * token, written to tok (STREAM_TOKEN_LEN + 1 bytes). -1 with e "limit"
 * when STREAM_TOKEN_MAX wait and none has expired.
 */
int stream_token_mint(struct stream_req *r, char *tok, struct err *e);
/* The request of tok, removed from the cache: 0, or -1 when unknown, taken or expired. */
int stream_token_take(const char *tok, struct stream_req *r);
void stream_req_release(struct stream_req *r);
/* How long an unused token lives (seconds; 60 unless set). */
void stream_token_set_ttl(int seconds);
/* Drop every token (at exit). */
void stream_token_clear(void);

#endif
