/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for snapshotter names: the table both ways, and the one refusal. */
#include "tap.h"

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

int
main(void)
{
	RUN(test_snapshotter_names);
	RUN(test_snapshotter_refusals);
	return tap_done();
}
