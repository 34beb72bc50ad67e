/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A streaming client's bytes that their reader (a command's stdin, a pod's
 * port) has not taken yet, handed on as fast as the reader takes them.
 */
#ifndef CTR_CRI_BACKLOG_H
#define CTR_CRI_BACKLOG_H

#include <stddef.h>

struct backlog {
	char *buf;
	size_t len;
};

/* Keep n more bytes of p, after those held. */
void backlog_add(struct backlog *b, const void *p, size_t n);
/*
 * Write what the non-blocking fd takes now, in order. Returns 0 when all
 * went or the rest waits for fd to be writable (POLLOUT); -1 when fd is -1
 * or its write failed (its reader is gone, EPIPE: ctr-cri ignores SIGPIPE),
 * with every held byte dropped.
 */
int backlog_flush(struct backlog *b, int fd);
/* Free what is held; b is empty after. */
void backlog_release(struct backlog *b);

#endif
