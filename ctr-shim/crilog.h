/* SPDX-License-Identifier: Apache-2.0 */
/* The CRI log format: each line of output as "TIME STREAM F|P TEXT\n" (--log-format cri). */
#ifndef CTR_SHIM_CRILOG_H
#define CTR_SHIM_CRILOG_H

#include <stddef.h>
#include <sys/uio.h>

/*
 * The longest line a record holds, containerd's max_container_log_line_size
 * default: a longer one is cut into P records of this many bytes, and its
 * last piece is an F record.
 */
#define CRILOG_LINE_MAX 16384

/* Per stream (index RING_STDOUT, RING_STDERR): the start of a line whose end has not come. */
struct crilog {
	char *held[3];
	size_t len[3], cap[3];
};

/* Writes one record of len bytes, given as n pieces (the caller's log_write). */
typedef void (*crilog_write_fn)(void *ctx, const struct iovec *iov, int n, size_t len);

/*
 * Data read from stream: a record for each line it ends ("\n" or "\r\n"
 * ends a line, and is not kept), P records for a line past CRILOG_LINE_MAX,
 * and the rest held (grown up to CRILOG_LINE_MAX) until its end comes.
 */
void crilog_feed(struct crilog *l, int stream, const char *data, size_t len, crilog_write_fn fn,
		 void *ctx);
/* The stream has ended: a line held without its end is a P record, as containerd writes it. */
void crilog_flush(struct crilog *l, int stream, crilog_write_fn fn, void *ctx);
void crilog_release(struct crilog *l);

#endif
