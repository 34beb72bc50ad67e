/* SPDX-License-Identifier: Apache-2.0 */
/* check --repair: a bad blob fetched again from where it came from, or dropped. */
#include "repair.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "blobsrc.h"
#include "cleanup.h"
#include "jsonio.h"
#include "spawn.h"
#include "xmem.h"

/* ctr-pull --blob SIZE REGISTRY/REPOSITORY@DIGEST: 0, or -1 with *why (new string). */
static int
fetch(const struct state *st, const char *ref, int64_t size, char **why)
{
	_cleanup_free_ char *sz = xasprintf("%" PRId64, size);
	const char *args[] = {"-q", "--blob", sz, ref, NULL};
	struct spawn_io io = {.max = 1 << 16};
	struct err e;
	int rc = spawn_tool(st, NULL, "ctr-pull", "CTR_PULL", args, &io, &e);

	spawn_io_release(&io);
	if (rc == 0)
		return 0;
	*why = xstrdup(e.msg);
	return -1;
}

json_t *
repair_blob(const struct state *st, const struct content *c, const char *dg, int64_t size,
	    const char *problem, struct err *e)
{
	json_auto_t *srcs = blobsrc_all(c, dg);
	json_t *out = json_pack("{s:s, s:s}", "digest", dg, "problem", problem), *s;
	_cleanup_free_ char *why = NULL;
	size_t i;

	json_array_foreach(srcs, i, s) {
		const char *reg = jsonio_str(s, "registry"), *repo = jsonio_str(s, "repository");
		_cleanup_free_ char *ref = NULL;

		if (!reg || !repo)
			continue;
		ref = xasprintf("%s/%s@%s", reg, repo, dg);
		free(why);
		why = NULL;
		if (fetch(st, ref, size, &why) == 0) {
			json_object_set_new(out, "action", json_string("refetched"));
			json_object_set_new(out, "source", json_sprintf("%s/%s", reg, repo));
			return out;
		}
	}
	json_object_set_new(out, "why",
			    json_string(why ? why : "no repository is recorded for it"));
	if (!content_has(c, dg, -1)) {
		json_object_set_new(out, "action", json_string("none"));
		return out;
	}
	if (content_drop_blob(c, dg, e) < 0) {
		json_decref(out);
		return NULL;
	}
	json_object_set_new(out, "action", json_string("dropped"));
	return out;
}
