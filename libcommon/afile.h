/* SPDX-License-Identifier: Apache-2.0 */
/* Atomic publication of files: temp name, fsync, rename, fsync of the directory. */
#ifndef CTR_AFILE_H
#define CTR_AFILE_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * Write buf to name under dirfd so that readers see the old file or the whole
 * new one, never a part; durable once this returns 0. The caller holds the
 * object's lock. A temp file left by a crash is named ".NAME.tmp-PID".
 */
int afile_write(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		struct err *e);
/*
 * Flags of the _flags variants. AFILE_NOSYNC: still atomic for readers, but
 * neither the file nor the directory is fsynced; for volatile files (under
 * $STATE, a tmpfs that a reboot empties) or files nothing reads after a crash.
 */
enum {
	AFILE_NOSYNC = 1 << 0,
};
int afile_write_flags(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		      int flags, struct err *e);
/* afile_write of doc as compact JSON with sorted keys and a final newline. */
int afile_write_json(int dirfd, const char *name, const json_t *doc, struct err *e);
int afile_write_json_flags(int dirfd, const char *name, const json_t *doc, int flags,
			   struct err *e);
/* Is name a temp file that afile_write left behind? (for cleanup sweeps) */
int afile_is_temp(const char *name);

#endif
