/* SPDX-License-Identifier: Apache-2.0 */
/* The file sweeps of gc: blobs, partial downloads, lock and temp files. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "gc-int.h"
#include "lease.h"
#include "path.h"
#include "xmem.h"

static bool
is_hex64(const char *n, size_t len)
{
	return strspn(n, "0123456789abcdef") == DIGEST_HEX_LEN && len == DIGEST_HEX_LEN;
}

/*
 * Take name's flock if nobody holds it: true with *fd holding it (or -1
 * when there is no such file, which nobody can hold either).
 */
static bool
lock_free(int dirfd, const char *name, int *fd)
{
	*fd = openat(dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return errno == ENOENT;
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return true;
	close(*fd);
	*fd = -1;
	return false;
}

static int
sweep_temps(struct gc *g, int dirfd, const char *rel, struct err *e)
{
	_cleanup_closedir_ DIR *d = path_opendir(dirfd, ".", rel, e);
	struct dirent *de;

	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d)))
		if (gc_dead_temp(de->d_name) && gc_drop_file(g, dirfd, rel, de->d_name, e) < 0)
			return -1;
	return errno ? err_set(e, errno, "read '%s'", rel) : 0;
}

/* layouts/NS/.index.json.tmp-PID of writers gone (content.h: a layout per namespace). */
static int
sweep_layouts(struct gc *g, struct err *e)
{
	_cleanup_closedir_ DIR *top = NULL;
	struct dirent *de;

	if (gc_opendir(g->st->rootfd, "layouts", &top, e) < 0)
		return -1;
	while (top && (errno = 0, de = readdir(top))) {
		_cleanup_free_ char *rel = xasprintf("layouts/%s", de->d_name);
		_cleanup_close_ int fd = -1;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		fd =
		    openat(dirfd(top), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || sweep_temps(g, fd, rel, e) < 0)
			return fd < 0 ? err_set(e, errno, "open '%s'", rel) : -1;
	}
	return top && errno ? err_set(e, errno, "read layouts") : 0;
}

static int
drop_blob(struct gc *g, const char *hex, struct err *e)
{
	char dg[DIGEST_STR_LEN + 1];
	struct stat sb;

	snprintf(dg, sizeof(dg), "sha256:%s", hex);
	if (json_object_get(g->blobs, dg)) {
		g->r->kept_blobs++;
		return 0;
	}
	if (fstatat(g->c.blobsfd, hex, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "stat blob %s", dg);
	/* one unlink per blob: a crash leaves each blob whole or gone */
	if (!g->o->dry_run && unlinkat(g->c.blobsfd, hex, 0) < 0 && errno != ENOENT)
		return err_set(e, errno, "remove blob %s", dg);
	/* its bad mark (content.h), if ctr-image check left one, goes with it */
	if (!g->o->dry_run)
		content_unmark_bad(&g->c, dg);
	json_array_append_new(g->r->blobs, json_string(dg));
	g->r->blob_bytes += sb.st_size;
	return 0;
}

int
gc_sweep_blobs(struct gc *g, struct err *e)
{
	static const char rel[] = "content/blobs/sha256";
	_cleanup_closedir_ DIR *d = path_opendir(g->c.blobsfd, ".", rel, e);
	struct dirent *de;

	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d))) {
		const char *n = de->d_name;

		if (gc_dead_temp(n) && gc_drop_file(g, g->c.blobsfd, rel, n, e) < 0)
			return -1;
		if (is_hex64(n, strlen(n)) && drop_blob(g, n, e) < 0)
			return -1;
	}
	if (errno)
		return err_set(e, errno, "read '%s'", rel);
	if (!g->o->dry_run && json_array_size(g->r->blobs) && fsync(g->c.blobsfd) < 0)
		return err_set(e, errno, "fsync '%s'", rel);
	/* content/index.json's own temp files, and those of the other namespaces' layouts */
	if (sweep_temps(g, g->c.dirfd, "content", e) < 0)
		return -1;
	return sweep_layouts(g, e);
}

