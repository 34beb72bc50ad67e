/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ctr-unpack's OCI whiteout and entry-name rules. */
#include <limits.h>
#include <string.h>

#include "tap.h"
#include "whiteout.h"

static void
test_whiteout_classify(void)
{
	static const struct {
		const char *name;
		enum wh_kind kind;
		const char *target;
	} t[] = {
	    {"foo", WH_NONE, NULL},
	    {".wh", WH_NONE, NULL},
	    {".whfoo", WH_NONE, NULL},
	    {"x.wh.foo", WH_NONE, NULL},
	    {".wh.foo", WH_FILE, "foo"},
	    {".wh..hidden", WH_FILE, ".hidden"},
	    {".wh...x", WH_FILE, "..x"},
	    {".wh..wh..opq", WH_OPAQUE, NULL},
	    {".wh.", WH_INVALID, NULL},
	    {".wh..", WH_INVALID, NULL},
	    {".wh...", WH_INVALID, NULL},
	    {".wh..wh.plnk", WH_INVALID, NULL},
	    {".wh..wh..opq2", WH_INVALID, NULL},
	    {".wh..wh.", WH_INVALID, NULL},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *target = NULL;

		is_int(whiteout_classify(t[i].name, &target), t[i].kind, "classify '%s'",
		       t[i].name);
		if (t[i].kind == WH_FILE)
			is_str(target, t[i].target, "target of '%s'", t[i].name);
	}
}

static int
split(const char *name, char *joined, size_t len, const char **why)
{
	char buf[PATH_MAX];
	const char *c[8];
	int n = whiteout_split(name, buf, sizeof(buf), c, 8, why);

	joined[0] = '\0';
	for (int i = 0; i < n; i++) {
		strncat(joined, i ? "|" : "", len - strlen(joined) - 1);
		strncat(joined, c[i], len - strlen(joined) - 1);
	}
	return n;
}

static void
test_whiteout_split(void)
{
	static const struct {
		const char *name, *want;
		int n;
	} t[] = {
	    {"a/b/c", "a|b|c", 3},
	    {"./a/b/", "a|b", 2},
	    {"/etc/passwd", "etc|passwd", 2},
	    {"//a//./b", "a|b", 2},
	    {".", "", 0},
	    {"./", "", 0},
	    {"/", "", 0},
	    {"a/../b", NULL, -1},
	    {"..", NULL, -1},
	    {"../x", NULL, -1},
	    {"a/..", NULL, -1},
	    {"a/b/c/d/e/f/g/h/i", NULL, -1},
	    {"...", "...", 1},
	    {"a/.../b", "a|...|b", 3},
	};
	char joined[256], longname[PATH_MAX + 10], comp[NAME_MAX + 2];
	const char *why;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = split(t[i].name, joined, sizeof(joined), &why);

		is_int(n, t[i].n, "split '%s' count", t[i].name);
		if (n >= 0)
			is_str(joined, t[i].want, "split '%s'", t[i].name);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ok(split(longname, joined, sizeof(joined), &why) < 0 && strstr(why, "PATH_MAX"),
	   "a name over PATH_MAX is refused");
	memset(comp, 'b', sizeof(comp) - 1);
	comp[sizeof(comp) - 1] = '\0';
	ok(split(comp, joined, sizeof(joined), &why) < 0 && strstr(why, "NAME_MAX"),
	   "a component over NAME_MAX is refused");
	comp[NAME_MAX] = '\0';
	is_int(split(comp, joined, sizeof(joined), &why), 1, "a component of NAME_MAX is fine");
}

static void
test_whiteout_placement(void)
{
	const char *a[] = {"d", ".wh.x"}, *b[] = {".wh.d", "x"}, *c[] = {"d", "x"};
	const char *o[] = {"d", ".wh..wh..opq"};

	ok(whiteout_placement_ok(a, 2, false), "whiteout file as last component");
	ok(!whiteout_placement_ok(a, 2, true), "whiteout name on a directory");
	ok(!whiteout_placement_ok(b, 2, false), "whiteout name as a parent");
	ok(whiteout_placement_ok(c, 2, true), "plain directory");
	ok(whiteout_placement_ok(o, 2, false), "opaque marker");
	ok(whiteout_placement_ok(c, 0, true), "the root");
}

