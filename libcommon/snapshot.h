/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshots: stacked filesystem trees and the Mount list that describes each. */
#ifndef CTR_SNAPSHOT_H
#define CTR_SNAPSHOT_H

#include <jansson.h>
#include <stdbool.h>

#include "du.h"
#include "err.h"
#include "snapshotter.h"
#include "state.h"

/*
 * A store of one driver (enum snapshotter) under $ROOT/snapshots/<name>.
 * Keys and names are path-safe strings (path_check_name, <= 255 bytes); the
 * on-disk directory of a snapshot is a short id, not its key, so that mount
 * options stay short. Kinds: "active" (writable), "view" (read-only active),
 * "committed" (immutable, may be a parent).
 */
struct snapshot_store;

enum {
	SNAPSHOT_VIEW = 1 << 0, /* prepare a read-only view instead of an active snapshot */
};

/* Open the store of drv under st's root. *out freed by snapshot_store_free. */
int snapshot_store_open(const struct state *st, enum snapshotter drv, struct snapshot_store **out,
			struct err *e);
/*
 * Has drv's store been made under st's root? 1 or 0, -1 with e filled when
 * that cannot be known. Lets a caller that looks in every store skip absent
 * ones instead of creating them by opening them.
 */
int snapshot_store_exists(const struct state *st, enum snapshotter drv, struct err *e);
void snapshot_store_free(struct snapshot_store *s);
/* The driver's name (snapshotter_name). Static. */
const char *snapshot_store_driver(const struct snapshot_store *s);

/*
 * Create an active snapshot key on committed parent (NULL for none), with
 * labels (a JSON object of strings, or NULL). *mounts gets the Mount list
 * (new reference) when mounts is not NULL. Fails with code "exists" when key
 * is taken, "not-found" when parent is missing, "invalid" when parent is not
 * committed.
 */
int snapshot_prepare(struct snapshot_store *s, const char *key, const char *parent,
		     const json_t *labels, int flags, json_t **mounts, struct err *e);
/*
 * Freeze active key into committed name. When name exists already, the
 * active snapshot is dropped and 0 returned (concurrent unpackers of one
 * layer both succeed). parent, when not NULL, sets the parent of a snapshot
 * prepared without one: legal for drivers whose writable layer does not
 * depend on its parent (overlay), so layers can be applied in parallel.
 */
int snapshot_commit(struct snapshot_store *s, const char *name, const char *key, const char *parent,
		    const json_t *labels, struct err *e);
/* Remove a snapshot; refused (code "conflict") while it has children. */
int snapshot_remove(struct snapshot_store *s, const char *key, struct err *e);
/*
 * snapshot_remove, counting in u (du.h) what its directory held as it goes:
 * one pass, where snapshot_usage and then snapshot_remove read it twice.
 * u NULL counts nothing (du_remove).
 */
int snapshot_remove_du(struct snapshot_store *s, const char *key, struct du *u, struct err *e);
/*
 * snapshot_remove, but the directory is moved into the store's trash
 * (SNAPSHOT_TRASH) instead of unlinked: its key is free at once, and
 * snapshot_trash_empty, or any later snapshot_cleanup, unlinks its files.
 */
int snapshot_discard(struct snapshot_store *s, const char *key, struct err *e);

/* The trash of a store, snapshots/<driver>/trash/<id>: directories no record names. */
#define SNAPSHOT_TRASH "trash"
/* Move directory id of the store into its trash (creating it). */
int snapshot_trash_put(struct snapshot_store *s, const char *id, struct err *e);
/*
 * Take the trash's lock (flock on the directory): who holds it is emptying
 * it. !wait: fails "busy" when someone does. "not-found": no trash. Returns
 * an O_DIRECTORY fd on the trash, holding the lock.
 */
int snapshot_trash_lock(struct snapshot_store *s, bool wait, struct err *e);
/*
 * Unlink everything in the trash whose lock lk is held (snapshot_trash_lock),
 * counting it in u (NULL: nothing counted); removed (when not NULL) gets
 * "trash/<id>" names.
 */
