/* SPDX-License-Identifier: Apache-2.0 */
/* suggest: edit distances and which near word is offered for a typo. */
#include "suggest.h"

#include "tap.h"

static void
test_suggest_distance(void)
{
	static const struct {
		const char *a, *b;
		size_t d;
	} cases[] = {
	    {"", "", 0},	   {"force", "force", 0}, {"forse", "force", 1},
	    {"strat", "start", 1}, {"", "abc", 3},	  {"kitten", "sitting", 3},
	    {"rm", "ls", 2},	   {"json", "jsno", 1},	  {"ab", "ba", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(suggest_distance(cases[i].a, cases[i].b), cases[i].d, "%s -> %s", cases[i].a,
		       cases[i].b);
	is_int(suggest_distance(cases[1].a, cases[3].b), suggest_distance("start", "force"),
	       "symmetric");
}

static const char *
best_of(const char *word, const char *const *cands)
{
	struct suggest s;

	suggest_init(&s, word);
	for (; *cands; cands++)
		suggest_add(&s, *cands);
	return suggest_best(&s);
}

static void
test_suggest_best(void)
{
	static const char *const verbs[] = {"create", "start", "run", "exec",  "kill",	"stop",
					    "wait",   "ps",    "ls",  "state", "pause", NULL};
	static const char *const opts[] = {"force", "format", "json", "name", NULL};

	is_str(best_of("strat", verbs), "start", "a swap of two neighbours");
	is_str(best_of("exce", verbs), "exec", "exce");
	is_str(best_of("creat", verbs), "create", "a letter left out");
	is_str(best_of("forse", opts), "force", "one letter wrong");
	is_str(best_of("jsn", opts), "json", "jsn");
	ok(!best_of("frobnicate", verbs), "nothing near: no suggestion");
	ok(!best_of("x", verbs), "one letter is near everything short: no suggestion");
	ok(!best_of("run", verbs), "the word itself is no suggestion");
	ok(!best_of("zzzzz", opts), "far from all");
}

int
main(void)
{
	RUN(test_suggest_distance);
	RUN(test_suggest_best);
	return tap_done();
}
