/* SPDX-License-Identifier: Apache-2.0 */
/* The last output of a container: chunks in arrival order, each stream's memory bounded. */
#ifndef CTR_RING_H
#define CTR_RING_H

#include <stddef.h>
#include <stdint.h>

enum { RING_STDOUT = 1, RING_STDERR = 2 };

struct ring_chunk {
	struct ring_chunk *prev, *next; /* arrival order, both streams */
	struct ring_chunk *snext;	/* the next chunk of the same stream */
	unsigned char stream;		/* RING_STDOUT or RING_STDERR */
	uint32_t len, cap;
	char data[];
};

struct ring {
	struct ring_chunk *head, *tail;		/* oldest, newest */
	struct ring_chunk *shead[3], *stail[3]; /* per stream, indexed by RING_* */
	size_t cost[3];				/* memory charged to each stream */
	size_t cap;				/* the most a stream may be charged */
	uint64_t dropped[3];			/* bytes evicted per stream */
};

/* An empty ring whose streams may each hold cap bytes of memory (chunk overhead included). */
void ring_init(struct ring *r, size_t cap);
void ring_release(struct ring *r);
/* Append len bytes of stream; the oldest bytes of that stream go when it is over its cap. */
void ring_append(struct ring *r, int stream, const char *buf, size_t len);
/*
 * Where the last n lines begin (n < 0: everything): *c and *off, or *c NULL
 * when there is nothing to show. A line ends at '\n'; a last unfinished line
 * counts as one, as docker logs --tail counts it.
 */
void ring_tail(const struct ring *r, long n, const struct ring_chunk **c, size_t *off);

#endif
