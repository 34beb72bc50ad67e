/* SPDX-License-Identifier: Apache-2.0 */
/* The output ring: chunks of both streams in order, a memory budget per stream. */
#include "ring.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

#define CHUNK_MIN 256
#define CHUNK_MAX 4096

void
ring_init(struct ring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
}

void
ring_release(struct ring *r)
{
	for (struct ring_chunk *c = r->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	ring_init(r, r->cap);
}

/* What a chunk costs its stream: its header and all of its room, used or not. */
static size_t
cost(const struct ring_chunk *c)
{
	return sizeof(*c) + c->cap;
}

/* Forget the oldest chunk of stream s. */
static void
evict(struct ring *r, int s)
{
	struct ring_chunk *c = r->shead[s];

	r->shead[s] = c->snext;
	if (!r->shead[s])
		r->stail[s] = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		r->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		r->tail = c->prev;
	r->cost[s] -= cost(c);
	r->dropped[s] += c->len;
	free(c);
}

/* A new chunk at the tail with room for at least len bytes (len <= CHUNK_MAX). */
static struct ring_chunk *
grow(struct ring *r, int s, size_t len)
{
	size_t room = (len + 63) & ~(size_t)63;
	struct ring_chunk *c;

	if (room < CHUNK_MIN)
		room = CHUNK_MIN;
	if (room > CHUNK_MAX)
		room = CHUNK_MAX;
	c = xcalloc(1, sizeof(*c) + room);
	c->stream = (unsigned char)s;
	c->cap = (uint32_t)room;
	c->prev = r->tail;
	if (r->tail)
		r->tail->next = c;
	else
		r->head = c;
	r->tail = c;
	if (r->stail[s])
		r->stail[s]->snext = c;
	else
		r->shead[s] = c;
	r->stail[s] = c;
	r->cost[s] += cost(c);
	return c;
}

void
ring_append(struct ring *r, int s, const char *buf, size_t len)
{
	if (s != RING_STDOUT && s != RING_STDERR)
		return;
	/* more than the stream may keep: only its end could survive anyway */
	if (len > r->cap / 2) {
		r->dropped[s] += len - r->cap / 2;
		buf += len - r->cap / 2;
		len = r->cap / 2;
	}
	while (len) {
		struct ring_chunk *c = r->tail;
		size_t n;

		if (!c || c->stream != s || c->len == c->cap)
			c = grow(r, s, len < CHUNK_MAX ? len : CHUNK_MAX);
		n = c->cap - c->len < len ? c->cap - c->len : len;
		memcpy(c->data + c->len, buf, n);
		c->len += (uint32_t)n;
		buf += n;
		len -= n;
	}
	/* never the chunk just written: len <= cap/2 leaves room for it */
	while (r->cost[s] > r->cap && r->shead[s] != r->stail[s])
		evict(r, s);
}

void
ring_tail(const struct ring *r, long n, const struct ring_chunk **out, size_t *off)
{
	const struct ring_chunk *c = r->tail;
	bool last = true; /* a final '\n' ends the last line; it does not start one */

	*out = r->head;
	*off = 0;
	if (n < 0 || !c)
		return;
	if (n == 0) {
		*out = NULL;
		return;
	}
	for (; c; c = c->prev) {
		for (size_t i = c->len; i-- > 0;) {
			if (c->data[i] != '\n') {
				last = false;
				continue;
			}
			if (last) {
				last = false;
				continue;
			}
			if (--n == 0) {
				/* the lines start after this newline, maybe in the next chunk */
				*out = i + 1 < c->len ? c : c->next;
				*off = i + 1 < c->len ? i + 1 : 0;
				return;
			}
		}
	}
}
