/* SPDX-License-Identifier: Apache-2.0 */
/* Disk usage of a snapshot's own layer, counted as du(1) counts. */
#include "snapshot.h"

#include "cleanup.h"
#include "du.h"
#include "jsonio.h"
#include "snapshot-driver.h"
#include "xmem.h"

int
snapshot_usage(struct snapshot_store *s, const char *key, long long *bytes, long long *inodes,
	       struct err *e)
{
	json_auto_t *rec = NULL;
	_cleanup_free_ char *rel = NULL;

	if (snapshot_check_key(key, "key", e) < 0 || !(rec = snapshot_meta_load(s, key, e)))
		return -1;
	rel = xasprintf("%s/fs", jsonio_str(rec, "id"));
	if (du_at(s->dirfd, rel, bytes, inodes, e) < 0)
		return err_prefix(e, "usage of '%s' (%s)", key, s->path);
	return 0;
}
