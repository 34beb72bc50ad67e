/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tool's -o FILE: a regular file (or a new name) is written to a
 * temporary name beside it and renamed into place, so that a failed write
 * leaves no half file (through a symbolic link, the file it names is
 * replaced); a device, fifo or socket (/dev/null, /dev/stdout of a pipe, a
 * named pipe) is written where it is, never replaced.
 */
#ifndef CTR_OUTFILE_H
#define CTR_OUTFILE_H

#include <stdbool.h>

#include "err.h"

struct outfile {
	const char *path;
	char *target; /* what a symbolic link path names, replaced instead of the link */
	char *tmp;    /* "TARGET.tmp-PID" while writing a regular file; NULL in place */
	int fd;
};

/*
 * Open path for writing what (a short noun: "an archive"). A directory
 * and a terminal are refused (code "invalid"). o->fd is the descriptor to
 * write on.
 */
int outfile_open(struct outfile *o, const char *path, const char *what, struct err *e);
/*
 * Finish: when ok, fsync and rename a regular file into place; otherwise
 * (or when that fails) remove the temporary file. Returns -1 when !ok.
 */
int outfile_close(struct outfile *o, bool ok, struct err *e);

#endif
