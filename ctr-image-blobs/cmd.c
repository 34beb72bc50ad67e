/* SPDX-License-Identifier: Apache-2.0 */
/* What the verbs of ctr-image-blobs share: the --json row, NAME arguments. */
#include "cmd.h"

#include "ref.h"

const struct opt cmd_json_opt[] = {
    {"json", O_JSON, NULL, "print JSON (and errors as JSON)", NULL},
    OPT_END,
};

char *
cmd_name(const char *arg)
{
	struct err e;
	char *s = ref_normalize(arg, &e);

	if (!s)
		die_err(&e);
	return s;
}
