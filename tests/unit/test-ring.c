/* SPDX-License-Identifier: Apache-2.0 */
/* The output ring: order across streams, the per-stream budget, --tail lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "tap.h"

/* Everything from (c, off) on, as "1:" / "2:" runs, into buf. */
static void
dump(const struct ring_chunk *c, size_t off, char *buf, size_t size)
{
	size_t n = 0;
	int last = 0;

	buf[0] = '\0';
	for (; c; c = c->next, off = 0) {
		if (c->stream != last)
			n += (size_t)snprintf(buf + n, size - n, "%d:", c->stream);
		last = c->stream;
		n +=
		    (size_t)snprintf(buf + n, size - n, "%.*s", (int)(c->len - off), c->data + off);
	}
}

static void
all(const struct ring *r, char *buf, size_t size)
{
	const struct ring_chunk *c;
	size_t off;

	ring_tail(r, -1, &c, &off);
	dump(c, off, buf, size);
}

static void
test_ring_keeps_arrival_order_across_streams(void)
{
	struct ring r;
	char buf[256];

	ring_init(&r, 65536);
	ring_append(&r, RING_STDOUT, "a\n", 2);
	ring_append(&r, RING_STDOUT, "b\n", 2);
	ring_append(&r, RING_STDERR, "oops\n", 5);
	ring_append(&r, RING_STDOUT, "c\n", 2);
	ring_append(&r, 3, "ignored", 7);
	all(&r, buf, sizeof(buf));
	is_str(buf, "1:a\nb\n2:oops\n1:c\n", "stdout and stderr interleave as they came");
	ring_release(&r);
	all(&r, buf, sizeof(buf));
	is_str(buf, "", "released: empty");
}

static void
test_ring_budget_is_per_stream(void)
{
	struct ring r;
	char line[101], buf[256];
	const struct ring_chunk *c;
	size_t off;

	memset(line, 'x', 99);
	line[99] = '\n';
	line[100] = '\0';
	ring_init(&r, 16384);
	ring_append(&r, RING_STDERR, "the one error\n", 14);
	for (int i = 0; i < 100000; i++) /* 10 MB of stdout through a 16 KiB budget */
		ring_append(&r, RING_STDOUT, line, 100);
	ok(r.cost[RING_STDOUT] <= 16384, "stdout stays within its budget (%zu)",
	   r.cost[RING_STDOUT]);
	ok(r.cost[RING_STDOUT] > 8192, "and keeps most of it (%zu)", r.cost[RING_STDOUT]);
	ok(r.dropped[RING_STDOUT] > 9000000, "what went is counted");
	ok(r.shead[RING_STDERR] && r.shead[RING_STDERR]->len == 14,
	   "a noisy stdout never evicts stderr");
	ring_tail(&r, 1, &c, &off);
	dump(c, off, buf, sizeof(buf));
	ok(strlen(buf) == 102 && buf[0] == '1' && buf[101] == '\n', "the last line is whole");
	ring_release(&r);
}

static void
test_ring_one_huge_write_keeps_its_end(void)
{
	struct ring r;
	size_t n = 1 << 20;
	char *big = malloc(n);
	char buf[64];
	const struct ring_chunk *c;
	size_t off;

	memset(big, 'y', n);
	memcpy(big + n - 4, "END\n", 4);
	ring_init(&r, 65536);
	ring_append(&r, RING_STDOUT, big, n);
	ok(r.cost[RING_STDOUT] <= 65536, "one 1 MiB write: within budget");
	ring_tail(&r, 1, &c, &off);
	ok(c != NULL, "something kept");
	while (c && c->next)
		c = c->next;
	ok(c && c->len >= 4 && !memcmp(c->data + c->len - 4, "END\n", 4), "its end kept");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r.dropped[RING_STDOUT]);
	ok(r.dropped[RING_STDOUT] >= n - 65536, "the rest counted as dropped (%s)", buf);
	ring_release(&r);
	free(big);
}

static void
test_ring_tail_counts_lines(void)
{
	struct ring r;
	const struct ring_chunk *c;
	size_t off;
	char buf[256];

	ring_init(&r, 65536);
	ring_tail(&r, 3, &c, &off);
	ok(c == NULL, "tail of an empty ring: nothing");
	ring_append(&r, RING_STDOUT, "one\ntwo\nth", 10);
	ring_append(&r, RING_STDERR, "ree\nfour\n", 9);
	ring_tail(&r, 2, &c, &off);
	dump(c, off, buf, sizeof(buf));
	is_str(buf, "1:th2:ree\nfour\n", "last 2 lines: one of them split across streams");
	ring_tail(&r, 3, &c, &off);
	dump(c, off, buf, sizeof(buf));
	is_str(buf, "1:two\nth2:ree\nfour\n", "last 3 lines start mid-chunk");
	ring_tail(&r, 10, &c, &off);
	dump(c, off, buf, sizeof(buf));
	is_str(buf, "1:one\ntwo\nth2:ree\nfour\n", "more lines than there are: all");
	ring_tail(&r, 0, &c, &off);
	ok(c == NULL, "--tail 0: nothing");
	ring_append(&r, RING_STDOUT, "five", 4);
	ring_tail(&r, 1, &c, &off);
	dump(c, off, buf, sizeof(buf));
	is_str(buf, "1:five", "an unfinished last line counts as one");
	ring_release(&r);
	ring_init(&r, 65536);
	ring_append(&r, RING_STDOUT, "x\n", 2);
	ring_tail(&r, 1, &c, &off);
	dump(c, off, buf, sizeof(buf));
	is_str(buf, "1:x\n", "one line: from the start");
	ring_release(&r);
}

int
main(void)
{
	RUN(test_ring_keeps_arrival_order_across_streams);
	RUN(test_ring_budget_is_per_stream);
	RUN(test_ring_one_huge_write_keeps_its_end);
	RUN(test_ring_tail_counts_lines);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
