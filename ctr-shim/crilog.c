/* SPDX-License-Identifier: Apache-2.0 */
/* The CRI log format, as the kubelet reads it: "2026-12-06T23:17:09.669794202Z stdout F text". */
#include "crilog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "timestamp.h"
#include "xmem.h"

/* One record: the held start of the line (a, alen), then b, behind a time, stream and tag. */
static void
record(int stream, char tag, const char *a, size_t alen, const char *b, size_t blen,
       crilog_write_fn fn, void *ctx)
{
	char head[TIMESTAMP_LEN + 16];
	struct iovec iov[4];
	int n = 0, hl;

	timestamp_now(head);
	hl = (int)strlen(head);
	hl += snprintf(head + hl, sizeof(head) - (size_t)hl, " %s %c ",
		       stream == RING_STDERR ? "stderr" : "stdout", tag);
	iov[n++] = (struct iovec){head, (size_t)hl};
	if (alen)
		iov[n++] = (struct iovec){(void *)a, alen};
	if (blen)
		iov[n++] = (struct iovec){(void *)b, blen};
	iov[n++] = (struct iovec){"\n", 1};
	fn(ctx, iov, n, (size_t)hl + alen + blen + 1);
}

static void
hold(struct crilog *l, int stream, const char *data, size_t len)
{
	xgrow((void **)&l->held[stream], &l->cap[stream], l->len[stream] + len, 1);
	memcpy(l->held[stream] + l->len[stream], data, len);
	l->len[stream] += len;
}

void
crilog_feed(struct crilog *l, int stream, const char *data, size_t len, crilog_write_fn fn,
	    void *ctx)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t seg = nl ? (size_t)(nl - data) : len, *held = &l->len[stream];
		/* "\r\n" ends a line as "\n" does; its '\r' may be the last byte held */
		size_t cr = nl && (seg ? data[seg - 1] == '\r'
				       : *held && l->held[stream][*held - 1] == '\r');

		/* past the limit: a P record of exactly CRILOG_LINE_MAX bytes, as containerd cuts */
		while (*held + seg - cr > CRILOG_LINE_MAX) {
			size_t take = CRILOG_LINE_MAX - *held;

			record(stream, 'P', l->held[stream], *held, data, take, fn, ctx);
			*held = 0;
			data += take, seg -= take, len -= take;
		}
		if (!nl) {
			hold(l, stream, data, seg);
			return;
		}
		if (seg)
			record(stream, 'F', l->held[stream], *held, data, seg - cr, fn, ctx);
		else
			record(stream, 'F', l->held[stream], *held - cr, NULL, 0, fn, ctx);
		*held = 0;
		data += seg + 1, len -= seg + 1;
	}
}

void
crilog_flush(struct crilog *l, int stream, crilog_write_fn fn, void *ctx)
{
	if (!l->len[stream])
		return;
	record(stream, 'P', l->held[stream], l->len[stream], NULL, 0, fn, ctx);
	l->len[stream] = 0;
}

void
crilog_release(struct crilog *l)
{
	for (int i = 0; i < 3; i++) {
		free(l->held[i]);
		l->held[i] = NULL;
		l->len[i] = l->cap[i] = 0;
	}
}
