/* SPDX-License-Identifier: Apache-2.0 */
/* Chain IDs: the identity of a stack of layers, which names committed snapshots. */
#include "chain.h"

#include <stdio.h>

#include "xmem.h"

void
chain_next(const char *parent, const char *diff_id, char out[DIGEST_STR_LEN + 1])
{
	char buf[2 * DIGEST_STR_LEN + 2];

	if (!parent) {
		snprintf(out, DIGEST_STR_LEN + 1, "%s", diff_id);
		return;
	}
	snprintf(buf, sizeof(buf), "%s %s", parent, diff_id);
	digest_buf(buf, 2 * DIGEST_STR_LEN + 1, out);
}

json_t *
chain_ids(const json_t *diff_ids, struct err *e)
{
	char cur[DIGEST_STR_LEN + 1];
	json_t *out, *v;
	size_t i;

	if (!json_is_array(diff_ids))
		return err_code(e, "invalid", "diff_ids is not an array"), NULL;
	out = json_array();
	json_array_foreach(diff_ids, i, v) {
		const char *d = json_string_value(v);

		if (digest_check(d, "diff_id", e) < 0) {
			json_decref(out);
			return NULL;
		}
		chain_next(i ? cur : NULL, d, cur);
		json_array_append_new(out, json_string(cur));
	}
	return out;
}

char *
chain_top(const json_t *diff_ids, struct err *e)
{
	json_auto_t *ids = NULL;

	if (json_array_size(diff_ids) == 0)
		return err_code(e, "invalid", "image has no diff_ids"), NULL;
	if (!(ids = chain_ids(diff_ids, e)))
		return NULL;
	return xstrdup(json_string_value(json_array_get(ids, json_array_size(ids) - 1)));
}
