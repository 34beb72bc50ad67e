/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for OCI runtime calls: the command line, and the error read from a log or stderr. */
#include "tap.h"

#include <sys/stat.h>

#include "cleanup.h"
#include "fdio.h"
#include "ociruntime.h"
#include "xmem.h"

/*
 * A runtime that records its command line in ARGS (one a line), then acts as
 * $FAKE says: writes $FAKE_LOG to its --log file and $FAKE_ERR to stderr,
 * $FAKE_OUT to stdout, and exits $FAKE_RC (or dies by SIGKILL for "kill").
 */
static const char fake[] = "#!/bin/sh\n"
			   "dir=${0%/*}\n"
			   "echo \"$0\" >\"$dir/ARGS\"\n"
			   "log=\n"
			   "while [ $# -gt 0 ]; do\n"
			   "  echo \"$1\" >>\"$dir/ARGS\"\n"
			   "  [ \"$1\" = --log ] && log=$2\n"
			   "  shift\n"
			   "done\n"
			   "[ -n \"$log\" ] && printf '%b' \"$FAKE_LOG\" >>\"$log\"\n"
			   "printf '%b' \"$FAKE_ERR\" >&2\n"
			   "printf '%b' \"$FAKE_OUT\"\n"
			   "[ \"$FAKE_RC\" = kill ] && kill -KILL $$\n"
			   "exit ${FAKE_RC:-0}\n";

static char dir[] = "/tmp/test-ociruntime-XXXXXX";
static int dfd = -1;
static char path[64];

static void
act(const char *log, const char *err, const char *out, const char *rc)
{
	setenv("FAKE_LOG", log, 1);
	setenv("FAKE_ERR", err, 1);
	setenv("FAKE_OUT", out, 1);
	setenv("FAKE_RC", rc, 1);
}

/* The arguments the fake runtime got, one a line. */
static char *
args_seen(void)
{
	char *buf = NULL;
	size_t len;
	struct err e;

	if (fdio_read_file_at(dfd, "ARGS", 4096, &buf, &len, &e) < 0)
		return xstrdup("");
	return buf;
}