int snapshot_trash_empty(int lk, struct du *u, json_t *removed, struct err *e);
/*
 * The lock of committed chain ID chain ("sha256:<hex>"): the file
 * chain-<hex>.lock beside the store's snapshots (ctr-state(5)), held by
 * whoever makes that snapshot, so that unpacks on one root apply a layer
 * once whatever their state directories. Waits for it; returns the fd that
 * holds it. The file lives only while held (lock_transient_at).
 */
int snapshot_chain_lock(struct snapshot_store *s, const char *chain, struct err *e);
/* Remove chain's lock file, then release fd (fd < 0: nothing). */
void snapshot_chain_unlock(struct snapshot_store *s, const char *chain, int fd);
/*
 * The chain lock files nobody holds (a SIGKILLed holder's): each is removed
 * while held (lock_transient_reap), unless keep, and its store-relative
 * name appended to removed.
 */
int snapshot_chain_reap(struct snapshot_store *s, bool keep, json_t *removed, struct err *e);
/* The Mount list of key (new reference). */
json_t *snapshot_mounts(struct snapshot_store *s, const char *key, struct err *e);
/* {"name","kind","parent","labels","created","updated"} of key (new reference). */
json_t *snapshot_stat(struct snapshot_store *s, const char *key, struct err *e);
/* Does key exist? Sets *kind ("active", "view", "committed") when kind is not NULL. */
bool snapshot_exists(struct snapshot_store *s, const char *key, const char **kind);
/*
 * An O_DIRECTORY fd on the writable tree of active key (overlay: its upperdir;
 * native: its full tree), for appliers that write a layer without mounting.
 */
int snapshot_open_dir(struct snapshot_store *s, const char *key, struct err *e);
/*
 * For a diff of active key against its parent: *fd gets its own tree (as
 * snapshot_open_dir: overlay's upperdir, native's full copy) and *parentfd
 * its parent's fs/ (native: the parent's full tree). Fails "invalid" for a
 * view or committed snapshot and for one without a parent.
 */
int snapshot_open_diff(struct snapshot_store *s, const char *key, int *fd, int *parentfd,
		       struct err *e);
/* All snapshots, as an array of snapshot_stat objects (new reference). */
json_t *snapshot_list(struct snapshot_store *s, struct err *e);

/*
 * The key of a container's snapshot, "ctr:NS:ID" (ctr-state(5)): ids have no
 * ':', so keys of two namespaces never collide. New string.
 */
char *snapshot_container_key(const char *ns, const char *id);
/* Remove key from drv's store when it is there (opening the store). */
int snapshot_remove_in(const struct state *st, enum snapshotter drv, const char *key,
		       struct err *e);
/*
 * Remove key from every store that has it: for a container whose record,
 * which says which snapshotter, was never written.
 */
int snapshot_remove_everywhere(const struct state *st, const char *key, struct err *e);

/* The store's directory, $ROOT/snapshots/<driver> (absolute). Borrowed. */
const char *snapshot_store_path(const struct snapshot_store *s);
/* Is key a valid key or name (what names it in the message)? 0 or -1 ("invalid"). */
int snapshot_check_key(const char *key, const char *what, struct err *e);
/*
 * Disk usage of key's own layer (its fs/ directory, not its parents'), like
 * du(1): *bytes allocated (st_blocks * 512) and *inodes, hard links once.
 */
int snapshot_usage(struct snapshot_store *s, const char *key, long long *bytes, long long *inodes,
		   struct err *e);
/*
 * Reclaim what a crash left: directories no record names (finished or
 * half-built "new-*" ones whose builder is gone), temp records, and the
 * active record left beside its committed one by a commit cut short.
 * *removed (new reference, when not NULL) gets the store-relative names.
 */
int snapshot_cleanup(struct snapshot_store *s, json_t **removed, struct err *e);

#endif