/* When the ingest last moved: the newest mtime of its directory and files. */
static time_t
ingest_mtime(int ifd, const char *hex, long long *bytes)
{
	static const char *const files[] = {"", "/data", "/status", "/sha256state", NULL};
	time_t t = 0;

	for (const char *const *f = files; *f; f++) {
		_cleanup_free_ char *p = xasprintf("%s%s", hex, *f);
		struct stat sb;

		if (fstatat(ifd, p, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (sb.st_mtime > t)
			t = sb.st_mtime;
		if (!strcmp(*f, "/data"))
			*bytes = sb.st_size;
	}
	return t;
}

/*
 * Renamed out of the way first, so that a crash mid-removal leaves a
 * ".gc-" directory that no pull would resume from, only the next gc sees.
 */
static int
drop_tree(int ifd, const char *name, struct err *e)
{
	_cleanup_free_ char *trash = xasprintf(".gc-%s", name);

	if (renameat(ifd, name, ifd, trash) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "rename ingest '%s'", name);
	return path_rm_rf(ifd, trash, e);
}

static int
sweep_ingest(struct gc *g, int ifd, const char *hex, time_t now, struct err *e)
{
	_cleanup_free_ char *lockname = xasprintf("%s.lock", hex);
	_cleanup_close_ int lk = -1;
	char dg[DIGEST_STR_LEN + 1];
	long long bytes = 0;
	time_t t = ingest_mtime(ifd, hex, &bytes);

	snprintf(dg, sizeof(dg), "sha256:%s", hex);
	/* a download in flight holds the blob's lock (content_ingest_open) and a lease */
	if (lease_names(g->leases, LEASE_BLOB, dg) || !lock_free(ifd, lockname, &lk))
		return 0;
	/* a published blob's ingest is debris; an idle one is kept a while for a resume */
	if (!content_has(&g->c, dg, -1) && now - t < g->o->ingest_keep_secs)
		return 0;
	if (!g->o->dry_run && drop_tree(ifd, hex, e) < 0)
		return err_prefix(e, "ingest of %s", dg);
	json_array_append_new(g->r->ingests, json_string(dg));
	g->r->ingest_bytes += bytes;
	/* unlinked while we hold it, and under the store lock no puller is waiting on it */
	return lk >= 0 ? gc_drop_file(g, ifd, "content/ingest", lockname, e) : 0;
}

/* <hex>.lock with no <hex>/ beside it: left by every finished download. */
static int
sweep_ingest_lock(struct gc *g, int ifd, const char *name, struct err *e)
{
	_cleanup_free_ char *hex = xstrndup(name, DIGEST_HEX_LEN);
	_cleanup_close_ int lk = -1;
	struct stat sb;

	if (fstatat(ifd, hex, &sb, AT_SYMLINK_NOFOLLOW) == 0 || !lock_free(ifd, name, &lk))
		return 0;
	return gc_drop_file(g, ifd, "content/ingest", name, e);
}

int
gc_sweep_ingests(struct gc *g, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	time_t now = time(NULL);
	struct dirent *de;

	if (gc_opendir(g->c.dirfd, "ingest", &d, e) < 0)
		return -1;
	if (!d)
		return 0;
	while ((errno = 0, de = readdir(d))) {
		const char *n = de->d_name;
		size_t len = strlen(n);
		int r = 0;

		if (is_hex64(n, len))
			r = sweep_ingest(g, dirfd(d), n, now, e);
		else if (len == DIGEST_HEX_LEN + 5 && is_hex64(n, DIGEST_HEX_LEN) &&
			 !strcmp(n + DIGEST_HEX_LEN, ".lock"))
			r = sweep_ingest_lock(g, dirfd(d), n, e);
		else if (!strncmp(n, ".gc-", 4) || gc_dead_temp(n)) {
			if (!g->o->dry_run && path_rm_rf(dirfd(d), n, e) < 0)
				return -1;
			gc_file(g, "content/ingest/%s", n);
		}
		if (r < 0)
			return -1;
	}
	return errno ? err_set(e, errno, "read content/ingest") : 0;
}

/* A lock file of a record that is gone (".<file>.lock" without <file>), or a dead temp. */
static int
sweep_record_file(struct gc *g, int dirfd, const char *rel, const char *n, struct err *e)
{
	size_t len = strlen(n);
	_cleanup_free_ char *rec = NULL;
	_cleanup_close_ int lk = -1;
	struct stat sb;

	if (gc_dead_temp(n))
		return gc_drop_file(g, dirfd, rel, n, e);
	if (n[0] != '.' || len <= 6 || strcmp(n + len - 5, ".lock"))
		return 0;
	rec = xstrndup(n + 1, len - 6);
	if (fstatat(dirfd, rec, &sb, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT ||
	    !lock_free(dirfd, n, &lk))
		return 0;
	return gc_drop_file(g, dirfd, rel, n, e);
}

int
gc_sweep_records(struct gc *g, struct err *e)
{
	_cleanup_closedir_ DIR *top = NULL;
	struct dirent *de, *fe;

	if (gc_opendir(g->st->rootfd, "images", &top, e) < 0)
		return -1;
	while (top && (errno = 0, de = readdir(top))) {
		_cleanup_free_ char *rel = xasprintf("images/%s", de->d_name);
		_cleanup_closedir_ DIR *d = NULL;

		if (de->d_name[0] == '.')
			continue;
		if (gc_opendir(dirfd(top), de->d_name, &d, e) < 0)
			return -1;
		while (d && (errno = 0, fe = readdir(d)))
			if (sweep_record_file(g, dirfd(d), rel, fe->d_name, e) < 0)
				return -1;
		if (d && errno)
			return err_set(e, errno, "read '%s'", rel);
	}
	return top && errno ? err_set(e, errno, "read images") : 0;
}
