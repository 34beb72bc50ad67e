/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-shim's CRI log records: lines, long lines cut into P records, "\r\n", the end of a stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crilog.h"
#include "ring.h"
#include "tap.h"

/* What was written, each record checked for its time and turned into "STREAM TAG TEXT|". */
struct sink {
	char out[3 * CRILOG_LINE_MAX + 1024];
	size_t len;
	int writes, bad;
};

static void
collect(void *ctx, const struct iovec *iov, int n, size_t len)
{
	struct sink *k = ctx;
	char rec[CRILOG_LINE_MAX + 128];
	size_t got = 0;

	for (int i = 0; i < n; i++) {
		memcpy(rec + got, iov[i].iov_base, iov[i].iov_len);
		got += iov[i].iov_len;
	}
	k->writes++;
	/* "2026-12-06T23:17:09.669794202Z " and one "\n" at the end */
	if (got != len || got < 31 + 10 || rec[4] != '-' || rec[10] != 'T' || rec[19] != '.' ||
	    rec[29] != 'Z' || rec[30] != ' ' || rec[got - 1] != '\n' ||
	    memchr(rec, '\n', got - 1)) {
		k->bad++;
		return;
	}
	memcpy(k->out + k->len, rec + 31, got - 32);
	k->len += got - 32;
	k->out[k->len++] = '|';
	k->out[k->len] = '\0';
}

static void
feed(struct crilog *l, struct sink *k, int stream, const char *s)
{
	crilog_feed(l, stream, s, strlen(s), collect, k);
}

static void
test_crilog_lines_and_streams(void)
{
	struct crilog l = {0};
	struct sink k = {0};

	feed(&l, &k, RING_STDOUT, "one\ntwo\n\nthr");
	feed(&l, &k, RING_STDERR, "err\n");
	feed(&l, &k, RING_STDOUT, "ee\r\nfour\r");
	feed(&l, &k, RING_STDOUT, "\n");
	is_str(k.out,
	       "stdout F one|stdout F two|stdout F |stderr F err|stdout F three|stdout F four|",
	       "a record per line, held parts joined, \"\\r\\n\" ends a line");
	is_int(k.bad, 0, "each record: RFC 3339 time with nanoseconds, one newline");
	crilog_flush(&l, RING_STDOUT, collect, &k);
	is_int(k.writes, 6, "nothing held: the end adds no record");
	crilog_release(&l);
}

static void
test_crilog_long_lines_and_the_end(void)
{
	struct crilog l = {0};
	struct sink k = {0};
	char *big = malloc(2 * CRILOG_LINE_MAX + 2);
	char want[64];

	memset(big, 'x', 2 * CRILOG_LINE_MAX + 1);
	big[CRILOG_LINE_MAX] = '\0';
	feed(&l, &k, RING_STDOUT, big);
	feed(&l, &k, RING_STDOUT, "\n");
	is_int(k.writes, 1, "exactly the limit, then its end: one F record");
	ok(k.len == 9 + CRILOG_LINE_MAX + 1 && !strncmp(k.out, "stdout F ", 9),
	   "of the whole line");
	k.len = 0, k.writes = 0;
	big[CRILOG_LINE_MAX] = 'x';
	big[2 * CRILOG_LINE_MAX + 1] = '\0';
	feed(&l, &k, RING_STDERR, big);
	is_int(k.writes, 2, "twice the limit and one: two P records at once, one byte held");
	ok(!strncmp(k.out, "stderr P ", 9) &&
	       !strncmp(k.out + 9 + CRILOG_LINE_MAX + 1, "stderr P ", 9),
	   "each of the limit's length");
	crilog_flush(&l, RING_STDERR, collect, &k);
	snprintf(want, sizeof(want), "stderr P x|");
	ok(k.writes == 3 && !strcmp(k.out + 2 * (9 + CRILOG_LINE_MAX + 1), want),
	   "the stream's end: what is held is a P record, as containerd writes it");
	is_int(k.bad, 0, "all well formed");
	free(big);
	crilog_release(&l);
}

int
main(void)
{
	RUN(test_crilog_lines_and_streams);
	RUN(test_crilog_long_lines_and_the_end);
	return tap_done();
}
