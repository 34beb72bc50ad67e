/* SPDX-License-Identifier: Apache-2.0 */
/* A container's snapshot: its key, and its removal from whichever store holds it. */
#include "snapshot.h"

#include "xmem.h"

char *
snapshot_container_key(const char *ns, const char *id)
{
	return xasprintf("ctr:%s:%s", ns, id);
}

static int
remove_from(const struct state *st, enum snapshotter drv, const char *key, struct err *e)
{
	struct snapshot_store *s = NULL;
	int r;

	if (snapshot_store_open(st, drv, &s, e) < 0)
		return -1;
	r = snapshot_exists(s, key, NULL) ? snapshot_remove(s, key, e) : 0;
	snapshot_store_free(s);
	return r;
}

int
snapshot_remove_everywhere(const struct state *st, const char *key, struct err *e)
{
	for (unsigned d = 0; d < SNAP_COUNT; d++) {
		int there = snapshot_store_exists(st, (enum snapshotter)d, e);

		if (there < 0 || (there && remove_from(st, (enum snapshotter)d, key, e) < 0))
			return -1;
	}
	return 0;
}

int
snapshot_remove_in(const struct state *st, enum snapshotter drv, const char *key, struct err *e)
{
	return remove_from(st, drv, key, e);
}
