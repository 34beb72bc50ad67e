/* SPDX-License-Identifier: Apache-2.0 */
/* "Did you mean": the candidate nearest to a mistyped word, by edit distance. */
#include "suggest.h"

#include <stdint.h>
#include <string.h>

#define SUGGEST_MAX 64

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t
suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][SUGGEST_MAX + 1], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	/* row i: distances of a[0..i) to each b[0..j); two rows back for a swap of neighbours */
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			cur[j] =
			    min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]));
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		size_t *t = prev2;

		prev2 = prev, prev = cur, cur = t;
	}
	return prev[lb];
}

void
suggest_init(struct suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->dist = SIZE_MAX;
}

void
suggest_add(struct suggest *s, const char *cand)
{
	size_t d = suggest_distance(s->word, cand);

	if (d < s->dist) {
		s->best = cand;
		s->dist = d;
	}
}

const char *
suggest_best(const struct suggest *s)
{
	size_t n = strlen(s->word);

	/* a typo changes a letter or two, and fewer in a short word */
	if (!s->best || s->dist == 0 || s->dist > 2 || s->dist * 3 > n + 1)
		return NULL;
	return s->best;
}
