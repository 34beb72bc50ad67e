/* SPDX-License-Identifier: Apache-2.0 */
/* Advisory locks (flock) on lock files. */
#ifndef CTR_LOCK_H
#define CTR_LOCK_H

#include <stdbool.h>

#include "err.h"

enum {
	LOCK_SHARED = 1 << 0,	/* many readers; default is exclusive */
	LOCK_TRY = 1 << 1,	/* fail with code "busy" instead of waiting */
	LOCK_EXISTING = 1 << 2, /* never create the file: ENOENT when there is none */
};

/*
 * Create (0600, unless LOCK_EXISTING) and lock name under dirfd. Returns the fd that holds the lock
 * (close it to release; the lock dies with the process, so a SIGKILL never
 * leaves a stale lock), or -1.
 */
int lock_at(int dirfd, const char *name, int flags, struct err *e);
/*
 * An exclusive lock on a lock file that lives only while it is held: wait
 * for name under dirfd, and retry when the file was removed meanwhile by the
 * holder before us. lock_transient_release removes the file, then unlocks.
 */
int lock_transient_at(int dirfd, const char *name, struct err *e);
void lock_transient_release(int dirfd, const char *name, int fd);
/*
 * Remove a transient lock file that nobody holds (one a SIGKILLed holder
 * left): take it without waiting and unlink it while holding it, unless
 * keep. 1 when it was free (and is gone unless keep), 0 when someone holds
 * it or there is no such file, -1 with e filled.
 */
int lock_transient_reap(int dirfd, const char *name, bool keep, struct err *e);

#endif
