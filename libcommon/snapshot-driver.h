/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the snapshot store: the driver interface and the metadata records. */
#ifndef CTR_SNAPSHOT_DRIVER_H
#define CTR_SNAPSHOT_DRIVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "snapshotter.h"

#define SNAPSHOT_KEY_MAX 255
#define SNAPSHOT_ID_LEN 8 /* hex digits: short, so 100+ lowerdirs fit a page */

struct snapshot_store;

/*
 * What a driver (overlay, native; later btrfs) provides. The store does the
 * records, locking and naming; a driver only fills directories and describes
 * them as Mount lists. ids: the snapshot's directory, then its ancestors',
 * nearest first.
 */
struct snapshot_driver {
	enum snapshotter id; /* its name is snapshotter_name(id) */
	/* may commit attach a parent to a snapshot prepared without one? */
	bool late_parent;
	/* Fill the new snapshot directory dirfd (named dir under the store). */
	int (*create)(struct snapshot_store *s, int dirfd, const char *dir, const char *parent_id,
		      int flags, struct err *e);
	/* The Mount list of a snapshot of kind with ids[0..n) (new reference). */
	json_t *(*mounts)(struct snapshot_store *s, const char *kind, const char *const *ids,
			  size_t n, struct err *e);
};

extern const struct snapshot_driver snapshot_driver_overlay;
extern const struct snapshot_driver snapshot_driver_native;

struct snapshot_store {
	const struct snapshot_driver *drv;
	char *path;  /* absolute: $ROOT/snapshots/<driver> */
	int dirfd;   /* O_DIRECTORY on path */
	int metafd;  /* O_DIRECTORY on path/meta */
	int childfd; /* O_DIRECTORY on path/meta/children */
};

/* "<path>/<id>/<sub>" as a new string. */
char *snapshot_path(const struct snapshot_store *s, const char *id, const char *sub);
/* A Mount object {"type","source","options"} (new reference). */
json_t *snapshot_mount_new(const char *type, const char *source, const char *opt1,
			   const char *opt2);

/*
 * Records: meta/<sha256-hex of the key>.json, one per snapshot, holding
 * {"name","id","kind","parent"?,"labels","created","updated"}. Hashing keeps
 * any 255-byte key (which may start with '.') a fixed-size safe file name.
 */
json_t *snapshot_meta_load(struct snapshot_store *s, const char *key, struct err *e);
int snapshot_meta_save(struct snapshot_store *s, const json_t *rec, struct err *e);
int snapshot_meta_delete(struct snapshot_store *s, const char *key, struct err *e);
/* Every record (an array, new reference); temp files are skipped. */
json_t *snapshot_meta_all(struct snapshot_store *s, struct err *e);

/*
 * The parent index: meta/children/<hex of parent>/<hex of child>, empty
 * files. An entry is made before its child's record is published and removed
 * after that record is removed, all under the store lock, so a crash leaves
 * at most a dangling entry (its record gone, or naming another parent), which
 * the readers below ignore and remove.
 */
/* Open s->childfd, building the index from the records if it is missing. */
int snapshot_children_open(struct snapshot_store *s, struct err *e);
int snapshot_children_add(struct snapshot_store *s, const char *parent, const char *child,
			  struct err *e);
/* Remove the entry of child under parent (no-op for a NULL parent); best effort. */
void snapshot_children_del(struct snapshot_store *s, const char *parent, const char *child);
/* Does any record name key as its parent? O(children) through the index. */
int snapshot_meta_has_children(struct snapshot_store *s, const char *key, struct err *e);
/* Drop every dangling entry and emptied parent directory (cleanup). */
int snapshot_children_repair(struct snapshot_store *s, struct err *e);

#endif
