/* SPDX-License-Identifier: Apache-2.0 */
/* The snapshot store: naming, locking and the life cycle prepare, commit, remove. */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonio.h"
#include "lock.h"
#include "path.h"
#include "snapshot-driver.h"
#include "timestamp.h"
#include "xmem.h"

static const struct snapshot_driver *const drivers[SNAP_COUNT] = {
    [SNAP_OVERLAY] = &snapshot_driver_overlay,
    [SNAP_NATIVE] = &snapshot_driver_native,
};

int
snapshot_store_open(const struct state *st, enum snapshotter drv, struct snapshot_store **out,
		    struct err *e)
{
	_cleanup_free_ char *rel = NULL;
	struct snapshot_store *s;

	if ((unsigned)drv >= SNAP_COUNT)
		return err_code(e, "invalid", "unknown snapshotter #%d", (int)drv);
	rel = xasprintf("snapshots/%s", snapshotter_name(drv));
	s = xcalloc(1, sizeof(*s));
	s->drv = drivers[drv];
	s->metafd = -1;
	s->childfd = -1;
	s->path = xasprintf("%s/%s", st->root, rel);
	s->dirfd = state_dir(st, rel, 0, e);
	if (s->dirfd < 0 || (mkdirat(s->dirfd, "meta", 0700) < 0 && errno != EEXIST))
		goto fail;
	s->metafd = openat(s->dirfd, "meta", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->metafd < 0)
		goto fail;
	if (snapshot_children_open(s, e) < 0) {
		snapshot_store_free(s);
		return -1;
	}
	*out = s;
	return 0;
fail:
	if (s->dirfd >= 0)
		err_set(e, errno, "open '%s/meta'", s->path);
	snapshot_store_free(s);
	return -1;
}

void
snapshot_store_free(struct snapshot_store *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->metafd >= 0)
		close(s->metafd);
	if (s->childfd >= 0)
		close(s->childfd);
	free(s->path);
	free(s);
}

const char *
snapshot_store_driver(const struct snapshot_store *s)
{
	return snapshotter_name(s->drv->id);
}

