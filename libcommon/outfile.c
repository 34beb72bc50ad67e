/* SPDX-License-Identifier: Apache-2.0 */
/* A tool's -o FILE: renamed into place when it is a file, written in place otherwise. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmem.h"

int
outfile_open(struct outfile *o, const char *path, const char *what, struct err *e)
{
	struct stat sb;
	bool exists = stat(path, &sb) == 0;

	o->path = path;
	o->target = NULL;
	o->tmp = NULL;
	o->fd = -1;
	if (!exists && errno != ENOENT)
		return err_set(e, errno, "'%s'", path);
	if (exists && S_ISDIR(sb.st_mode))
		return err_code(e, "invalid", "'%s' is a directory", path);
	if (!exists || S_ISREG(sb.st_mode)) {
		/* through a link (/dev/stdout > FILE): the file it names is replaced, not the link */
		if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
			if (!(o->target = realpath(path, NULL)))
				return err_set(e, errno, "resolve '%s'", path);
			path = o->target;
		}
		o->tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (o->fd < 0) {
			err_set(e, errno, "create '%s'", o->tmp);
			outfile_close(o, false, e);
			return -1;
		}
		return 0;
	}
	/* a device or a pipe: renaming over it would replace the node itself */
	if ((o->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return err_set(e, errno, "open '%s'", path);
	if (isatty(o->fd)) {
		close(o->fd);
		o->fd = -1;
		return err_code(e, "invalid", "refusing to write %s to a terminal ('%s')", what,
				path);
	}
	return 0;
}

int
outfile_close(struct outfile *o, bool ok, struct err *e)
{
	int rc = ok ? 0 : -1;

	if (o->fd < 0) {
		free(o->tmp);
		free(o->target);
		o->tmp = o->target = NULL;
		return rc;
	}
	if (!o->tmp) {
		if (close(o->fd) < 0 && ok)
			rc = err_set(e, errno, "write '%s'", o->path);
	} else {
		if (ok && (fsync(o->fd) < 0 || rename(o->tmp, o->target ?: o->path) < 0))
			rc = err_set(e, errno, "write '%s'", o->path);
		close(o->fd);
		if (rc < 0)
			unlink(o->tmp);
		free(o->tmp);
		free(o->target);
		o->tmp = o->target = NULL;
	}
	o->fd = -1;
	return rc;
}
