/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One upgraded connection of the portforward.k8s.io protocol: each request
 * a pair of SPDY streams (error and data) relayed to a TCP port on the
 * pod's loopback, many at once.
 */
#ifndef CTR_CRI_STREAM_PORTFORWARD_H
#define CTR_CRI_STREAM_PORTFORWARD_H

#include <stddef.h>

#include "cri.h"
#include "stream-token.h"

#define PORTFORWARD_PROTOCOL "portforward.k8s.io"

/* Run r's session on fd (upgraded; early: bytes already read past the request head). */
void port_forward_session(struct cri *c, int fd, const struct stream_req *r, const void *early,
			  size_t nearly);

#endif
