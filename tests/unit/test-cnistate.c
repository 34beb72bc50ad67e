/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for a container's CNI record: what cnistate_detach does without ctr-netns calls. */
#include "tap.h"

#include <sys/stat.h>

#include "cnistate.h"
#include "path.h"

static void
test_cnistate_no_record(void)
{
	char dir[] = "/tmp/test-cnistate.XXXXXX";
	int fd = tap_tmpdir(dir);
	struct state st;
	struct err e = {0};

	state_init(&st);
	ok(cnistate_detach(&st, "default", dir, &e) == 0, "no cni.json: nothing to do");
	ok(faccessat(fd, CNISTATE_FILE, F_OK, 0) < 0, "and none is made");
	state_release(&st);
	path_rm_rf(AT_FDCWD, dir, &e);
	close(fd);
}

static void
test_cnistate_records(void)
{
	char dir[] = "/tmp/test-cnistate.XXXXXX";
	int fd = tap_tmpdir(dir);
	char pins[sizeof(dir) + 8];
	struct state st;
	struct err e = {0};

	state_init(&st);
	/* a pin directory of our own, empty: the namespace is gone already */
	snprintf(pins, sizeof(pins), "%s/pins", dir);
	mkdir(pins, 0700);
	setenv("CTR_NETNS_DIR", pins, 1);
	tap_write_file(fd, CNISTATE_FILE, "{\"netns\":\"ctr-default-a\",\"networks\":[]}");
	ok(cnistate_detach(&st, "default", dir, &e) == 0, "no network, no pin: done (%s)", e.msg);
	ok(faccessat(fd, CNISTATE_FILE, F_OK, 0) < 0, "the record went with what it named");
	tap_write_file(fd, CNISTATE_FILE, "{\"netns\":\"../x\",\"networks\":[]}");
	ok(cnistate_detach(&st, "default", dir, &e) < 0,
	   "a namespace name that is a path: refused");
	ok(strstr(e.msg, "network namespace") != NULL, "saying what: %s", e.msg);
	ok(faccessat(fd, CNISTATE_FILE, F_OK, 0) == 0, "and the record stays");
	tap_write_file(fd, CNISTATE_FILE, "{\"networks\":[]}");
	ok(cnistate_detach(&st, "default", dir, &e) < 0, "a record without a namespace: an error");
	ok(!strcmp(e.code, "corrupt") && strstr(e.msg, "netns"), "saying so: %s", e.msg);
	unsetenv("CTR_NETNS_DIR");
	state_release(&st);
	path_rm_rf(AT_FDCWD, dir, &e);
	close(fd);
}

int
main(void)
{
	RUN(test_cnistate_no_record);
	RUN(test_cnistate_records);
	return tap_done();
}
