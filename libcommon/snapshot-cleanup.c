/* SPDX-License-Identifier: Apache-2.0 */
/* Reclaiming what a crash left in the snapshot store. */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "jsonio.h"
#include "lock.h"
#include "path.h"
#include "snapshot-driver.h"
#include "xmem.h"

static bool
is_id(const char *n)
{
	return strlen(n) == SNAPSHOT_ID_LEN && strspn(n, "0123456789abcdef") == SNAPSHOT_ID_LEN;
}

/*
 * A commit cut short leaves the active record beside the committed one on
 * the same directory: the committed record wins. Returns the set of ids in
 * use (an object id -> name, new reference).
 */
static json_t *
records_in_use(struct snapshot_store *s, json_t *removed, struct err *e)
{
	json_auto_t *all = snapshot_meta_all(s, e);
	json_t *ids, *rec;
	size_t i;

	if (!all)
		return NULL;
	ids = json_object();
	json_array_foreach(all, i, rec)
		if (!strcmp(jsonio_str(rec, "kind"), "committed"))
			json_object_set(ids, jsonio_str(rec, "id"), json_object_get(rec, "name"));
	json_array_foreach(all, i, rec) {
		const char *id = jsonio_str(rec, "id"), *name = jsonio_str(rec, "name");

		if (!json_object_get(ids, id)) {
			json_object_set(ids, id, json_object_get(rec, "name"));
			continue;
		}
		if (!strcmp(jsonio_str(rec, "kind"), "committed"))
			continue;
		if (snapshot_meta_delete(s, name, e) < 0) {
			json_decref(ids);
			return NULL;
		}
		snapshot_children_del(s, jsonio_str(rec, "parent"), name);
		json_array_append_new(removed, json_sprintf("meta: %s", name));
	}
	return ids;
}

/* A "new-*" directory whose builder still holds its flock is work in progress. */
static bool
in_progress(struct snapshot_store *s, const char *name)
{
	_cleanup_close_ int fd =
	    openat(s->dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

static int
sweep_dirs(struct snapshot_store *s, const json_t *ids, json_t *removed, struct err *e)
{
	_cleanup_closedir_ DIR *d = path_opendir(s->dirfd, ".", s->path, e);
	struct dirent *de;

	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d))) {
		const char *n = de->d_name;
		bool orphan = is_id(n) && !json_object_get(ids, n);
		bool unfinished = !strncmp(n, "new-", 4) && !in_progress(s, n);

		if (!orphan && !unfinished)
			continue;
		if (path_rm_rf(s->dirfd, n, e) < 0)
			return err_prefix(e, "remove '%s/%s'", s->path, n);
		json_array_append_new(removed, json_string(n));
	}
	return errno ? err_set(e, errno, "readdir '%s'", s->path) : 0;
}

static int
sweep_temps(struct snapshot_store *s, json_t *removed, struct err *e)
{
	_cleanup_free_ char *what = xasprintf("%s/meta", s->path);
	_cleanup_closedir_ DIR *d = path_opendir(s->metafd, ".", what, e);
	struct dirent *de;

	if (!d)
		return -1;
	/* every record writer holds the store lock, as we do: these temps are dead */
	while ((errno = 0, de = readdir(d)))
		if (afile_is_temp(de->d_name)) {
			if (unlinkat(s->metafd, de->d_name, 0) < 0 && errno != ENOENT)
				return err_set(e, errno, "remove 'meta/%s'", de->d_name);
			json_array_append_new(removed, json_sprintf("meta/%s", de->d_name));
		}
	return errno ? err_set(e, errno, "readdir '%s/meta'", s->path) : 0;
}

/* What a gc that left the unlinking to a child did not see finished: unless it still runs. */
static int
sweep_trash(struct snapshot_store *s, json_t *removed, struct err *e)
{
	struct du u = {0};
	int lk = snapshot_trash_lock(s, false, e), r;

	/* the store owns the name: anything but a directory there is debris */
	if (lk < 0 && !strcmp(e->code, "invalid")) {
		if (unlinkat(s->dirfd, SNAPSHOT_TRASH, 0) < 0 && errno != ENOENT)
			return err_set(e, errno, "remove '%s/%s'", s->path, SNAPSHOT_TRASH);
		json_array_append_new(removed, json_string(SNAPSHOT_TRASH));
		return 0;
	}
	if (lk < 0)
		return !strcmp(e->code, "not-found") || !strcmp(e->code, "busy") ? 0 : -1;
	r = snapshot_trash_empty(lk, &u, removed, e);
	du_release(&u);
	close(lk);
	return r;
}

int
snapshot_cleanup(struct snapshot_store *s, json_t **removed, struct err *e)
{
	_cleanup_close_ int lk = lock_at(s->dirfd, "lock", 0, e);
	json_auto_t *gone = json_array();
	json_auto_t *ids = NULL;

	if (lk < 0 || !(ids = records_in_use(s, gone, e)))
		return -1;
	if (sweep_dirs(s, ids, gone, e) < 0 || sweep_temps(s, gone, e) < 0 ||
	    sweep_trash(s, gone, e) < 0 || snapshot_children_repair(s, e) < 0)
		return -1;
	if (removed)
		*removed = json_incref(gone);
	return 0;
}
