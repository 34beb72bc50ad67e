/* SPDX-License-Identifier: Apache-2.0 */
/* gc --background: a child, in a session of its own, unlinks what gc moved into the trash. */
#include <fcntl.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gc.h"
#include "snapshot.h"

/* The child: stdio away from its caller's pipes, every store's trash, then gone. */
static void __attribute__((noreturn)) empty_all(int *lk, size_t n)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct err ignored;

	/* its own session: the caller's terminal and process group are not its own */
	setsid();
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	/* nobody hears the count: no stat per file */
	for (size_t i = 0; i < n; i++)
		snapshot_trash_empty(lk[i], NULL, NULL, &ignored);
	_exit(0);
}

/* Take the trash lock of drv's store: 1 with *lk, 0 when there is nothing to do. */
static int
lock_trash(const struct state *st, enum snapshotter drv, int *lk, struct err *e)
{
	struct snapshot_store *s = NULL;
	int r = snapshot_store_exists(st, drv, e);

	if (r <= 0 || snapshot_store_open(st, drv, &s, e) < 0)
		return r;
	*lk = snapshot_trash_lock(s, false, e);
	snapshot_store_free(s);
	if (*lk >= 0)
		return 1;
	/* busy: the emptier of an earlier gc, which reads the trash until it is empty */
	return !strcmp(e->code, "not-found") || !strcmp(e->code, "busy") ||
		       !strcmp(e->code, "invalid")
		   ? 0
		   : -1;
}

int
gc_detach_emptier(const struct state *st, struct err *e)
{
	int lk[SNAP_COUNT];
	size_t n = 0;
	pid_t pid;
	int r = 0;

	for (unsigned d = 0; d < SNAP_COUNT && r >= 0; d++)
		if ((r = lock_trash(st, (enum snapshotter)d, &lk[n], e)) > 0)
			n++;
	if (r >= 0 && n > 0) {
		/* the locks are the child's now: the next gc leaves the trash to it */
		if ((pid = fork()) == 0)
			empty_all(lk, n);
		if (pid < 0)
			r = err_set(e, errno, "fork the trash emptier");
	}
	for (size_t i = 0; i < n; i++)
		close(lk[i]);
	return r < 0 ? -1 : 0;
}
