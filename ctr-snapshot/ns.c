/* SPDX-License-Identifier: Apache-2.0 */
/* The snapshots of a namespace: named by it, or reached from its images and containers. */
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "chain.h"
#include "cleanup.h"
#include "content.h"
#include "image.h"
#include "jsonio.h"
#include "log.h"

#define CHAIN_MAX 1024 /* as the store's own walks: a loop in corrupt records ends */

/* Does rec belong to ns by its own name or labels? */
static bool
named_by(const json_t *rec, const char *ns)
{
	const char *name = jsonio_str(rec, "name");
	const json_t *labels = json_object_get(rec, "labels");
	const char *owner = jsonio_str(labels, NS_LABEL);
	size_t n = strlen(ns);

	if (!strncmp(name, "ctr:", 4))
		return !strncmp(name + 4, ns, n) && name[4 + n] == ':';
	if (owner)
		return !strcmp(owner, ns);
	/*
	 * Of no namespace (shared layers among them): the default one's; another
	 * namespace sees a layer when its images use it (see_images).
	 */
	return !strcmp(ns, STATE_DEFAULT_NS);
}

/* Mark name and its ancestors seen. */
static void
see(json_t *seen, const json_t *byname, const char *name)
{
	for (int depth = 0; name && depth < CHAIN_MAX; depth++) {
		const json_t *rec = json_object_get(byname, name);

		if (!rec || json_object_get(seen, name))
			return;
		json_object_set_new(seen, name, json_true());
		name = jsonio_str(rec, "parent");
	}
}

/* Every chain ID of the namespace's images (host platform) that the store holds. */
static void
see_images(const struct state *st, json_t *seen, const json_t *byname)
{
	json_auto_t *list = NULL;
	struct content c;
	struct stat sb;
	struct err e;
	json_t *rec;
	size_t i;

	/* a root without a content store has no images: do not make one by looking */
	if (fstatat(st->rootfd, "content", &sb, 0) < 0 || content_open(st, &c, &e) < 0)
		return;
	if ((list = image_list(st, &e)))
		json_array_foreach(list, i, rec) {
			json_auto_t *doc = image_resolve(&c, rec, NULL, &e), *ids = NULL;
			json_t *id;
			size_t j;

			if (doc && (ids = chain_ids(json_object_get(doc, "diff_ids"), &e)))
				json_array_foreach(ids, j, id)
					see(seen, byname, json_string_value(id));
		}
	content_release(&c);
}

json_t *
ns_filter(const struct state *st, const json_t *all, struct err *e)
{
	json_auto_t *byname = json_object(), *seen = json_object();
	json_t *out = json_array(), *rec;
	size_t i;

	(void)e;
	json_array_foreach(all, i, rec)
		json_object_set(byname, jsonio_str(rec, "name"), rec);
	json_array_foreach(all, i, rec)
		if (named_by(rec, st->ns))
			see(seen, byname, jsonio_str(rec, "name"));
	see_images(st, seen, byname);
	json_array_foreach(all, i, rec)
		if (json_object_get(seen, jsonio_str(rec, "name")))
			json_array_append(out, rec);
	return out;
}
