/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the user namespace maps built from /etc/subuid-style text. */
#include "tap.h"

#include "userns.h"

static void
test_userns_map_ranges(void)
{
	struct userns_map m;
	const char *text = "other:200000:65536\n"
			   "alice:100000:65536\n"
			   "1001:300000:10\n"
			   "alice:bad:line\n"
			   "alice:400000:0\n";

	is_int(userns_map_build(text, "alice", 1001, &m), 2, "by name and by uid, in file order");
	is_int(m.n, 3, "the user's own id, then two ranges");
	ok(m.r[0].inside == 0 && m.r[0].outside == 1001 && m.r[0].count == 1, "0 is the user");
	ok(m.r[1].inside == 1 && m.r[1].outside == 100000 && m.r[1].count == 65536,
	   "1.. the first range");
	ok(m.r[2].inside == 65537 && m.r[2].outside == 300000 && m.r[2].count == 10,
	   "then the next, where the first ends");
}

static void
test_userns_map_none(void)
{
	struct userns_map m;

	is_int(userns_map_build("bob:100000:65536\n", "alice", 1001, &m), 0, "no range of ours");
	ok(m.n == 1 && m.r[0].outside == 1001, "the single id");
	is_int(userns_map_build("", "alice", 1001, &m), 0, "an empty file");
	is_int(userns_map_build("alice:100000\nalice:1:2:3\n", "alice", 1001, &m), 0,
	       "malformed lines are skipped");
	is_int(userns_map_build("alice:100000:1", "alice", 1001, &m), 1,
	       "a range of one id, without a newline");
	ok(m.r[1].inside == 1 && m.r[1].count == 1, "maps id 1 only");
}

static void
test_userns_map_bounded(void)
{
	struct userns_map m;
	char text[1024] = "";

	for (int i = 0; i < 20; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "alice:%d:1\n",
			 100000 + i);
	is_int(userns_map_build(text, "alice", 1001, &m), USERNS_MAX_RANGES - 1,
	       "at most USERNS_MAX_RANGES lines in a map");
	is_int(userns_map_build("alice:1:4294967295\n", "alice", 1001, &m), 0,
	       "a range that would overflow the 32-bit id space is skipped");
}

int
main(void)
{
	RUN(test_userns_map_ranges);
	RUN(test_userns_map_none);
	RUN(test_userns_map_bounded);
	return tap_done();
}
