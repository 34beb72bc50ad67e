/* SPDX-License-Identifier: Apache-2.0 */
/* Atomic file publication: readers never see half a file. */
#include "afile.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

/* fsync a directory given as any dirfd, including O_PATH fds and AT_FDCWD. */
static int
fsync_dir(int dirfd)
{
	_cleanup_close_ int fd = -1;

	if (dirfd != AT_FDCWD && fsync(dirfd) == 0)
		return 0;
	if (dirfd != AT_FDCWD && errno != EBADF)
		return -1;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -1 : fsync(fd);
}

int
afile_write(int dirfd, const char *name, const void *buf, size_t len, mode_t mode, struct err *e)
{
	return afile_write_flags(dirfd, name, buf, len, mode, 0, e);
}

int
afile_write_flags(int dirfd, const char *name, const void *buf, size_t len, mode_t mode, int flags,
		  struct err *e)
{
	bool sync = !(flags & AFILE_NOSYNC);
	/* the pid keeps two writers without a shared lock off each other's temp */
	_cleanup_free_ char *tmp = xasprintf(".%s.tmp-%ld", name, (long)getpid());
	_cleanup_close_ int fd =
	    openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return err_set(e, errno, "create '%s'", tmp);
	if (fdio_write_full(fd, buf, len) < 0 || (sync && fsync(fd) < 0))
		goto undo;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto undo;
	if (sync && fsync_dir(dirfd) < 0)
		return err_set(e, errno, "fsync directory of '%s'", name);
	return 0;
undo:
	err_set(e, errno, "write '%s'", name); /* records errno before unlinkat can change it */
	unlinkat(dirfd, tmp, 0);
	return -1;
}

int
afile_write_json(int dirfd, const char *name, const json_t *doc, struct err *e)
{
	return afile_write_json_flags(dirfd, name, doc, 0, e);
}

int
afile_write_json_flags(int dirfd, const char *name, const json_t *doc, int flags, struct err *e)
{
	_cleanup_free_ char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	_cleanup_free_ char *line = NULL;

	if (!s)
		return err_code(e, "system", "encode '%s': out of memory", name);
	line = xasprintf("%s\n", s);
	return afile_write_flags(dirfd, name, line, strlen(line), 0644, flags, e);
}

int
afile_is_temp(const char *name)
{
	return name[0] == '.' && strstr(name, ".tmp-") != NULL;
}
