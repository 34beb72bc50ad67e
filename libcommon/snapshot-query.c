/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the snapshot store: Mount lists, records, listings, the writable tree. */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonio.h"
#include "layerlimit.h"
#include "snapshot-driver.h"
#include "xmem.h"

/* an image at the largest --max-layers, and a container's layer and commits: beyond, a loop */
#define CHAIN_MAX (LAYERLIMIT_MAX + 24)

/* The record of key (new reference); *ids gets its id and its ancestors', nearest first. */
static json_t *
chain_ids(struct snapshot_store *s, const char *key, json_t **ids, struct err *e)
{
	json_t *top = snapshot_meta_load(s, key, e);
	json_auto_t *cur = json_incref(top);
	const char *parent;

	if (!top)
		return NULL;
	*ids = json_pack("[O]", json_object_get(top, "id"));
	while ((parent = jsonio_str(cur, "parent"))) {
		json_t *next;

		if (json_array_size(*ids) >= CHAIN_MAX) {
			err_code(e, "invalid", "parent chain of '%s' is too long", key);
			goto fail;
		}
		if (!(next = snapshot_meta_load(s, parent, e))) {
			err_prefix(e, "parent of '%s'", jsonio_str(cur, "name"));
			goto fail;
		}
		json_array_append(*ids, json_object_get(next, "id"));
		json_decref(cur);
		cur = next;
	}
	return top;
fail:
	json_decref(top);
	json_decref(*ids);
	*ids = NULL;
	return NULL;
}

json_t *
snapshot_mounts(struct snapshot_store *s, const char *key, struct err *e)
{
	json_auto_t *ids = NULL;
	json_auto_t *rec = NULL;
	_cleanup_free_ const char **v = NULL;
	size_t i, n;
	json_t *id;

	if (snapshot_check_key(key, "key", e) < 0 || !(rec = chain_ids(s, key, &ids, e)))
		return NULL;
	n = json_array_size(ids);
	v = xcalloc(n, sizeof(*v));
	json_array_foreach(ids, i, id)
		v[i] = json_string_value(id);
	return s->drv->mounts(s, jsonio_str(rec, "kind"), v, n, e);
}

json_t *
snapshot_stat(struct snapshot_store *s, const char *key, struct err *e)
{
	json_auto_t *rec = NULL;

	if (snapshot_check_key(key, "key", e) < 0 || !(rec = snapshot_meta_load(s, key, e)))
		return NULL;
	return json_deep_copy(rec);
}

bool
snapshot_exists(struct snapshot_store *s, const char *key, const char **kind)
{
	struct err e;
	json_auto_t *rec = snapshot_meta_load(s, key, &e);

	if (rec && kind) {
		const char *k = jsonio_str(rec, "kind");

		/* hand out a static string: the record dies here */
		*kind = !strcmp(k, "active") ? "active" : !strcmp(k, "view") ? "view" : "committed";
	}
	return rec != NULL;
}

/* An O_DIRECTORY fd on the fs/ of the snapshot of record rec. */
static int
open_fs(struct snapshot_store *s, const json_t *rec, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("%s/fs", jsonio_str(rec, "id"));
	int fd = openat(s->dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "open '%s/%s'", s->path, rel);
	return fd;
}

int
snapshot_open_dir(struct snapshot_store *s, const char *key, struct err *e)
{
	json_auto_t *rec = NULL;

	if (snapshot_check_key(key, "key", e) < 0 || !(rec = snapshot_meta_load(s, key, e)))
		return -1;
	if (strcmp(jsonio_str(rec, "kind"), "active"))
		return err_code(e, "invalid", "snapshot '%s' is not active (it is %s)", key,
				jsonio_str(rec, "kind"));
	return open_fs(s, rec, e);
}

int
snapshot_open_diff(struct snapshot_store *s, const char *key, int *fd, int *parentfd, struct err *e)
{
	json_auto_t *rec = NULL, *prec = NULL;
	const char *kind, *parent;

	*fd = *parentfd = -1;
	if (snapshot_check_key(key, "key", e) < 0 || !(rec = snapshot_meta_load(s, key, e)))
		return -1;
	kind = jsonio_str(rec, "kind");
	if (strcmp(kind, "active"))
		return err_code(e, "invalid",
				"snapshot '%s' is %s: a diff takes an active snapshot", key, kind);
	parent = jsonio_str(rec, "parent");
	if (!parent)
		return err_code(e, "invalid", "snapshot '%s' has no parent to diff against", key);
	if (!(prec = snapshot_meta_load(s, parent, e)))
		return err_prefix(e, "parent of '%s'", key);
	if ((*fd = open_fs(s, rec, e)) < 0)
		return -1;
	if ((*parentfd = open_fs(s, prec, e)) < 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

json_t *
snapshot_list(struct snapshot_store *s, struct err *e)
{
	json_t *all = snapshot_meta_all(s, e);

	/* readdir order is the hash order: sort by name for people and diffs */
	return all ? jsonio_sorted_by(all, "name") : NULL;
}
