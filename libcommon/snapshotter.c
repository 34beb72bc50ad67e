/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshotter names: the table behind enum snapshotter. */
#include "snapshotter.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[SNAP_COUNT] = {
    [SNAP_OVERLAY] = "overlay",
    [SNAP_NATIVE] = "native",
};

const char *
snapshotter_name(enum snapshotter d)
{
	return (unsigned)d < SNAP_COUNT ? names[d] : "(unknown)";
}

int
snapshotter_parse(const char *name, enum snapshotter *out, struct err *e)
{
	for (unsigned i = 0; i < SNAP_COUNT; i++)
		if (name && !strcmp(name, names[i])) {
			*out = (enum snapshotter)i;
			return 0;
		}
	/* %.64s: the name may come from a document or a record */
	return err_code(e, "invalid", "unknown snapshotter '%.64s' (overlay, native)",
			name ? name : "(none)");
}

int
snapshotter_default(enum snapshotter *out, struct err *e)
{
	const char *name = getenv("CTR_SNAPSHOTTER");

	*out = SNAP_DEFAULT;
	if (name && *name && snapshotter_parse(name, out, e) < 0)
		return err_prefix(e, "$CTR_SNAPSHOTTER");
	return 0;
}
