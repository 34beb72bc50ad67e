/* SPDX-License-Identifier: Apache-2.0 */
/* A call's memory: blocks in a list, freed together when the call is answered. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "prog.h"
#include "xmem.h"

struct arena_block {
	struct arena_block *next;
	max_align_t data[];
};

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;

	if (n > SIZE_MAX - sizeof(*b))
		die(EXIT_SYS, "out of memory");
	b = xcalloc(1, sizeof(*b) + n);
	b->next = a->head;
	a->head = b;
	return b->data;
}

void *
arena_array(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die(EXIT_SYS, "out of memory");
	return arena_alloc(a, n * size);
}

char *
arena_strdup(struct arena *a, const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	return memcpy(arena_alloc(a, n + 1), s, n);
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *s, *out;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die(EXIT_SYS, "out of memory");
	va_end(ap);
	out = arena_strdup(a, s);
	free(s);
	return out;
}

void
arena_release(struct arena *a)
{
	struct arena_block *b;

	while ((b = a->head)) {
		a->head = b->next;
		free(b);
	}
}
