/* SPDX-License-Identifier: Apache-2.0 */
/* "Did you mean": the candidate nearest to a mistyped word, by edit distance. */
#ifndef CTR_SUGGEST_H
#define CTR_SUGGEST_H

#include <stddef.h>

/*
 * Edit distance of a and b (bytes): insertions, deletions, substitutions and
 * swaps of neighbours count one each. Words longer than 64 bytes count as far.
 */
size_t suggest_distance(const char *a, const char *b);

struct suggest {
	const char *word; /* what was typed */
	const char *best; /* borrowed: the nearest candidate so far */
	size_t dist;
};

void suggest_init(struct suggest *s, const char *word);
/* Consider one candidate (borrowed; must outlive s). */
void suggest_add(struct suggest *s, const char *cand);
/* The nearest candidate when it is close enough to be a typo of word, else NULL. */
const char *suggest_best(const struct suggest *s);

#endif
