/* SPDX-License-Identifier: Apache-2.0 */
/* The most layers an image may have: the option, the environment, the check. */
#include "layerlimit.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "prog.h"

const struct opt layerlimit_opts[] = {
    {"max-layers", LAYERLIMIT_OPT, "N",
     "refuse an image of more layers (default $" LAYERLIMIT_ENV ", else 128)", NULL},
    OPT_END,
};

size_t
layerlimit_get(const char *arg)
{
	const char *env = getenv(LAYERLIMIT_ENV);

	if (arg)
		return (size_t)cli_number(arg, 1, LAYERLIMIT_MAX, "--max-layers");
	if (env)
		return (size_t)cli_number(env, 1, LAYERLIMIT_MAX, LAYERLIMIT_ENV);
	return LAYERLIMIT_DEFAULT;
}

void
layerlimit_export(size_t max)
{
	char v[24];

	snprintf(v, sizeof(v), "%zu", max);
	if (setenv(LAYERLIMIT_ENV, v, 1) < 0)
		die(EXIT_SYS, "setenv %s: out of memory", LAYERLIMIT_ENV);
}

int
layerlimit_check(size_t n, size_t max, struct err *e)
{
	if (n <= max)
		return 0;
	return err_code(e, "limit", "%zu layers, more than the limit of %zu (--max-layers, $%s)", n,
			max, LAYERLIMIT_ENV);
}
