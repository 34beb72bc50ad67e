/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for /proc reading: our own stat, uid and arguments, a child's, one gone. */
#include "tap.h"

#include <jansson.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

static void
test_proc_self(void)
{
	struct proc_stat ps;
	uid_t uid = (uid_t)-1;

	/* a name with ") " must not shift the fields */
	prctl(PR_SET_NAME, "x) y z (", 0, 0, 0);
	ok(proc_stat_read(getpid(), &ps) == 0, "our stat reads with an odd comm");
	prctl(PR_SET_NAME, "test-proc", 0, 0, 0);
	is_int(ps.ppid, getppid(), "ppid");
	ok(ps.state == 'R', "running (%c)", ps.state);
	ok(ps.start_time > 0, "a start time");
	is_int(proc_uid(getpid(), &uid), 0, "our uid reads");
	is_int(uid, geteuid(), "the effective uid");
	ok(proc_stat_read(0x3fffffff, &ps) < 0 && proc_uid(0x3fffffff, &uid) < 0 &&
	       !proc_args(0x3fffffff),
	   "no such pid: -1 and NULL");
}

static void
test_proc_child(void)
{
	struct proc_stat ps;
	json_t *a = NULL;
	pid_t pid;
	int st;

	/* sh waits for its sleep: its last argument is not UTF-8 */
	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", "sleep 30; :",
		      "a\xff"
		      "b",
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		json_decref(a);
		if ((a = proc_args(pid)) && json_array_size(a) == 4)
			break;
		usleep(10000);
	}
	ok(a && json_array_size(a) == 4, "four arguments");
	ok(a && !strcmp(json_string_value(json_array_get(a, 0)) ?: "", "sh") &&
	       !strcmp(json_string_value(json_array_get(a, 2)) ?: "", "sleep 30; :"),
	   "sh -c 'sleep 30; :'");
	is_str(a ? json_string_value(json_array_get(a, 3)) : NULL, "a?b",
	       "a byte past ASCII that is not UTF-8 shows as '?'");
	json_decref(a);
	ok(proc_stat_read(pid, &ps) == 0 && ps.ppid == getpid(), "a child of ours");
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		;
	ok(proc_stat_read(pid, &ps) < 0 && !proc_args(pid), "reaped: gone");
}

int
main(void)
{
	RUN(test_proc_self);
	RUN(test_proc_child);
	return tap_done();
}
