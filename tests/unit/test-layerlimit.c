/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the layer-count limit: where it comes from, what it refuses and how. */
#include "tap.h"

#include "err.h"
#include "layerlimit.h"

static void
test_layerlimit_get(void)
{
	unsetenv(LAYERLIMIT_ENV);
	is_int(layerlimit_get(NULL), 128, "default: docker's and containerd's 128");
	is_int(layerlimit_get("7"), 7, "--max-layers");
	is_int(layerlimit_get("1000"), LAYERLIMIT_MAX, "the largest accepted");
	setenv(LAYERLIMIT_ENV, "40", 1);
	is_int(layerlimit_get(NULL), 40, "$CTR_MAX_LAYERS without the option");
	is_int(layerlimit_get("9"), 9, "the option wins over the environment");
	layerlimit_export(300);
	is_str(getenv(LAYERLIMIT_ENV), "300", "export: children see the limit in force");
	unsetenv(LAYERLIMIT_ENV);
}

static void
test_layerlimit_check(void)
{
	struct err e = {0};

	ok(layerlimit_check(128, 128, &e) == 0, "at the limit: accepted");
	ok(layerlimit_check(1, 1, &e) == 0, "one layer, limit one");
	ok(layerlimit_check(129, 128, &e) < 0, "one over: refused");
	is_str(e.code, "limit", "code 'limit'");
	is_int(err_exit_code(&e), 100, "exit 100: bad input, do not retry");
	is_str(e.msg, "129 layers, more than the limit of 128 (--max-layers, $CTR_MAX_LAYERS)",
	       "one line naming the count, the limit and how to move it");
	ok(layerlimit_check(10000, 128, &e) < 0, "10,000 layers: refused");
}

int
main(void)
{
	RUN(test_layerlimit_get);
	RUN(test_layerlimit_check);
	return tap_done();
}
