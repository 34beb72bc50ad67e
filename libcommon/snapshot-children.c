/* SPDX-License-Identifier: Apache-2.0 */
/* The parent index meta/children/<parent hex>/<child hex>: who has children, without a scan. */
#include "snapshot-driver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "jsonio.h"
#include "lock.h"
#include "path.h"
#include "xmem.h"

#define REC_MAX (1u << 20)

static void
key_hex(const char *key, char out[DIGEST_HEX_LEN + 1])
{
	char d[DIGEST_STR_LEN + 1];

	digest_buf(key, strlen(key), d);
	snprintf(out, DIGEST_HEX_LEN + 1, "%s", digest_hex(d));
}

static bool
is_hex_name(const char *n)
{
	return strlen(n) == DIGEST_HEX_LEN && strspn(n, "0123456789abcdef") == DIGEST_HEX_LEN;
}

static int
add_at(int childfd, const char *phex, const char *chex, struct err *e)
{
	_cleanup_close_ int pfd = -1, fd = -1;
	bool made = mkdirat(childfd, phex, 0700) == 0;

	if (!made && errno != EEXIST)
		return err_set(e, errno, "mkdir 'meta/children/%s'", phex);
	/* a new parent directory must itself survive a crash */
	if (made && fsync(childfd) < 0)
		return err_set(e, errno, "fsync 'meta/children'");
	pfd = openat(childfd, phex, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return err_set(e, errno, "open 'meta/children/%s'", phex);
	fd = openat(pfd, chex, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, errno, "create 'meta/children/%s/%s'", phex, chex);
	if (fsync(pfd) < 0)
		return err_set(e, errno, "fsync 'meta/children/%s'", phex);
	return 0;
}

int
snapshot_children_add(struct snapshot_store *s, const char *parent, const char *child,
		      struct err *e)
{
	char phex[DIGEST_HEX_LEN + 1], chex[DIGEST_HEX_LEN + 1];

	key_hex(parent, phex);
	key_hex(child, chex);
	return add_at(s->childfd, phex, chex, e);
}

/* Best effort: an entry left behind is dangling, which the readers repair. */
void
snapshot_children_del(struct snapshot_store *s, const char *parent, const char *child)
{
	char phex[DIGEST_HEX_LEN + 1], chex[DIGEST_HEX_LEN + 1], path[2 * DIGEST_HEX_LEN + 2];

	if (!parent)
		return;
	key_hex(parent, phex);
	key_hex(child, chex);
	snprintf(path, sizeof(path), "%s/%s", phex, chex);
	unlinkat(s->childfd, path, 0);
}

/* Does the record of chex exist and name the parent hashed to phex? */
static bool
is_live_child(struct snapshot_store *s, const char *chex, const char *phex)
{
	char name[DIGEST_HEX_LEN + 6], got[DIGEST_HEX_LEN + 1];
	struct err e = {0};
	json_auto_t *rec = NULL;
	const char *p;

	snprintf(name, sizeof(name), "%s.json", chex);
	rec = jsonio_load_at(s->metafd, name, REC_MAX, &e);
	/* an unreadable record is kept as a child: refusing removal is the safe side */
	if (!rec)
		return e.sys != ENOENT;
	if (!(p = jsonio_str(rec, "parent")))
		return false;
	key_hex(p, got);
	return !strcmp(got, phex);
}

/*
 * Count the live entries of children/<phex>, removing dangling ones: a crash
 * after an entry's creation and before its record's publication, or after a
 * record's removal and before its entry's. Under the store lock.
 */
static int
scan_parent(struct snapshot_store *s, const char *phex, struct err *e)
{
	_cleanup_free_ char *what = xasprintf("meta/children/%s", phex);
	_cleanup_closedir_ DIR *d = path_opendir(s->childfd, phex, what, e);
	struct dirent *de;
	int live = 0;

	if (!d)
		return e->sys == ENOENT ? 0 : -1;
	while ((errno = 0, de = readdir(d))) {
		if (!is_hex_name(de->d_name))
			continue;
		if (is_live_child(s, de->d_name, phex))
			live++;
		else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
			return err_set(e, errno, "remove 'meta/children/%s/%s'", phex, de->d_name);
	}
	if (errno)
		return err_set(e, errno, "readdir 'meta/children/%s'", phex);
	if (!live)
		unlinkat(s->childfd, phex, AT_REMOVEDIR);
	return live;
}

/* Called under the store lock, like every writer of records and entries. */
int
snapshot_meta_has_children(struct snapshot_store *s, const char *key, struct err *e)
{
	char phex[DIGEST_HEX_LEN + 1];
	int n;

	key_hex(key, phex);
	n = scan_parent(s, phex, e);
	return n < 0 ? -1 : n > 0;
}

/* Cleanup: drop dangling entries and the directories of parents that are gone. */
int
snapshot_children_repair(struct snapshot_store *s, struct err *e)
{
	_cleanup_free_ char *what = xasprintf("%s/meta/children", s->path);
	_cleanup_closedir_ DIR *d = path_opendir(s->childfd, ".", what, e);
	struct dirent *de;

	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d)))
		if (is_hex_name(de->d_name) && scan_parent(s, de->d_name, e) < 0)
			return -1;
	return errno ? err_set(e, errno, "readdir '%s/meta/children'", s->path) : 0;
}

