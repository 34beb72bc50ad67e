/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC server on a unix socket: one thread, one completion queue, one call at a time. */
#ifndef CTR_CRI_SERVER_H
#define CTR_CRI_SERVER_H

#include <stddef.h>

#include "cri.h"
#include "err.h"

struct server_opts {
	const char *path; /* the socket */
	size_t max_msg;	  /* largest request accepted (bytes); larger: RESOURCE_EXHAUSTED */
};

/*
 * Listen on o->path (a stale socket there is replaced; the caller holds
 * the lock that makes it ours) and answer calls until SIGTERM or SIGINT.
 * Returns 0 after a clean shutdown (the socket removed), -1 when it could
 * not start.
 */
int server_run(struct cri *c, const struct server_opts *o, struct err *e);

#endif
