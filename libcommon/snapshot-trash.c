/* SPDX-License-Identifier: Apache-2.0 */
/* The snapshot store's trash: directories whose record is gone, unlinked later. */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"
#include "snapshot-driver.h"
#include "xmem.h"

int
snapshot_trash_put(struct snapshot_store *s, const char *id, struct err *e)
{
	_cleanup_free_ char *to = xasprintf("%s/%s", SNAPSHOT_TRASH, id);

	if (mkdirat(s->dirfd, SNAPSHOT_TRASH, 0700) < 0 && errno != EEXIST)
		return err_set(e, errno, "mkdir '%s/%s'", s->path, SNAPSHOT_TRASH);
	/* one rename: the directory is whole under its id or whole in the trash */
	if (renameat(s->dirfd, id, s->dirfd, to) < 0 && errno != ENOENT)
		return err_set(e, errno, "move '%s/%s' to the trash", s->path, id);
	return 0;
}

int
snapshot_trash_lock(struct snapshot_store *s, bool wait, struct err *e)
{
	int fd = openat(s->dirfd, SNAPSHOT_TRASH, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return err_code(e, errno == ENOENT ? "not-found" : "invalid",
				"no trash directory in '%s'", s->path);
	if (fd < 0)
		return err_set(e, errno, "open '%s/%s'", s->path, SNAPSHOT_TRASH);
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		err_set(e, errno, "lock '%s/%s'", s->path, SNAPSHOT_TRASH);
		if (errno == EWOULDBLOCK)
			err_code(e, "busy", "'%s/%s' is being emptied", s->path, SNAPSHOT_TRASH);
		close(fd);
		return -1;
	}
	return fd;
}

/* One pass over the trash: how many entries went, or -1. */
static int
empty_pass(DIR *d, int lk, struct du *u, json_t *removed, struct err *e)
{
	struct dirent *de;
	int n = 0;

	rewinddir(d);
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (du_remove(u, lk, de->d_name, e) < 0)
			return err_prefix(e, "empty the trash");
		if (removed)
			json_array_append_new(removed,
					      json_sprintf("%s/%s", SNAPSHOT_TRASH, de->d_name));
		n++;
	}
	return errno ? err_set(e, errno, "read the trash") : n;
}

int
snapshot_trash_empty(int lk, struct du *u, json_t *removed, struct err *e)
{
	_cleanup_closedir_ DIR *d = path_opendir(lk, ".", "the trash", e);
	int n;

	if (!d)
		return -1;
	/* until a pass finds nothing: a gc may add to the trash while its emptier runs */
	while ((n = empty_pass(d, lk, u, removed, e)) > 0)
		;
	return n;
}
