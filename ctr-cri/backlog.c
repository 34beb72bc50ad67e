/* SPDX-License-Identifier: Apache-2.0 */
/* What a streaming client sent and its reader has not taken yet. */
#include "backlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmem.h"

void
backlog_add(struct backlog *b, const void *p, size_t n)
{
	b->buf = xrealloc(b->buf, b->len + n + 1);
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

int
backlog_flush(struct backlog *b, int fd)
{
	size_t off = 0;
	int r = 0;

	if (fd < 0) {
		b->len = 0;
		return -1;
	}
	while (off < b->len) {
		ssize_t w = write(fd, b->buf + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			off = b->len;
			r = -1;
			break;
		}
		off += (size_t)w;
	}
	if (off) {
		memmove(b->buf, b->buf + off, b->len - off);
		b->len -= off;
	}
	return r;
}

void
backlog_release(struct backlog *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = 0;
}
