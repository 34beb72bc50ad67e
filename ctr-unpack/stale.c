/* SPDX-License-Identifier: Apache-2.0 */
/* Active unpack-* snapshots whose owner died: recognised by an owner label, removed. */
#include "stale.h"

#include <string.h>

#include "jsonio.h"
#include "log.h"
#include "owner.h"

static bool
kept(const json_t *keep, const char *key)
{
	const json_t *k;
	size_t i;

	json_array_foreach(keep, i, k)
		if (!strcmp(jsonio_str(k, "key") ?: "", key))
			return true;
	return false;
}

void
stale_sweep(struct snapshot_store *s, const json_t *keep)
{
	struct err e;
	json_auto_t *all = snapshot_list(s, &e);
	const json_t *snap;
	size_t i;

	if (!all) {
		log_warn("cannot list snapshots: %s", e.msg);
		return;
	}
	json_array_foreach(all, i, snap) {
		const char *name = jsonio_str(snap, "name");

		if (!owner_snapshot_stale(snap) || kept(keep, name))
			continue;
		if (snapshot_remove(s, name, &e) < 0)
			log_warn("cannot remove stale snapshot '%s': %s", name, e.msg);
		else
			log_info("removed '%s': the process that made it is gone", name);
	}
}
