/* SPDX-License-Identifier: Apache-2.0 */
/* The snapshot sweep of gc: ctr-unpack's committed layers that no root reaches. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "gc-int.h"
#include "jsonio.h"
#include "log.h"
#include "owner.h"
#include "snapshot.h"
#include "xmem.h"

#define CHAIN_MAX 1024 /* as snapshot-query.c: longer is a loop in corrupt records */

struct victim {
	const char *key;
	int depth;
};

/*
 * Only a committed layer that ctr-unpack made (its ctr.unpack/layer label)
 * can be garbage, and an active snapshot of ctr-unpack's whose owner is
 * gone: any other active snapshot is someone's work in progress, and a
 * snapshot committed by hand has no record that could name it.
 */
static bool
is_root(const struct gc *g, const json_t *rec)
{
	const char *kind = jsonio_str(rec, "kind");
	const char *layer = jsonio_str(json_object_get(rec, "labels"), "ctr.unpack/layer");

	if (owner_snapshot_stale(rec))
		return false;

	return !kind || strcmp(kind, "committed") || !layer || g->keep_unpacked ||
	       json_object_get(g->snaps, jsonio_str(rec, "name"));
}

/* Keep key and its ancestors. */
static void
keep_chain(const json_t *byname, json_t *keep, const char *key)
{
	for (int n = 0; key && n < CHAIN_MAX && !json_object_get(keep, key); n++) {
		json_object_set_new(keep, key, json_true());
		key = jsonio_str(json_object_get(byname, key), "parent");
	}
}

static int
depth(const json_t *byname, const char *key)
{
	int d = 0;

	while (d < CHAIN_MAX && (key = jsonio_str(json_object_get(byname, key), "parent")))
		d++;
	return d;
}

/* Children before their parents: the store refuses to remove a parent. */
static int
deepest_first(const void *a, const void *b)
{
	return ((const struct victim *)b)->depth - ((const struct victim *)a)->depth;
}

/* What a dry run reports: the usage that removing key would free. */
static long long
usage(struct snapshot_store *s, const char *key)
{
	long long bytes = 0, inodes = 0;
	struct err ignored;

	return snapshot_usage(s, key, &bytes, &inodes, &ignored) < 0 ? 0 : bytes;
}

static int
drop(struct gc *g, struct snapshot_store *s, const char *key, struct err *e)
{
	struct du u = {0};

	/*
	 * The record goes before the directory (snapshot_remove): a crash
	 * between leaves a directory no record names, which every reader
	 * ignores and the next gc's snapshot_cleanup removes. The bytes are
	 * counted as the files go, in the one pass that removes them.
	 */
	if (g->o->dry_run)
		u.bytes = usage(s, key);
	else if ((g->o->background
		      ? snapshot_discard(s, key, e)
		      : snapshot_remove_du(s, key, g->o->no_bytes ? NULL : &u, e)) < 0) {
		du_release(&u);
		/* ctr-run create holds no store lock: a child prepared since the mark keeps it */
		if (strcmp(e->code, "conflict") && strcmp(e->code, "busy") &&
		    strcmp(e->code, "not-found"))
			return err_prefix(e, "snapshot '%s'", key);
		log_warn("snapshot '%s' kept: %s", key, e->msg);
		g->r->kept_snapshots++;
		return 0;
	}
	du_release(&u);
	/* in the trash, not yet unlinked, or not asked for: its bytes are not counted (null) */
	json_array_append_new(g->r->snapshots,
			      json_pack("{s:s, s:s, s:o}", "snapshotter", snapshot_store_driver(s),
					"key", key, "bytes",
					(g->o->background || g->o->no_bytes) && !g->o->dry_run
					    ? json_null()
					    : json_integer((json_int_t)u.bytes)));
	g->r->snapshot_bytes += u.bytes;
	return 0;
}

static int
sweep_store(struct gc *g, struct snapshot_store *s, struct err *e)
{
	json_auto_t *all = snapshot_list(s, e), *byname = json_object(), *keep = json_object();
	_cleanup_free_ struct victim *v = NULL;
	size_t i, n = 0;
	json_t *rec;

	if (!all)
		return -1;
	json_array_foreach(all, i, rec)
		json_object_set(byname, jsonio_str(rec, "name"), rec);
	json_array_foreach(all, i, rec)
		if (is_root(g, rec))
			keep_chain(byname, keep, jsonio_str(rec, "name"));
	v = xcalloc(json_array_size(all) + 1, sizeof(*v));
	json_array_foreach(all, i, rec) {
		const char *key = jsonio_str(rec, "name");

		if (json_object_get(keep, key)) {
			g->r->kept_snapshots++;
			continue;
		}
		v[n].key = key;
		v[n++].depth = depth(byname, key);
	}
	qsort(v, n, sizeof(*v), deepest_first);
	for (i = 0; i < n; i++)
		if (drop(g, s, v[i].key, e) < 0)
			return -1;
	return 0;
}

static int
sweep_driver(struct gc *g, enum snapshotter drv, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("snapshots/%s", snapshotter_name(drv));
	struct snapshot_store *s = NULL;
	json_auto_t *gone = NULL;
	json_t *name;
	size_t i;
	int r = snapshot_store_exists(g->st, drv, e);

	if (r <= 0)
		return r;
	r = -1;
	if (snapshot_store_open(g->st, drv, &s, e) < 0)
		return -1;
	/* what crashes left, an earlier gc's included: directories no record names */
	if (!g->o->dry_run && snapshot_cleanup(s, &gone, e) < 0)
		goto out;
	/*
	 * the chain locks of unpacks killed while they held them (a live
	 * holder keeps its own); listed in a dry run too
	 */
	if (!gone)
		gone = json_array();
	if (snapshot_chain_reap(s, g->o->dry_run, gone, e) < 0)
		goto out;
	json_array_foreach(gone, i, name)
		gc_file(g, "%s/%s", rel, json_string_value(name));
	r = sweep_store(g, s, e);
out:
	snapshot_store_free(s);
	return r < 0 ? err_prefix(e, "%s", rel) : 0;
}

int
gc_sweep_snapshots(struct gc *g, struct err *e)
{
	for (unsigned d = 0; d < SNAP_COUNT; d++)
		if (sweep_driver(g, (enum snapshotter)d, e) < 0)
			return -1;
	return 0;
}
