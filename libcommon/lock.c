/* SPDX-License-Identifier: Apache-2.0 */
/* flock(2) locks: released by the kernel when the holder dies. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
lock_at(int dirfd, const char *name, int flags, struct err *e)
{
	int op = (flags & LOCK_SHARED) ? LOCK_SH : LOCK_EX;
	int create = (flags & LOCK_EXISTING) ? 0 : O_CREAT;
	int fd = openat(dirfd, name, O_RDWR | create | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return err_set(e, errno, "open lock '%s'", name);
	if (flags & LOCK_TRY)
		op |= LOCK_NB;
	while (flock(fd, op) < 0) {
		int saved = errno;

		if (saved == EINTR)
			continue;
		close(fd);
		if (saved == EWOULDBLOCK)
			return err_code(e, "busy", "'%s' is locked by another process", name);
		return err_set(e, saved, "lock '%s'", name);
	}
	return fd;
}

/*
 * Does name under dirfd still name the file fd holds? 1, 0 when it names
 * another file or nothing (unlinked under us), -1 with e filled.
 */
static int
held_is_named(int dirfd, const char *name, int fd, struct err *e)
{
	struct stat held, now;

	if (fstat(fd, &held) < 0)
		return err_set(e, errno, "stat lock '%s'", name);
	if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "stat lock '%s'", name);
	return held.st_ino == now.st_ino && held.st_dev == now.st_dev;
}

int
lock_transient_at(int dirfd, const char *name, struct err *e)
{
	for (;;) {
		int fd = lock_at(dirfd, name, 0, e), r;

		if (fd < 0)
			return -1;
		/*
		 * The file we waited on may have been unlinked meanwhile, by
		 * the holder before us (lock_transient_release) or by a reaper
		 * (lock_transient_reap): only the file under the name counts.
		 */
		if ((r = held_is_named(dirfd, name, fd, e)) == 1)
			return fd;
		close(fd);
		if (r < 0)
			return -1;
	}
}

void
lock_transient_release(int dirfd, const char *name, int fd)
{
	if (fd < 0)
		return;
	unlinkat(dirfd, name, 0);
	close(fd);
}

int
lock_transient_reap(int dirfd, const char *name, bool keep, struct err *e)
{
	struct err le = {0};
	int fd = lock_at(dirfd, name, LOCK_EXISTING | LOCK_TRY, &le), r;

	if (fd < 0) {
		if (le.sys == ENOENT || !strcmp(le.code, "busy"))
			return 0;
		*e = le;
		return -1;
	}
	/*
	 * Only a holder unlinks the name (the owner as it releases, or a
	 * reaper): while we hold the file it names, nobody can replace it, so
	 * the unlink removes the file we hold and never a new holder's.
	 */
	r = held_is_named(dirfd, name, fd, e);
	if (r == 1 && !keep && unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		r = err_set(e, errno, "remove lock '%s'", name);
	close(fd);
	return r;
}