static void
test_whiteout_actions(void)
{
	/* overlay */
	is_int(whiteout_action(true, EX_NONE), ACT_MKNOD, "overlay: nothing -> whiteout node");
	is_int(whiteout_action(true, EX_LAYER_DIR), ACT_OPAQUE, "overlay: own dir -> opaque");
	is_int(whiteout_action(true, EX_LAYER_OTHER), ACT_NOTHING, "overlay: own file stays");
	is_int(whiteout_action(true, EX_LAYER_LINK), ACT_NOTHING, "overlay: own symlink stays");
	is_int(whiteout_action(true, EX_WHITEOUT), ACT_NOTHING, "overlay: twice is once");
	/* native */
	is_int(whiteout_action(false, EX_NONE), ACT_NOTHING, "native: nothing to delete");
	is_int(whiteout_action(false, EX_LOWER_DIR), ACT_REMOVE, "native: lower dir removed");
	is_int(whiteout_action(false, EX_LOWER_OTHER), ACT_REMOVE, "native: lower file removed");
	is_int(whiteout_action(false, EX_LAYER_DIR), ACT_PURGE_LOWER, "native: own dir purged");
	is_int(whiteout_action(false, EX_LAYER_OTHER), ACT_NOTHING, "native: own file stays");
}

static void
test_whiteout_entry_actions(void)
{
	is_int(whiteout_entry_action(true, EX_NONE), ENT_CREATE, "dir on nothing");
	is_int(whiteout_entry_action(true, EX_LAYER_DIR), ENT_MERGE, "dir on dir merges");
	is_int(whiteout_entry_action(true, EX_LOWER_DIR), ENT_MERGE, "dir on lower dir merges");
	is_int(whiteout_entry_action(false, EX_LAYER_DIR), ENT_REPLACE, "file on dir replaces");
	is_int(whiteout_entry_action(true, EX_LAYER_LINK), ENT_REPLACE, "dir on symlink replaces");
	is_int(whiteout_entry_action(true, EX_LOWER_OTHER), ENT_REPLACE, "dir on lower file");
	is_int(whiteout_entry_action(true, EX_WHITEOUT), ENT_REPLACE_OPAQUE,
	       "dir on whiteout: opaque");
	is_int(whiteout_entry_action(false, EX_WHITEOUT), ENT_REPLACE, "file on whiteout");
}

static void
test_whiteout_parent_actions(void)
{
	is_int(whiteout_parent_action(EX_NONE), PAR_MKDIR, "missing parent: implied dir");
	is_int(whiteout_parent_action(EX_LAYER_DIR), PAR_ENTER, "own dir: enter");
	is_int(whiteout_parent_action(EX_LAYER_LINK), PAR_FOLLOW, "own symlink: follow");
	is_int(whiteout_parent_action(EX_LOWER_DIR), PAR_ENTER_CLAIM, "lower dir: enter");
	is_int(whiteout_parent_action(EX_LOWER_OTHER), PAR_REPLACE,
	       "lower symlink or file: replaced by an implied dir");
	is_int(whiteout_parent_action(EX_WHITEOUT), PAR_REPLACE_OPAQUE, "whiteout: opaque dir");
	is_int(whiteout_parent_action(EX_LAYER_OTHER), PAR_FAIL, "own file: not a directory");
}

int
main(void)
{
	RUN(test_whiteout_classify);
	RUN(test_whiteout_split);
	RUN(test_whiteout_placement);
	RUN(test_whiteout_actions);
	RUN(test_whiteout_entry_actions);
	RUN(test_whiteout_parent_actions);
	return tap_done();
}
