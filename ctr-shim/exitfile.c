/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's records on disk: shim.json (who we are), exit.json and exec-ID.json, pid files. */
#include "exitfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "fdio.h"
#include "owner.h"
#include "shim.h"
#include "timestamp.h"

json_t *
exitfile_record(pid_t pid, int wstatus, bool oom)
{
	struct timespec ts;
	char when[TIMESTAMP_LEN];
	int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	/* 128+N as a shell reports it, so ctr-run can exit with the status as it is */
	int status = sig ? 128 + sig : WEXITSTATUS(wstatus);

	clock_gettime(CLOCK_REALTIME, &ts);
	timestamp_format(&ts, when);
	return json_pack("{s:i, s:i, s:i, s:s, s:b}", "pid", (int)pid, "status", status, "signal",
			 sig, "exited_at", when, "oom", oom);
}

/*
 * STATEDIR is volatile (a tmpfs the next boot empties, and no shim survives a
 * crash to stand behind its records): atomic for readers, without fsync.
 */
int
exitfile_write(struct shim *s, const char *name, const json_t *doc, struct err *e)
{
	return afile_write_json_flags(s->dirfd, name, doc, AFILE_NOSYNC, e);
}

int
exitfile_write_shim(struct shim *s, struct err *e)
{
	static const char *const stdio_names[] = {
	    [STDIO_INHERIT] = "inherit", [STDIO_PIPE] = "pipe", [STDIO_NULL] = "null"};
	unsigned long long start;
	json_t *j;
	int r;

	if (owner_start_time(getpid(), &start) < 0)
		return err_set(e, errno ? errno : EIO, "read /proc/self/stat");
	j = json_pack("{s:i, s:I, s:s}", "pid", (int)getpid(), "start_time", (json_int_t)start,
		      "stdio", stdio_names[s->o.stdio]);
	r = exitfile_write(s, "shim.json", j, e);
	json_decref(j);
	return r;
}

int
exitfile_read_pid(struct shim *s, const char *name, pid_t *pid, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	char *end;
	long v;

	if (fdio_read_file_at(s->dirfd, name, 64, &buf, &len, e) < 0)
		return err_prefix(e, "runtime left no pid file");
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v <= 0)
		return err_code(e, "runtime", "pid file '%s' holds no pid", name);
	*pid = (pid_t)v;
	return 0;
}
