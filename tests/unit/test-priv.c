/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the privilege mode: the initial user namespace's uid_map, the mode kept once. */
#include "tap.h"

#include "priv.h"

static void
test_priv_uid_map(void)
{
	ok(priv_uid_map_is_initial("         0          0 4294967295\n"),
	   "the kernel's identity map");
	ok(priv_uid_map_is_initial("0 0 4294967295"), "without padding or newline");
	ok(!priv_uid_map_is_initial("         0       1000          1\n"), "a single-id map");
	ok(!priv_uid_map_is_initial("0 1000 1\n1 100000 65536\n"), "a subordinate map (two lines)");
	ok(!priv_uid_map_is_initial("0 0 4294967294\n"), "a range one short");
	ok(!priv_uid_map_is_initial("0 0 4294967295\n1 1 1\n"), "a second line");
	ok(!priv_uid_map_is_initial(""), "empty: no map written yet");
}

static void
test_priv_mode_kept(void)
{
	enum priv_mode m = priv_mode();

	is_int(priv_mode(), m, "asked twice, one answer");
	if (geteuid() == 0 && m == PRIV_ROOT)
		ok(!priv_rootless(), "root is not rootless");
	else
		ok(priv_rootless(), "%s is rootless", priv_mode_name(m));
	priv_reset();
	is_int(priv_mode(), m, "read again after a reset: the same process, the same mode");
	is_str(priv_mode_name(PRIV_USERNS), "userns", "names for messages");
}

int
main(void)
{
	RUN(test_priv_uid_map);
	RUN(test_priv_mode_kept);
	return tap_done();
}
