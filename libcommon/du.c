/* SPDX-License-Identifier: Apache-2.0 */
/* Disk usage of a directory tree, counted as du(1) counts. */
#include "du.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "xmem.h"

struct du {
	long long bytes, inodes;
	struct stat *seen; /* multiply-linked files already counted */
	size_t n, cap;
};

static void
du_count(struct du *u, const struct stat *st)
{
	/* a hard-linked file is one inode and one set of blocks, as du counts it */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		for (size_t i = 0; i < u->n; i++)
			if (u->seen[i].st_ino == st->st_ino && u->seen[i].st_dev == st->st_dev)
				return;
		xgrow((void **)&u->seen, &u->cap, u->n + 1, sizeof(*u->seen));
		u->seen[u->n++] = *st;
	}
	u->bytes += (long long)st->st_blocks * 512;
	u->inodes++;
}

/* Count the entries of directory fd (taken), recursively, without following links. */
static int
du_dir(struct du *u, int fd, struct err *e)
{
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	struct dirent *de;
	struct stat st;

	if (!d) {
		close(fd);
		return err_set(e, errno, "opendir");
	}
	while ((errno = 0, de = readdir(d))) {
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
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
	return errno ? err_set(e, errno, "readdir") : 0;
}

int
du_at(int dirfd, const char *rel, long long *bytes, long long *inodes, struct err *e)
{
	struct du u = {0};
	struct stat st;
	int fd, r;

	fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err_set(e, errno, "open '%s'", rel);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	du_count(&u, &st);
	r = du_dir(&u, fd, e);
	free(u.seen);
	if (r < 0)
		return -1;
	*bytes = u.bytes;
	*inodes = u.inodes;
	return 0;
}
