/* SPDX-License-Identifier: Apache-2.0 */
/* Links in image archives: where each points, and the hostile ones refused. */
#include "tap.h"

#include "cleanup.h"
#include "oci-archive.h"

static void
test_archive_link_target(void)
{
	static const struct {
		const char *path, *target;
		bool sym;
		const char *want; /* the archive path, or a piece of the refusal */
	} cases[] = {
	    /* skopeo and docker: <id>/layer.tar -> ../<hex>.tar or ../<id2>/layer.tar */
	    {"abc/layer.tar", "../f00.tar", true, "f00.tar"},
	    {"abc/layer.tar", "../def/layer.tar", true, "def/layer.tar"},
	    {"abc/layer.tar", "./x/./y", true, "abc/x/y"},
	    {"top.tar", "other.tar", true, "other.tar"},
	    {"a/b/c", "../../d", true, "d"},
	    {"a/b/c", "x//y", true, "a/b/x/y"},
	    /* a hard link names an archive path from the top */
	    {"linked/layer.tar", "abc/layer.tar", false, "abc/layer.tar"},
	    {"linked/layer.tar", "a/../b", false, "b"},
	    {"a/b", "..", true, ""},
	    /* refused */
	    {"abc/layer.tar", "../../etc/passwd", true, "link leaves the archive"},
	    {"top.tar", "../x", true, "link leaves the archive"},
	    {"a/b/c", "../../../x", true, "link leaves the archive"},
	    {"a/b", "x/../../..", true, "link leaves the archive"},
	    {"linked", "../x", false, "link leaves the archive"},
	    {"abc/layer.tar", "/etc/passwd", true, "absolute or empty"},
	    {"linked", "/etc/passwd", false, "absolute or empty"},
	    {"abc/layer.tar", "", true, "absolute or empty"},
	    {"abc/layer.tar", NULL, true, "absolute or empty"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e = {0};
		_cleanup_free_ char *got =
		    oci_archive_link_target(cases[i].path, cases[i].target, cases[i].sym, &e);
		bool refusal = strstr(cases[i].want, "link ") || strstr(cases[i].want, "absolute");

		if (!refusal)
			is_str(got, cases[i].want, "#%zu %s -> %s", i, cases[i].path,
			       cases[i].target);
		else
			ok(!got && strstr(e.msg, cases[i].want) && strstr(e.msg, cases[i].path),
			   "#%zu refused: %s", i, e.msg);
	}
}

int
main(void)
{
	RUN(test_archive_link_target);
	return tap_done();
}