/* Build the whole index in children.new from the records, then rename it in place. */
static int
build_index(struct snapshot_store *s, struct err *e)
{
	json_auto_t *all = NULL;
	_cleanup_close_ int fd = -1;
	json_t *rec;
	size_t i;

	if (path_rm_rf(s->metafd, "children.new", e) < 0)
		return -1;
	if (mkdirat(s->metafd, "children.new", 0700) < 0)
		return err_set(e, errno, "mkdir '%s/meta/children.new'", s->path);
	fd = openat(s->metafd, "children.new", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(all = snapshot_meta_all(s, e)))
		return fd < 0 ? err_set(e, errno, "open '%s/meta/children.new'", s->path) : -1;
	json_array_foreach(all, i, rec) {
		const char *p = jsonio_str(rec, "parent");
		char phex[DIGEST_HEX_LEN + 1], chex[DIGEST_HEX_LEN + 1];

		if (!p)
			continue;
		key_hex(p, phex);
		key_hex(jsonio_str(rec, "name"), chex);
		if (add_at(fd, phex, chex, e) < 0)
			return -1;
	}
	if (fsync(fd) < 0 || renameat(s->metafd, "children.new", s->metafd, "children") < 0 ||
	    fsync(s->metafd) < 0)
		return err_set(e, errno, "install '%s/meta/children'", s->path);
	return 0;
}

/*
 * Open the index, building it first when the store predates it (or is new):
 * under the store lock, so no record changes during the scan, and installed
 * by a rename, so an index that exists is complete.
 */
int
snapshot_children_open(struct snapshot_store *s, struct err *e)
{
	_cleanup_close_ int lk = -1;
	const int fl = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

	if ((s->childfd = openat(s->metafd, "children", fl)) >= 0)
		return 0;
	if (errno != ENOENT)
		return err_set(e, errno, "open '%s/meta/children'", s->path);
	if ((lk = lock_at(s->dirfd, "lock", 0, e)) < 0)
		return -1;
	/* another opener may have built it while we waited for the lock */
	if ((s->childfd = openat(s->metafd, "children", fl)) < 0) {
		if (errno != ENOENT)
			return err_set(e, errno, "open '%s/meta/children'", s->path);
		if (build_index(s, e) < 0)
			return -1;
		s->childfd = openat(s->metafd, "children", fl);
		if (s->childfd < 0)
			return err_set(e, errno, "open '%s/meta/children'", s->path);
	}
	return 0;
}
