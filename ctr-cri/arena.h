/* SPDX-License-Identifier: Apache-2.0 */
/* A call's memory: a response message's parts, all freed at once when the call ends. */
#ifndef CTR_CRI_ARENA_H
#define CTR_CRI_ARENA_H

#include <stddef.h>

/* Blocks in a list; on the caller's stack, zeroed ({0}) to start. */
struct arena {
	struct arena_block *head;
};

/* n zeroed bytes that live until arena_release (exits 111 on ENOMEM). */
void *arena_alloc(struct arena *a, size_t n);
/* n zeroed elements of size bytes each. */
void *arena_array(struct arena *a, size_t n, size_t size);
/* A copy of s (NULL stays NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Free every block; a may be used again. */
void arena_release(struct arena *a);

#endif
