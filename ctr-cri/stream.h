/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The streaming server of Exec and Attach: HTTP/1.1 on a TCP address,
 * upgraded to SPDY/3.1 with the v4.channel.k8s.io protocol, in threads of
 * its own (one to accept, one per connection).
 */
#ifndef CTR_CRI_STREAM_H
#define CTR_CRI_STREAM_H

#include "cri.h"
#include "err.h"
#include "stream-token.h"

struct stream_opts {
	const char *address; /* an IPv4 or IPv6 literal; default 127.0.0.1 */
	int port;	     /* 0: the kernel's choice */
};

/* Listen and serve in a new thread; c lives until stream_stop. */
int stream_start(struct cri *c, const struct stream_opts *o, struct err *e);
/* Stop taking connections, end those in flight, wait for their threads. */
void stream_stop(void);
/* The URL a client takes r's token to (new string). */
char *stream_url(enum stream_kind kind, const char *token);

#endif
