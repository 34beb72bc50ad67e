/* SPDX-License-Identifier: Apache-2.0 */
/* Tar entries of a layer from files on disk: metadata, xattrs, link targets, data. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "layer-int.h"
#include "xattrs.h"
#include "xmem.h"

#define LINK_MAX_LEN 4096

static void
entry_freep(struct archive_entry **p)
{
	if (*p)
		archive_entry_free(*p);
}
#define _cleanup_entry_ __attribute__((cleanup(entry_freep)))

void
layer_links_free(struct layer_writer *w)
{
	for (size_t i = 0; i < w->nlinks; i++)
		free(w->links[i].path);
	free(w->links);
	w->links = NULL;
	w->nlinks = w->caplinks = 0;
}

/* The path this inode was added under already, or NULL (and it is noted for the next link). */
static const char *
seen_link(struct layer_writer *w, const char *path, const struct stat *st)
{
	for (size_t i = 0; i < w->nlinks; i++)
		if (w->links[i].dev == st->st_dev && w->links[i].ino == st->st_ino)
			return w->links[i].path;
	xgrow((void **)&w->links, &w->caplinks, w->nlinks + 1, sizeof(*w->links));
	w->links[w->nlinks++] = (struct layer_link){st->st_dev, st->st_ino, xstrdup(path)};
	return NULL;
}

static int
write_header(struct layer_writer *w, struct archive_entry *ae, struct err *e)
{
	if (archive_write_header(w->a, ae) == ARCHIVE_OK)
		return 0;
	if (w->failed)
		return *e = w->err, -1;
	return err_code(e, "system", "tar entry '%s': %s", archive_entry_pathname(ae),
			archive_error_string(w->a));
}

/* Copy exactly size bytes of the file; one that grows or shrinks meanwhile is an error. */
static int
write_data(struct layer_writer *w, int dirfd, const char *name, const char *path, int64_t size,
	   struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char buf[1 << 16];
	ssize_t n;

	if (fd < 0)
		return err_set(e, errno, "open '%s'", path);
	while (size > 0) {
		n = fdio_read_full(fd, buf,
				   size < (int64_t)sizeof(buf) ? (size_t)size : sizeof(buf));
		if (n < 0)
			return err_set(e, errno, "read '%s'", path);
		if (n == 0)
			break;
		if (archive_write_data(w->a, buf, (size_t)n) != n)
			return w->failed ? (*e = w->err, -1)
					 : err_code(e, "system", "tar data of '%s': %s", path,
						    archive_error_string(w->a));
		size -= n;
	}
	if (size != 0 || fdio_read_full(fd, buf, 1) != 0)
		return err_code(e, "busy",
				"'%s' changed while it was read: stop its writers (pause the "
				"container) and diff again",
				path);
	return 0;
}

static int
add_xattrs(struct archive_entry *ae, int dirfd, const char *name, const char *path, struct err *e)
{
	struct xattrs x;

	if (xattrs_read(dirfd, name, &x, e) < 0)
		return err_prefix(e, "'%s'", path);
	for (size_t i = 0; i < x.n; i++)
		if (!xattrs_internal(x.v[i].name))
			archive_entry_xattr_add_entry(ae, x.v[i].name, x.v[i].value, x.v[i].len);
	xattrs_release(&x);
	return 0;
}

static int64_t
clamp(const struct layer_writer *w, int64_t t)
{
	return w->epoch >= 0 && t > w->epoch ? w->epoch : t;
}

/* The entry's type-specific part; returns 1 for a type a layer does not carry (a socket). */
static int
fill_type(struct layer_writer *w, struct archive_entry *ae, int dirfd, const char *name,
	  const char *path, const struct stat *st, struct err *e)
{
	char target[LINK_MAX_LEN + 1];
	ssize_t n;

	switch (st->st_mode & S_IFMT) {
	case S_IFLNK:
		n = readlinkat(dirfd, name, target, LINK_MAX_LEN);
		if (n < 0)
			return err_set(e, errno, "readlink '%s'", path);
		target[n] = 0;
		archive_entry_set_symlink(ae, target);
		break;
	case S_IFCHR:
	case S_IFBLK:
		archive_entry_set_rdevmajor(ae, major(st->st_rdev));
		archive_entry_set_rdevminor(ae, minor(st->st_rdev));
		break;
	case S_IFREG:
		if (st->st_nlink > 1) {
			const char *first = seen_link(w, path, st);

			if (first) {
				archive_entry_set_hardlink(ae, first);
				archive_entry_set_size(ae, 0);
				return 0;
			}
		}
		archive_entry_set_size(ae, st->st_size);
		break;
	case S_IFDIR:
	case S_IFIFO:
		break;
	default:
		return 1;
	}
	return 0;
}

int
layer_add(struct layer_writer *w, const char *path, int dirfd, const char *name,
	  const struct stat *st, struct err *e)
{
	_cleanup_entry_ struct archive_entry *ae = archive_entry_new();
	int r;

	archive_entry_set_pathname(ae, path);
	archive_entry_set_mode(ae, st->st_mode);
	archive_entry_set_uid(ae, st->st_uid);
	archive_entry_set_gid(ae, st->st_gid);
	archive_entry_set_mtime(ae, clamp(w, st->st_mtim.tv_sec), 0);
	if ((r = fill_type(w, ae, dirfd, name, path, st, e)) != 0)
		return r < 0 ? -1 : 0;
	if (add_xattrs(ae, dirfd, name, path, e) < 0 || write_header(w, ae, e) < 0)
		return -1;
	if (S_ISREG(st->st_mode) && !archive_entry_hardlink(ae))
		return write_data(w, dirfd, name, path, st->st_size, e);
	return 0;
}

int
layer_whiteout(struct layer_writer *w, const char *dir, const char *name, struct err *e)
{
	_cleanup_entry_ struct archive_entry *ae = archive_entry_new();
	_cleanup_free_ char *path = xasprintf("%s%s.wh.%s", dir, *dir ? "/" : "", name);

	/* no times, no owner, no mode: nothing of the deleted file is worth keeping */
	archive_entry_set_pathname(ae, path);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0);
	archive_entry_set_size(ae, 0);
	archive_entry_set_mtime(ae, 0, 0);
	return write_header(w, ae, e);
}