int
snapshot_store_exists(const struct state *st, enum snapshotter drv, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("snapshots/%s", snapshotter_name(drv));
	struct stat sb;

	if (fstatat(st->rootfd, rel, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : err_set(e, errno, "stat '%s/%s'", st->root, rel);
}

const char *
snapshot_store_path(const struct snapshot_store *s)
{
	return s->path;
}

char *
snapshot_path(const struct snapshot_store *s, const char *id, const char *sub)
{
	return xasprintf("%s/%s/%s", s->path, id, sub);
}

json_t *
snapshot_mount_new(const char *type, const char *source, const char *opt1, const char *opt2)
{
	json_t *opts = json_array();

	if (opt1)
		json_array_append_new(opts, json_string(opt1));
	if (opt2)
		json_array_append_new(opts, json_string(opt2));
	return json_pack("{s:s, s:s, s:o}", "type", type, "source", source, "options", opts);
}

int
snapshot_check_key(const char *key, const char *what, struct err *e)
{
	if (!key)
		return err_code(e, "invalid", "%s: missing", what);
	if (path_check_name(key, SNAPSHOT_KEY_MAX, e) < 0)
		return err_prefix(e, "%s", what);
	return 0;
}

static int
check_labels(const json_t *labels, struct err *e)
{
	const char *k;
	json_t *v;

	if (!labels)
		return 0;
	if (!json_is_object(labels))
		return err_code(e, "invalid", "labels must be a JSON object");
	json_object_foreach((json_t *)labels, k, v)
		if (!*k || !json_is_string(v))
			return err_code(e, "invalid",
					"label '%s' must have a name and a string value", k);
	return 0;
}

/* The record of key, which must be committed (a parent). */
static json_t *
load_committed(struct snapshot_store *s, const char *key, struct err *e)
{
	json_t *rec = snapshot_meta_load(s, key, e);

	if (rec && strcmp(jsonio_str(rec, "kind"), "committed")) {
		json_decref(rec);
		err_code(e, "invalid", "parent '%s' is not committed", key);
		return NULL;
	}
	return rec;
}

/* Draw an unused id and make "new-<id>"; called under the store lock. */
static int
make_new_dir(struct snapshot_store *s, char id[16], struct err *e)
{
	unsigned char rnd[SNAPSHOT_ID_LEN / 2];
	char dir[32];
	int fd;

	for (int tries = 0;; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return err_set(e, errno, "getrandom");
		snprintf(id, 16, "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
		snprintf(dir, sizeof(dir), "new-%s", id);
		if (faccessat(s->dirfd, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue; /* in use: draw again */
		if (mkdirat(s->dirfd, dir, 0700) == 0)
			break;
		if (errno != EEXIST || tries > 8)
			return err_set(e, errno, "mkdir '%s/%s'", s->path, dir);
	}
	fd = openat(s->dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? err_set(e, errno, "open '%s/%s'", s->path, dir) : fd;
}

/*
 * Make "new-<id>" and let the driver fill it. The directory is flock'ed
 * before the store lock is dropped, and stays so (fd in *lockfd) while it is
 * built, so that a concurrent cleanup, which holds the store lock, never
 * takes a directory under construction for a crash's leftover.
 */
static int
build_dir(struct snapshot_store *s, const char *parent_id, int flags, char id[16], int *lockfd,
	  struct err *e)
{
	_cleanup_close_ int lk = lock_at(s->dirfd, "lock", 0, e);
	_cleanup_free_ char *dir = NULL;
	int fd;

	if (lk < 0 || (fd = make_new_dir(s, id, e)) < 0)
		return -1;
	dir = xasprintf("new-%s", id);
	if (flock(fd, LOCK_EX) < 0) {
		err_set(e, errno, "lock '%s/%s'", s->path, dir);
		goto undo;
	}
	close(steal_fd(lk));
	if (s->drv->create(s, fd, dir, parent_id, flags, e) < 0)
		goto undo;
	*lockfd = fd;
	return 0;
undo:
	close(fd);
	path_rm_rf(s->dirfd, dir, &(struct err){0});
	return -1;
}

static json_t *
new_record(const char *key, const char *id, const char *kind, const char *parent,
	   const json_t *labels)
{
	char now[TIMESTAMP_LEN];
	json_t *rec;

	timestamp_now(now);
	rec = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "name", key, "id", id, "kind", kind,
			"labels", labels ? json_deep_copy(labels) : json_object(), "created", now,
			"updated", now);
	if (parent)
		json_object_set_new(rec, "parent", json_string(parent));
	return rec;
}

/* Under the store lock: the checks again, then the rename and the record. */
static int
publish(struct snapshot_store *s, const char *key, const char *parent, const char *parent_id,
	const json_t *labels, int flags, const char *id, struct err *e)
{
	_cleanup_close_ int lk = lock_at(s->dirfd, "lock", 0, e);
	_cleanup_free_ char *dir = xasprintf("new-%s", id);
	json_auto_t *prec = NULL, *rec = NULL;

	if (lk < 0)
		return -1;
	if (snapshot_exists(s, key, NULL))
		return err_code(e, "exists", "snapshot '%s' already exists", key);
	if (parent && !(prec = load_committed(s, parent, e)))
		return -1;
	/* the tree was built from this parent: it must not have been replaced meanwhile */
	if (parent && strcmp(jsonio_str(prec, "id"), parent_id))
		return err_code(e, "busy", "parent '%s' changed while '%s' was prepared", parent,
				key);
	if (renameat2(s->dirfd, dir, s->dirfd, id, RENAME_NOREPLACE) < 0)
		return err_set(e, errno, "rename '%s' to '%s'", dir, id);
	rec = new_record(key, id, flags & SNAPSHOT_VIEW ? "view" : "active", parent, labels);
	/* the index entry before the record: a crash leaves it dangling, never missing */
	if ((parent && snapshot_children_add(s, parent, key, e) < 0) ||
	    snapshot_meta_save(s, rec, e) < 0) {
		if (parent)
			snapshot_children_del(s, parent, key);
		path_rm_rf(s->dirfd, id, &(struct err){0});
		return -1;
	}
	return 0;
}

int
snapshot_prepare(struct snapshot_store *s, const char *key, const char *parent,
		 const json_t *labels, int flags, json_t **mounts, struct err *e)
{
	json_auto_t *prec = NULL;
	_cleanup_close_ int dirlock = -1;
	char id[16];

	if (snapshot_check_key(key, "key", e) < 0 ||
	    (parent && snapshot_check_key(parent, "parent", e) < 0) || check_labels(labels, e) < 0)
		return -1;
	/* fail early, before a copy is made; publish() checks again under the lock */
	if (snapshot_exists(s, key, NULL))
		return err_code(e, "exists", "snapshot '%s' already exists", key);
	if (parent && !(prec = load_committed(s, parent, e)))
		return -1;
	if (build_dir(s, prec ? jsonio_str(prec, "id") : NULL, flags, id, &dirlock, e) < 0)
		return -1;
	if (publish(s, key, parent, prec ? jsonio_str(prec, "id") : NULL, labels, flags, id, e) <
	    0) {
		_cleanup_free_ char *dir = xasprintf("new-%s", id);

		path_rm_rf(s->dirfd, dir, &(struct err){0});
		return -1;
	}
	if (mounts && !(*mounts = snapshot_mounts(s, key, e)))
		return -1;
	return 0;
}

/*
 * Does a committed record other than rec name rec's directory? A commit cut
 * short between its two writes (snapshot_commit) leaves the active record
 * beside the committed one: removing that active snapshot (a stale unpack's,
 * by its dead owner) must not take the committed one's directory. Read
 * only for an active or view record. 1, 0 or -1.
 */
static int
committed_on(struct snapshot_store *s, const json_t *rec, struct err *e)
{
	const char *id = jsonio_str(rec, "id"), *name = jsonio_str(rec, "name");
	json_auto_t *all = NULL;
	const json_t *r;
	size_t i;

	if (!strcmp(jsonio_str(rec, "kind") ?: "", "committed"))
		return 0;
	if (!(all = snapshot_meta_all(s, e)))
		return -1;
	json_array_foreach(all, i, r)
		if (!strcmp(jsonio_str(r, "kind") ?: "", "committed") &&
		    !strcmp(jsonio_str(r, "id") ?: "", id) &&
		    strcmp(jsonio_str(r, "name") ?: "", name))
			return 1;
	return 0;
}

/* What becomes of a snapshot's directory once its record is gone. */
enum fate { UNLINK, UNLINK_COUNTED, TRASH };

/*
 * Drop the record and then the directory of rec (counting what goes in u,
 * or moving it into the trash); a crash between leaves an orphan for cleanup.
 */
static int
drop_as(struct snapshot_store *s, const json_t *rec, enum fate f, struct du *u, struct err *e)
{
	const char *key = jsonio_str(rec, "name"), *id = jsonio_str(rec, "id");
	int shared = committed_on(s, rec, e);
	int r;

	if (shared < 0 || snapshot_meta_delete(s, key, e) < 0)
		return -1;
	snapshot_children_del(s, jsonio_str(rec, "parent"), key);
	/* the record of a commit cut short: its directory is the committed one's now */
	if (shared)
		return 0;
	if (f == TRASH)
		r = snapshot_trash_put(s, id, e);
	else
		r = du_remove(f == UNLINK_COUNTED ? u : NULL, s->dirfd, id, e);
	return r < 0 ? err_prefix(e, "remove snapshot '%s'", key) : 0;
}

static int
drop(struct snapshot_store *s, const json_t *rec, struct err *e)
{
	return drop_as(s, rec, UNLINK, NULL, e);
}

/* The parent that commit gives name: the active's own, or the one asked for. */
static int
commit_parent(struct snapshot_store *s, const json_t *act, const char *parent, const char **out,
	      struct err *e)
{
	const char *own = jsonio_str(act, "parent");
	json_auto_t *prec = NULL;

	*out = own;
	if (!parent || (own && !strcmp(own, parent)))
		return 0;
	if (own)
		return err_code(e, "invalid", "snapshot '%s' already has parent '%s', not '%s'",
				jsonio_str(act, "name"), own, parent);
	if (!s->drv->late_parent)
		return err_code(e, "invalid",
				"the %s snapshotter cannot give a parent to a snapshot prepared "
				"without one",
				snapshotter_name(s->drv->id));
	if (snapshot_check_key(parent, "parent", e) < 0 || !(prec = load_committed(s, parent, e)))
		return -1;
	*out = parent;
	return 0;
}

/* Another committer won: the same name on the same parent is the same content. */
static int
commit_exists(struct snapshot_store *s, const json_t *old, const json_t *act, const char *parent,
	      struct err *e)
{
	const char *name = jsonio_str(old, "name");
	const char *op = jsonio_str(old, "parent");

	if (strcmp(jsonio_str(old, "kind"), "committed"))
		return err_code(e, "exists", "snapshot '%s' already exists and is not committed",
				name);
	if ((op || parent) && (!op || !parent || strcmp(op, parent)))
		return err_code(e, "exists", "snapshot '%s' already exists with parent '%s'", name,
				op ? op : "(none)");
	return drop(s, act, e);
}

int
snapshot_commit(struct snapshot_store *s, const char *name, const char *key, const char *parent,
		const json_t *labels, struct err *e)
{
	_cleanup_close_ int lk = -1;
	json_auto_t *act = NULL, *old = NULL, *rec = NULL;
	const char *par;

	if (snapshot_check_key(name, "name", e) < 0 || snapshot_check_key(key, "key", e) < 0 ||
	    check_labels(labels, e) < 0)
		return -1;
	if ((lk = lock_at(s->dirfd, "lock", 0, e)) < 0 || !(act = snapshot_meta_load(s, key, e)))
		return -1;
	if (strcmp(jsonio_str(act, "kind"), "active"))
		return err_code(e, "invalid", "snapshot '%s' is not active (it is %s)", key,
				jsonio_str(act, "kind"));
	if (commit_parent(s, act, parent, &par, e) < 0)
		return -1;
	if (strcmp(name, key) && (old = snapshot_meta_load(s, name, e)))
		return commit_exists(s, old, act, par, e);
	if (!old && strcmp(name, key) && strcmp(e->code, "not-found"))
		return -1;
	rec = new_record(name, jsonio_str(act, "id"), "committed", par,
			 json_object_get(act, "labels"));
	if (labels)
		json_object_update(json_object_get(rec, "labels"), (json_t *)labels);
	json_object_set(rec, "created", json_object_get(act, "created"));
	/*
	 * The new record first, then the old one's removal: a crash between
	 * leaves two records on one directory, which cleanup resolves in
	 * favour of the committed one.
	 */
	if ((par && snapshot_children_add(s, par, name, e) < 0) ||
	    snapshot_meta_save(s, rec, e) < 0)
		return -1;
	if (!strcmp(name, key))
		return 0;
	if (snapshot_meta_delete(s, key, e) < 0)
		return -1;
	snapshot_children_del(s, jsonio_str(act, "parent"), key);
	return 0;
}

static int
remove_as(struct snapshot_store *s, const char *key, enum fate f, struct du *u, struct err *e)
{
	_cleanup_close_ int lk = -1;
	json_auto_t *rec = NULL;
	int r;

	if (snapshot_check_key(key, "key", e) < 0)
		return -1;
	if ((lk = lock_at(s->dirfd, "lock", 0, e)) < 0 || !(rec = snapshot_meta_load(s, key, e)))
		return -1;
	if ((r = snapshot_meta_has_children(s, key, e)) < 0)
		return -1;
	if (r)
		return err_code(e, "conflict", "snapshot '%s' has children; remove them first",
				key);
	return drop_as(s, rec, f, u, e);
}

int
snapshot_remove(struct snapshot_store *s, const char *key, struct err *e)
{
	return remove_as(s, key, UNLINK, NULL, e);
}

int
snapshot_remove_du(struct snapshot_store *s, const char *key, struct du *u, struct err *e)
{
	return remove_as(s, key, UNLINK_COUNTED, u, e);
}

int
snapshot_discard(struct snapshot_store *s, const char *key, struct err *e)
{
	return remove_as(s, key, TRASH, NULL, e);
}
