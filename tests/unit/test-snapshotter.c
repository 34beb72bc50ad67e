/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for snapshotter names: the table both ways, and the one refusal. */
#include "tap.h"

#include <stdlib.h>

#include "snapshotter.h"

static void
test_snapshotter_names(void)
{
	enum snapshotter d = SNAP_COUNT;
	struct err e = {0};

	is_str(snapshotter_name(SNAP_OVERLAY), "overlay", "overlay's name");
	is_str(snapshotter_name(SNAP_NATIVE), "native", "native's name");
	ok(SNAP_DEFAULT == SNAP_OVERLAY, "overlay is the default");
	for (unsigned i = 0; i < SNAP_COUNT; i++) {
		ok(snapshotter_parse(snapshotter_name((enum snapshotter)i), &d, &e) == 0 && d == i,
		   "'%s' parses back", snapshotter_name((enum snapshotter)i));
	}
	is_str(snapshotter_name(SNAP_COUNT), "(unknown)", "out of range: no crash");
}

static void
test_snapshotter_refusals(void)
{
	static const char *const bad[] = {
	    "", "Overlay", "overlay ", "overlayfs", "btrfs", "native\n", "../native",
	};
	enum snapshotter d = SNAP_NATIVE;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = {0};

		ok(snapshotter_parse(bad[i], &d, &e) < 0 && !strcmp(e.code, "invalid"),
		   "refused: #%zu", i);
		ok(strstr(e.msg, "unknown snapshotter") && strstr(e.msg, "(overlay, native)"),
		   "one message naming the choices (#%zu)", i);
	}
	ok(d == SNAP_NATIVE, "a refusal leaves *out alone");
	struct err e = {0};
	ok(snapshotter_parse(NULL, &d, &e) < 0, "NULL is refused: %s", e.msg);
}

static void
test_snapshotter_default(void)
{
	enum snapshotter d = SNAP_COUNT;
	struct err e = {0};

	unsetenv("CTR_SNAPSHOTTER");
	ok(snapshotter_default(&d, &e) == 0 && d == SNAP_DEFAULT, "unset: the default");
	setenv("CTR_SNAPSHOTTER", "", 1);
	ok(snapshotter_default(&d, &e) == 0 && d == SNAP_DEFAULT, "empty: the default");
	setenv("CTR_SNAPSHOTTER", "native", 1);
	ok(snapshotter_default(&d, &e) == 0 && d == SNAP_NATIVE, "$CTR_SNAPSHOTTER=native");
	setenv("CTR_SNAPSHOTTER", "btrfs", 1);
	ok(snapshotter_default(&d, &e) < 0 && !strcmp(e.code, "invalid"), "a bad one is refused");
	ok(!strncmp(e.msg, "$CTR_SNAPSHOTTER: unknown snapshotter 'btrfs'", 44), "named: %s",
	   e.msg);
	unsetenv("CTR_SNAPSHOTTER");
}

int
main(void)
{
	RUN(test_snapshotter_names);
	RUN(test_snapshotter_refusals);
	RUN(test_snapshotter_default);
	return tap_done();
}
