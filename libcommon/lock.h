/* SPDX-License-Identifier: Apache-2.0 */
/* Advisory locks (flock) on lock files. */
#ifndef CTR_LOCK_H
#define CTR_LOCK_H

#include "err.h"

enum {
	LOCK_SHARED = 1 << 0, /* many readers; default is exclusive */
	LOCK_TRY = 1 << 1,    /* fail with code "busy" instead of waiting */
};

/*
 * Create (0600) and lock name under dirfd. Returns the fd that holds the lock
 * (close it to release; the lock dies with the process, so a SIGKILL never
 * leaves a stale lock), or -1.
 */
int lock_at(int dirfd, const char *name, int flags, struct err *e);

#endif
