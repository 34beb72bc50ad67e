/* SPDX-License-Identifier: Apache-2.0 */
/* Walking a snapshot's changes: overlay's upper directory, or native's two trees compared. */
#include "diff.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "priv.h"
#include "xattrs.h"
#include "xmem.h"

#define DEPTH_MAX 512

struct names {
	char **v;
	size_t n;
};

static void
names_release(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int
by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd but . and .., sorted byte-wise; fd < 0 gives none. */
static int
list_dir(int fd, const char *path, struct names *l, struct err *e)
{
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;
	int dup;

	l->v = NULL;
	l->n = 0;
	if (fd < 0)
		return 0;
	if ((dup = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    !(dir = fdopendir(dup))) {
		if (dup >= 0)
			close(dup);
		return err_set(e, errno, "open directory '%s'", *path ? path : "/");
	}
	while ((errno = 0, d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		xgrow((void **)&l->v, &cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = xstrdup(d->d_name);
	}
	closedir(dir);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), by_bytes);
	return 0;
}

static char *
join(const char *dir, const char *name)
{
	return *dir ? xasprintf("%s/%s", dir, name) : xstrdup(name);
}

static int
open_sub(int fd, const char *name, const char *path, struct err *e)
{
	int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (sub < 0)
		return err_set(e, errno, "open directory '%s'", path);
	return sub;
}

static int
stat_at(int fd, const char *name, const char *path, struct stat *st, struct err *e)
{
	if (fstatat(fd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(e, errno, "stat '%s'", path);
	return 0;
}

/* Is directory name marked opaque (or redirected, which a diff cannot follow)? */
static int
overlay_dir_marks(int fd, const char *name, const char *path, bool *opaque, struct err *e)
{
	struct xattrs x;
	size_t len;
	const char *v;

	if (xattrs_read(fd, name, &x, e) < 0)
		return err_prefix(e, "'%s'", path);
	/* a rootless store's marks are the user ones, as overlay reads them with userxattr */
	v = xattrs_get(&x, priv_rootless() ? "user.overlay.opaque" : "trusted.overlay.opaque",
		       &len);
	*opaque = v && len == 1 && *v == 'y';
	v = xattrs_get(&x, priv_rootless() ? "user.overlay.redirect" : "trusted.overlay.redirect",
		       &len);
	xattrs_release(&x);
	if (v)
		return err_code(e, "invalid",
				"'%s' is a renamed directory (overlay redirect_dir): its contents "
				"are not in the upper layer",
				path);
	return 0;
}

static int overlay_walk(int fd, const char *dir, struct layer_writer *w, int depth, struct err *e);

static int
overlay_entry(int fd, const char *dir, const char *name, struct layer_writer *w, int depth,
	      struct err *e)
{
	_cleanup_free_ char *path = join(dir, name);
	_cleanup_close_ int sub = -1;
	bool opaque = false;
	struct stat st;

	if (stat_at(fd, name, path, &st, e) < 0)
		return -1;
	if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
		return layer_whiteout(w, dir, name, e);
	if (S_ISDIR(st.st_mode) && overlay_dir_marks(fd, name, path, &opaque, e) < 0)
		return -1;
	if (layer_add(w, path, fd, name, &st, e) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (opaque && layer_whiteout(w, path, ".wh..opq", e) < 0)
		return -1;
	if ((sub = open_sub(fd, name, path, e)) < 0)
		return -1;
	return overlay_walk(sub, path, w, depth + 1, e);
}

static int
overlay_walk(int fd, const char *dir, struct layer_writer *w, int depth, struct err *e)
{
	struct names l;
	int rc = 0;

	if (depth > DEPTH_MAX)
		return err_code(e, "limit", "'%s': deeper than %d directories", dir, DEPTH_MAX);
	if (list_dir(fd, dir, &l, e) < 0)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++)
		rc = overlay_entry(fd, dir, l.v[i], w, depth, e);
	names_release(&l);
	return rc;
}

int
diff_overlay(int fd, struct layer_writer *w, struct err *e)
{
	return overlay_walk(fd, "", w, 0, e);
}

/* Do two regular files of one size hold the same bytes? */
static int
same_bytes(int cfd, int pfd, const char *name, const char *path, struct err *e)
{
	_cleanup_close_ int a = openat(cfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int b = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char x[1 << 15], y[1 << 15];
	ssize_t n, m;

	if (a < 0 || b < 0)
		return err_set(e, errno, "open '%s'", path);
	do {
		n = fdio_read_full(a, x, sizeof(x));
		m = fdio_read_full(b, y, sizeof(y));
		if (n < 0 || m < 0)
			return err_set(e, errno, "read '%s'", path);
		if (n != m || memcmp(x, y, (size_t)n))
			return 0;
	} while (n > 0);
	return 1;
}

static int
same_link(int cfd, int pfd, const char *name, const char *path, struct err *e)
{
	char a[4097], b[4097];
	ssize_t n = readlinkat(cfd, name, a, sizeof(a)), m = readlinkat(pfd, name, b, sizeof(b));

	if (n < 0 || m < 0)
		return err_set(e, errno, "readlink '%s'", path);
	return n == m && !memcmp(a, b, (size_t)n);
}

static int
same_xattrs(int cfd, int pfd, const char *name, const char *path, struct err *e)
{
	struct xattrs a, b;
	int same;

	if (xattrs_read(cfd, name, &a, e) < 0)
		return err_prefix(e, "'%s'", path);
	if (xattrs_read(pfd, name, &b, e) < 0) {
		xattrs_release(&a);
		return err_prefix(e, "'%s'", path);
	}
	same = xattrs_equal(&a, &b);
	xattrs_release(&a);
	xattrs_release(&b);
	return same;
}

/* 1 when the entry in both trees is unchanged, 0 when it changed, -1 on error. */
static int
native_same(int cfd, int pfd, const char *name, const char *path, const struct stat *c,
	    const struct stat *p, struct err *e)
{
	int r;

	if (c->st_mode != p->st_mode || c->st_uid != p->st_uid || c->st_gid != p->st_gid ||
	    c->st_mtim.tv_sec != p->st_mtim.tv_sec || c->st_mtim.tv_nsec != p->st_mtim.tv_nsec ||
	    c->st_rdev != p->st_rdev || (!S_ISDIR(c->st_mode) && c->st_size != p->st_size))
		return 0;
	if (S_ISLNK(c->st_mode) && (r = same_link(cfd, pfd, name, path, e)) != 1)
		return r;
	if ((r = same_xattrs(cfd, pfd, name, path, e)) != 1)
		return r;
	if (S_ISREG(c->st_mode) && c->st_mtim.tv_nsec == 0)
		return same_bytes(cfd, pfd, name, path, e);
	return 1;
}

static int native_walk(int cfd, int pfd, const char *dir, struct layer_writer *w, int depth,
		       struct err *e);

/* name is in the child tree; pst is its parent-tree stat, or NULL when it is new there. */
static int
native_entry(int cfd, int pfd, const char *dir, const char *name, const struct stat *pst,
	     struct layer_writer *w, int depth, struct err *e)
{
	_cleanup_free_ char *path = join(dir, name);
	_cleanup_close_ int csub = -1, psub = -1;
	struct stat st;
	int same = 0;

	if (stat_at(cfd, name, path, &st, e) < 0)
		return -1;
	if (pst && (same = native_same(cfd, pfd, name, path, &st, pst, e)) < 0)
		return -1;
	if (!same && layer_add(w, path, cfd, name, &st, e) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if ((csub = open_sub(cfd, name, path, e)) < 0)
		return -1;
	/* a directory that was one before is compared; a new one is added whole */
	if (pst && S_ISDIR(pst->st_mode) && (psub = open_sub(pfd, name, path, e)) < 0)
		return -1;
	return native_walk(csub, psub, path, w, depth + 1, e);
}

static int
native_walk(int cfd, int pfd, const char *dir, struct layer_writer *w, int depth, struct err *e)
{
	struct names c, p = {NULL, 0};
	size_t i = 0, j = 0;
	struct stat pst;
	int rc = 0, cmp;

	if (depth > DEPTH_MAX)
		return err_code(e, "limit", "'%s': deeper than %d directories", dir, DEPTH_MAX);
	if (list_dir(cfd, dir, &c, e) < 0 || list_dir(pfd, dir, &p, e) < 0) {
		names_release(&c);
		return -1;
	}
	while (rc == 0 && (i < c.n || j < p.n)) {
		cmp = i == c.n ? 1 : j == p.n ? -1 : strcmp(c.v[i], p.v[j]);
		if (cmp > 0)
			rc = layer_whiteout(w, dir, p.v[j++], e);
		else if (cmp < 0)
			rc = native_entry(cfd, pfd, dir, c.v[i++], NULL, w, depth, e);
		else if ((rc = stat_at(pfd, p.v[j++], dir, &pst, e)) == 0)
			rc = native_entry(cfd, pfd, dir, c.v[i++], &pst, w, depth, e);
	}
	names_release(&c);
	names_release(&p);
	return rc;
}

int
diff_native(int fd, int parentfd, struct layer_writer *w, struct err *e)
{
	return native_walk(fd, parentfd, "", w, 0, e);
}