static void
test_ociruntime_command_line(void)
{
	const struct ociruntime rt = {path, "/run/rt", dir, dfd};
	const char *const args[] = {"state", "c1", NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	_cleanup_free_ char *want =
	    xasprintf("%s\n--root\n/run/rt\n--log\n%s/rt.log\n--log-format\n"
		      "json\nstate\nc1\n",
		      path, dir);
	char *seen;
	struct err e;

	act("", "", "", "0");
	ok(ociruntime_run(&rt, "rt.log", args, &so, &e) == 0, "a runtime exiting 0: 0");
	is_str(seen = args_seen(), want, "with a log: --root, --log, --log-format json, then args");
	free(seen);
	ok(faccessat(dfd, "rt.log", F_OK, 0) < 0, "the log is removed afterwards");
	ok(ociruntime_run(&rt, NULL, args, &so, &e) == 0, "without a log: 0");
	free(want);
	want = xasprintf("%s\n--root\n/run/rt\nstate\nc1\n", path);
	is_str(seen = args_seen(), want, "without a log: --root, then args");
	free(seen);
}

static void
test_ociruntime_logged_error(void)
{
	const struct ociruntime rt = {path, "/run/rt", dir, dfd};
	const char *const args[] = {"start", "c1", NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct err e;

	so.stderr_fd = open("/dev/null", O_WRONLY | O_CLOEXEC); /* ignored with a log */
	act("{\"level\":\"info\",\"msg\":\"hello\"}\n"
	    "{\"level\":\"error\",\"msg\":\"first\"}\n"
	    "not json\n"
	    "{\"level\":\"fatal\",\"msg\":\"container not\\\\nfound\"}\n"
	    "{\"level\":\"warning\",\"msg\":\"late\"}\n",
	    "stderr text\n", "", "1");
	ok(ociruntime_run(&rt, "rt.log", args, &so, &e) < 0, "exit 1: -1");
	is_str(e.code, "runtime", "code runtime");
	is_str(e.msg, "container not found", "the last error or fatal line's msg, on one line");
	ok(faccessat(dfd, "rt.log", F_OK, 0) < 0, "the log is removed after a failure too");

	act("{\"level\":\"info\",\"msg\":\"nothing wrong\"}\n", "", "", "3");
	ok(ociruntime_run(&rt, "rt.log", args, &so, &e) < 0, "exit 3 with no error logged: -1");
	_cleanup_free_ char *want = xasprintf("%s exited with status 3", path);
	is_str(e.msg, want, "its status said");

	act("", "", "", "kill");
	ok(ociruntime_run(&rt, "rt.log", args, &so, &e) < 0, "killed: -1");
	free(want);
	want = xasprintf("%s killed by signal 9", path);
	is_str(e.msg, want, "its signal said");
	close(so.stderr_fd);
}

static void
test_ociruntime_stderr_error(void)
{
	const struct ociruntime rt = {path, "/run/rt", NULL, -1};
	const char *const args[] = {"pause", "c1", NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct err e;

	act("", "time=x level=error msg=noise\ncontainer c1 does not exist \n\n", "", "1");
	ok(ociruntime_run(&rt, NULL, args, &so, &e) < 0, "exit 1: -1");
	is_str(e.code, "runtime", "code runtime");
	_cleanup_free_ char *want = xasprintf("%s pause: container c1 does not exist", path);
	is_str(e.msg, want, "PATH VERB: the last non-empty line of stderr, trimmed");

	act("", "", "", "2");
	ok(ociruntime_run(&rt, NULL, args, &so, &e) < 0, "exit 2, silent: -1");
	free(want);
	want = xasprintf("%s pause: failed without a message", path);
	is_str(e.msg, want, "said so");
}

static void
test_ociruntime_stdout_and_start(void)
{
	const struct ociruntime rt = {path, "/run/rt", dir, dfd};
	const char *const ps[] = {"ps", "--format", "json", "c1", NULL};
	const char *const del[] = {"delete", "--force", "c1", NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	char buf[64] = "";
	int p[2];
	pid_t pid;
	struct err e;

	act("", "", "[1,2]", "0");
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	so.stdout_fd = p[1];
	ok(ociruntime_run(&rt, NULL, ps, &so, &e) == 0, "ps: 0");
	close(p[1]);
	ok(fdio_read_full(p[0], buf, sizeof(buf) - 1) == 5 && !strcmp(buf, "[1,2]"),
	   "its stdout goes where so says: %s", buf);
	close(p[0]);

	act("{\"level\":\"error\",\"msg\":\"busy\"}\n", "", "", "1");
	so.stdout_fd = -1;
	ok(ociruntime_start(&rt, "del.log", del, &so, &pid, &e) == 0, "started without waiting");
	int rc = spawn_wait(pid, &e);
	is_int(rc, 1, "its exit code");
	ok(ociruntime_collect(&rt, "del.log", rc, &e) < 0, "collected: -1");
	is_str(e.msg, "busy", "with its logged error");
	ok(faccessat(dfd, "del.log", F_OK, 0) < 0, "and its log removed");
	ok(ociruntime_collect(&rt, "del.log", 0, &e) == 0, "0 collects as 0");
}

static void
test_ociruntime_too_many_arguments(void)
{
	const struct ociruntime rt = {path, "/run/rt", NULL, -1};
	const char *args[32];
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct err e;

	for (size_t i = 0; i < 31; i++)
		args[i] = "x";
	args[31] = NULL;
	ok(ociruntime_run(&rt, NULL, args, &so, &e) < 0, "31 arguments are refused");
	is_str(e.code, "invalid", "as invalid");
}

int
main(void)
{
	dfd = tap_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/rt", dir);
	tap_write_file(dfd, "rt", fake);
	chmod(path, 0755);
	RUN(test_ociruntime_command_line);
	RUN(test_ociruntime_logged_error);
	RUN(test_ociruntime_stderr_error);
	RUN(test_ociruntime_stdout_and_start);
	RUN(test_ociruntime_too_many_arguments);
	unlinkat(dfd, "rt", 0);
	unlinkat(dfd, "ARGS", 0);
	close(dfd);
	ok(rmdir(dir) == 0, "temporary directory removed");
	return tap_done();
}
