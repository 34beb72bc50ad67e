/* SPDX-License-Identifier: Apache-2.0 */
/* The images of a namespace grouped by config digest, read from the records and the content store. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "content.h"
#include "digest.h"
#include "image.h"
#include "imagedb.h"
#include "jsonio.h"
#include "log.h"
#include "ocidoc.h"
#include "ref.h"
#include "xmem.h"

/* The config's User ("1000", "1000:1000", "nobody"; "" when unset or unreadable) and Entrypoint. */
static void
config_read(const struct content *c, struct imagedb_rec *r)
{
	struct err e;
	json_auto_t *doc = content_read_json(c, r->id, OCIDOC_CONFIG_MAX, &e);
	json_t *cfg = json_object_get(doc, "config");
	const char *u = jsonio_str(cfg, "User");

	r->user = xstrdup(u ? u : "");
	r->entrypoint = json_array_size(json_object_get(cfg, "Entrypoint")) > 0;
}

static int
rec_fill(struct imagedb_rec *r, const struct content *c, const json_t *rec, struct err *e)
{
	json_auto_t *doc = image_resolve(c, rec, NULL, e);
	json_t *l;
	size_t i;

	if (!doc)
		return -1;
	r->name = xstrdup(jsonio_str(rec, "name"));
	r->target = xstrdup(jsonio_str(json_object_get(rec, "target"), "digest"));
	r->id = xstrdup(jsonio_str(json_object_get(doc, "config"), "digest"));
	r->size = json_integer_value(json_object_get(json_object_get(doc, "manifest"), "size")) +
		  json_integer_value(json_object_get(json_object_get(doc, "config"), "size"));
	json_array_foreach(json_object_get(doc, "layers"), i, l)
		r->size += json_integer_value(json_object_get(l, "size"));
	config_read(c, r);
	return 0;
}

int
imagedb_load(struct imagedb *db, const struct state *st, struct err *e)
{
	json_auto_t *list = NULL;
	struct content c;
	json_t *rec;
	size_t i;

	db->recs = NULL;
	db->n = 0;
	if (content_open(st, &c, e) < 0)
		return -1;
	list = image_list(st, e);
	if (!list) {
		content_release(&c);
		return -1;
	}
	db->recs = xcalloc(json_array_size(list) + 1, sizeof(*db->recs));
	json_array_foreach(list, i, rec) {
		struct err re;

		/* an image half-removed by gc, or of another platform only, is no image here */
		if (rec_fill(&db->recs[db->n], &c, rec, &re) < 0)
			log_warn("%s", re.msg);
		else
			db->n++;
	}
	content_release(&c);
	return 0;
}

void
imagedb_release(struct imagedb *db)
{
	for (size_t i = 0; i < db->n; i++) {
		free(db->recs[i].name);
		free(db->recs[i].target);
		free(db->recs[i].id);
		free(db->recs[i].user);
	}
	free(db->recs);
	db->recs = NULL;
	db->n = 0;
}

/* "sha256:HEX" or "HEX": the id itself when an image has it. */
static const char *
find_id(const struct imagedb *db, const char *what)
{
	for (size_t i = 0; i < db->n; i++) {
		const char *id = db->recs[i].id;

		if (strcmp(id, what) == 0 ||
		    (strncmp(id, "sha256:", 7) == 0 && !strcmp(id + 7, what)))
			return id;
	}
	return NULL;
}

int
imagedb_find(const struct imagedb *db, const char *what, const char **id, struct err *e)
{
	_cleanup_free_ char *name = NULL;
	struct ref r;

	*id = find_id(db, what);
	if (*id)
		return 0;
	if (digest_valid(what))
		return 0;
	if (ref_parse(what, &r, e) < 0)
		return err_prefix(e, "image '%.200s'", what);
	name = ref_string(&r);
	ref_release(&r);
	for (size_t i = 0; i < db->n; i++)
		if (strcmp(db->recs[i].name, name) == 0)
			*id = db->recs[i].id;
	return 0;
}
