/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for leases: taken, listed, named, dropped; live owners, dead ones, expiry. */
#include "tap.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lease.h"
#include "owner.h"

static json_t *
rec(const char *owner, const char *expires)
{
	return json_pack("{s:s, s:s?, s:[{s:s, s:s}]}", "owner", owner, "expires", expires,
			 "objects", "type", LEASE_BLOB, "name", "sha256:aa");
}

static void
test_lease_live(void)
{
	char me[64];
	time_t now = time(NULL);
	json_t *r;

	snprintf(me, sizeof(me), "%d 0", (int)getpid());
	r = rec(me, NULL);
	ok(!lease_live(r, now), "our pid with another start time: a dead owner");
	json_decref(r);
	r = rec(NULL, NULL);
	ok(!lease_live(r, now), "no owner: dead");
	json_decref(r);
	r = rec("1 x", "not a time");
	ok(!lease_live(r, now), "an expiry that does not parse: dead");
	json_decref(r);
	static const char *const bad[] = {
	    "abc",	    "-1 5", "0 5", " 1 5",  "1  5", "1 5 ", "1 +5", "99999999999 1",
	    "4294967297 1", "1 -5", "1",   "1 5 6", "",	    "1 5x", "1\t5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = rec(bad[i], NULL);
		ok(!lease_live(r, now), "owner '%s', no process's: dead", bad[i]);
		json_decref(r);
	}
	ok(owner_valid("1 0") && owner_valid("4194304 18446744073709551615"),
	   "owner labels of a process are valid");
}

static void
test_lease_take_list_drop(void)
{
	char dir[64] = "/tmp/test-lease.XXXXXX"; /* room for the "/leases" strcat below */
	struct state st;
	struct lease l, ttl;
	struct err e;
	json_t *list, *objs = json_array();

	ok(mkdtemp(dir) != NULL, "tmpdir");
	state_init(&st);
	state_set_root(&st, dir);
	state_set_run(&st, dir);
	ok(state_open(&st, &e) == 0, "state opened");
	lease_object(objs, LEASE_CONTAINER, "default/c1");
	lease_object(objs, LEASE_CONTAINER, "default/c1");
	is_int((int)json_array_size(objs), 1, "an object named twice is named once");
	ok(lease_take(&st, "create container default/c1", 0, objs, &l, &e) == 0, "taken");
	ok(lease_add(&l, LEASE_SNAPSHOT, "ctr:default:c1", &e) == 0, "an object added");
	ok(lease_take(&st, "expired", -1, NULL, &ttl, &e) == 0, "a lease without expiry");
	list = lease_list(&st, &e);
	is_int((int)json_array_size(list), 2, "two leases listed");
	ok(lease_names(list, LEASE_CONTAINER, "default/c1"), "the container is named");
	ok(lease_names(list, LEASE_SNAPSHOT, "ctr:default:c1"), "so is the snapshot added later");
	ok(!lease_names(list, LEASE_CONTAINER, "default/c2"), "another container is not");
	ok(!lease_names(list, LEASE_BLOB, "default/c1"), "types are apart");
	json_decref(list);
	lease_drop(&l);
	list = lease_list(&st, &e);
	is_int((int)json_array_size(list), 1, "dropped: one left");
	ok(!lease_names(list, LEASE_CONTAINER, "default/c1"), "nothing names the container");
	json_decref(list);
	is_int(lease_remove(&st, ttl.id, &e), 0, "removed by id");
	is_int(lease_remove(&st, ttl.id, &e), -1, "twice: not found");
	is_str(e.code, "not-found", "code not-found");
	is_int(lease_remove(&st, "../x", &e), -1, "a bad id is refused");
	lease_drop(&ttl);
	json_decref(objs);
	state_release(&st);
	rmdir(strcat(dir, "/leases"));
	dir[strlen(dir) - 7] = '\0';
	ok(rmdir(dir) == 0, "nothing else was left");
}

static void
test_lease_expiry(void)
{
	char dir[64] = "/tmp/test-lease.XXXXXX"; /* room for the "/leases" strcat below */
	struct state st;
	struct lease l;
	struct err e;
	json_t *list;

	ok(mkdtemp(dir) != NULL, "tmpdir");
	state_init(&st);
	state_set_root(&st, dir);
	state_set_run(&st, dir);
	ok(state_open(&st, &e) == 0, "state opened");
	ok(lease_take(&st, "short", 3600, NULL, &l, &e) == 0, "a lease for an hour");
	list = lease_list(&st, &e);
	ok(lease_live(json_array_get(list, 0), time(NULL)), "live now");
	ok(!lease_live(json_array_get(list, 0), time(NULL) + 7200), "dead in two hours");
	json_decref(list);
	lease_drop(&l);
	state_release(&st);
	rmdir(strcat(dir, "/leases"));
	dir[strlen(dir) - 7] = '\0';
	ok(rmdir(dir) == 0, "nothing left");
}

int
main(void)
{
	RUN(test_lease_live);
	RUN(test_lease_take_list_drop);
	RUN(test_lease_expiry);
	return tap_done();
}
