/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One upgraded connection: the client's SPDY streams (error, stdin,
 * stdout, stderr, resize) wired to ctr-run exec or ctr-run attach, and the
 * outcome sent on the error stream as a Kubernetes Status document.
 */
#ifndef CTR_CRI_STREAM_SESSION_H
#define CTR_CRI_STREAM_SESSION_H

#include <stddef.h>

#include "cri.h"
#include "stream-token.h"

/* The one subprotocol served (its older versions lack the Status document and resize). */
#define STREAM_PROTOCOL "v4.channel.k8s.io"

/* Run r's session on fd (upgraded; early: bytes already read past the request head). */
void stream_session(struct cri *c, int fd, const struct stream_req *r, const void *early,
		    size_t nearly);
/* Readable once the server stops: a session then ends its command. */
int stream_stop_fd(void);

#endif
