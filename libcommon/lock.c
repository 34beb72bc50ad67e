/* SPDX-License-Identifier: Apache-2.0 */
/* flock(2) locks: released by the kernel when the holder dies. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
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

int
lock_transient_at(int dirfd, const char *name, struct err *e)
{
	for (;;) {
		struct stat held, now;
		int fd = lock_at(dirfd, name, 0, e);

		if (fd < 0)
			return -1;
		/* the file we locked is still the one under that name: ours */
		if (fstat(fd, &held) == 0 && fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    held.st_ino == now.st_ino && held.st_dev == now.st_dev)
			return fd;
		close(fd);
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
