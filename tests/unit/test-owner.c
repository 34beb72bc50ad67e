/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for owners: a live process's identity, one gone, a reused pid, stale snapshots. */
#include "tap.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "owner.h"

static void
test_owner_identity(void)
{
	char id[64], again[64];
	unsigned long long start;
	int pid;

	ok(owner_identity(getpid(), id, sizeof(id)) == 0, "our own identity: %s", id);
	ok(sscanf(id, "%d %llu", &pid, &start) == 2 && pid == getpid() && start > 0,
	   "\"PID STARTTIME\"");
	ok(owner_identity(getpid(), again, sizeof(again)) == 0 && !strcmp(id, again), "stable");
	ok(!owner_gone(id), "we are not gone");
}

static void
test_owner_start_time_odd_comm(void)
{
	unsigned long long a = 0, b = 0;

	/* a name with ") " must not shift the fields */
	prctl(PR_SET_NAME, "x) y z (", 0, 0, 0);
	ok(owner_start_time(getpid(), &a) == 0 && a > 0, "start time read with an odd comm");
	prctl(PR_SET_NAME, "test", 0, 0, 0);
	ok(owner_start_time(getpid(), &b) == 0 && a == b, "the same with a plain comm");
	ok(owner_start_time(0x3fffffff, &a) < 0, "no such pid: -1");
}

static void
test_owner_gone(void)
{
	char id[64] = "", reused[96];
	unsigned long long start = 0;
	pid_t child = fork();
	int status;

	if (child == 0) {
		pause();
		_exit(0);
	}
	ok(owner_identity(child, id, sizeof(id)) == 0, "a child's identity");
	ok(!owner_gone(id), "alive");
	kill(child, SIGKILL);
	/* a zombie is gone already */
	usleep(100000);
	ok(owner_gone(id), "killed, not yet reaped: gone");
	waitpid(child, &status, 0);
	ok(owner_gone(id), "reaped: gone");
	/* our pid with another start time: a reused pid is another process */
	sscanf(id, "%*d %llu", &start);
	snprintf(reused, sizeof(reused), "%d %llu", (int)getpid(), start + 12345);
	ok(owner_gone(reused), "a pid with another start time is gone");
	ok(!owner_gone(NULL) && !owner_gone("") && !owner_gone("x 1") && !owner_gone("-3 1"),
	   "a missing or malformed label names nobody: not gone");
}

static void
test_owner_snapshot_stale(void)
{
	char me[64], dead[64];
	pid_t child = fork();
	int status;
	json_t *r;

	if (child == 0)
		_exit(0);
	owner_identity(child, dead, sizeof(dead)); /* may be gone already: then "" */
	waitpid(child, &status, 0);
	if (!dead[0])
		snprintf(dead, sizeof(dead), "%d 1", (int)child);
	owner_identity(getpid(), me, sizeof(me));
	r = json_pack("{s:s, s:s, s:{s:s}}", "name", "unpack-1-0", "kind", "active", "labels",
		      OWNER_LABEL_UNPACK, dead);
	ok(owner_snapshot_stale(r), "an active unpack-* snapshot of a dead owner is stale");
	json_object_set_new(json_object_get(r, "labels"), OWNER_LABEL_UNPACK, json_string(me));
	ok(!owner_snapshot_stale(r), "one of a live owner is not");
	json_object_set_new(json_object_get(r, "labels"), OWNER_LABEL_UNPACK, json_string(dead));
	json_object_set_new(r, "kind", json_string("committed"));
	ok(!owner_snapshot_stale(r), "a committed one is never");
	json_object_set_new(r, "kind", json_string("active"));
	json_object_set_new(r, "name", json_string("ctr:default:web"));
	ok(!owner_snapshot_stale(r), "nor another tool's active snapshot");
	json_object_del(r, "labels");
	json_object_set_new(r, "name", json_string("unpack-1-0"));
	ok(!owner_snapshot_stale(r), "nor one without an owner label");
	json_decref(r);
}

int
main(void)
{
	RUN(test_owner_identity);
	RUN(test_owner_start_time_odd_comm);
	RUN(test_owner_gone);
	RUN(test_owner_snapshot_stale);
	return tap_done();
}
