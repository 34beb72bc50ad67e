/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the netns pin directory: the variable's rule and the names' rule. */
#include "tap.h"

#include <limits.h>

#include "netns-dir.h"

static void
test_netns_dir_env(void)
{
	struct err e = {0};
	char *p;

	unsetenv("CTR_NETNS_DIR");
	is_str(netns_dir(&e), "/run/netns", "unset: /run/netns");
	setenv("CTR_NETNS_DIR", "", 1);
	is_str(netns_dir(&e), "/run/netns", "empty: /run/netns");
	setenv("CTR_NETNS_DIR", "/tmp/pins", 1);
	is_str(netns_dir(&e), "/tmp/pins", "an absolute path is taken");
	p = netns_dir_path("blue", &e);
	is_str(p, "/tmp/pins/blue", "a pin path under it");
	free(p);
	setenv("CTR_NETNS_DIR", "pins", 1);
	ok(!netns_dir(&e) && !strcmp(e.code, "invalid"), "a relative path is refused");
	ok(strstr(e.msg, "CTR_NETNS_DIR") && strstr(e.msg, "absolute"), "saying why: %s", e.msg);
	ok(!netns_dir_path("blue", &e), "and no pin path is made from it");
	unsetenv("CTR_NETNS_DIR");
}

static void
test_netns_dir_names(void)
{
	static const char *const bad[] = {"", ".", "..", "a/b", "/abs", "tab\there", "del\x7f"};
	char longest[NAME_MAX + 2];
	struct err e = {0};
	char *p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(netns_dir_check_name(bad[i], &e) < 0, "refused: '%s'", bad[i]);
		ok(strstr(e.msg, "network namespace") != NULL, "the message says what: %s", e.msg);
		ok(!netns_dir_path(bad[i], &e), "no pin path for '%s'", bad[i]);
	}
	memset(longest, 'n', NAME_MAX);
	longest[NAME_MAX] = '\0';
	ok(netns_dir_check_name(longest, &e) == 0, "NAME_MAX bytes is a name");
	strcat(longest, "n");
	ok(netns_dir_check_name(longest, &e) < 0, "NAME_MAX + 1 is not");
	ok(netns_dir_check_name("ctr-1.a_b", &e) == 0, "an ordinary name");
	p = netns_dir_path("ctr-1", &e);
	is_str(p, "/run/netns/ctr-1", "default pin path");
	free(p);
}

int
main(void)
{
	RUN(test_netns_dir_env);
	RUN(test_netns_dir_names);
	return tap_done();
}
