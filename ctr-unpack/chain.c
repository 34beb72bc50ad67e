/* SPDX-License-Identifier: Apache-2.0 */
/* Chain IDs: the identity of a stack of layers, which names committed snapshots. */
#include "chain.h"

#include <stdio.h>

void
chain_id(const char *parent, const char *diff_id, char out[DIGEST_STR_LEN + 1])
{
	char buf[2 * DIGEST_STR_LEN + 2];

	if (!parent) {
		snprintf(out, DIGEST_STR_LEN + 1, "%s", diff_id);
		return;
	}
	snprintf(buf, sizeof(buf), "%s %s", parent, diff_id);
	digest_buf(buf, 2 * DIGEST_STR_LEN + 1, out);
}
