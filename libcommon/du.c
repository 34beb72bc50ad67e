/* SPDX-License-Identifier: Apache-2.0 */
/* Disk usage of a tree, counted as du(1) counts, by a walk or by its removal. */
#include "du.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "xmem.h"

void
du_release(struct du *u)
{
	free(u->seen);
	u->seen = NULL;
	u->n = u->cap = 0;
}

void
du_count(struct du *u, const struct stat *st)
{
	/*
	 * A hard-linked file is one inode and one set of blocks, as du counts
	 * it. A removal sees its last name with one link left: it is looked
	 * up too, once any file had more.
	 */
	if (!S_ISDIR(st->st_mode) && (st->st_nlink > 1 || u->n)) {
		for (size_t i = 0; i < u->n; i++)
			if (u->seen[i].st_ino == st->st_ino && u->seen[i].st_dev == st->st_dev)
				return;
		if (st->st_nlink > 1) {
			xgrow((void **)&u->seen, &u->cap, u->n + 1, sizeof(*u->seen));
			u->seen[u->n++] = *st;
		}
	}
	u->bytes += (long long)st->st_blocks * 512;
	u->inodes++;
}

static bool
is_dot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* A directory stream on fd (taken), NULL and e set if none. */
static DIR *
stream(int fd, struct err *e)
{
	DIR *d = fdopendir(fd);

	if (!d) {
		err_set(e, errno, "opendir");
		close(fd);
	}
	return d;
}

int
du_dir(struct du *u, int fd, struct err *e)
{
	_cleanup_closedir_ DIR *d = stream(fd, e);
	struct dirent *de;
	struct stat st;

	while (d && (errno = 0, de = readdir(d))) {
		int sub;

		if (is_dot(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return err_set(e, errno, "stat '%s'", de->d_name);
		du_count(u, &st);
		if (!S_ISDIR(st.st_mode))
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return err_set(e, errno, "open '%s'", de->d_name);
		if (du_dir(u, sub, e) < 0)
			return err_prefix(e, "%s", de->d_name);
	}
	return !d ? -1 : errno ? err_set(e, errno, "readdir") : 0;
}

int
du_at(int dirfd, const char *rel, long long *bytes, long long *inodes, struct err *e)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct du u = {0};
	struct stat st;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0) {
		err_set(e, errno, "open '%s'", rel);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	du_count(&u, &st);
	r = du_dir(&u, fd, e);
	du_release(&u);
	if (r < 0)
		return -1;
	*bytes = u.bytes;
	*inodes = u.inodes;
	return 0;
}
