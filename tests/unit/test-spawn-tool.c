/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for spawn_tool: a tool of the suite run on a store, its failures
 * told as a struct err. A tool not there is test-spawn's (valgrind cannot
 * report an exec failure: HACKING.md).
 */
#include "tap.h"

#include <signal.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fdio.h"
#include "spawn.h"
#include "state.h"
#include "xmem.h"

/* A sibling tool: its globals checked and echoed, then a behaviour named by its first arg. */
static const char fake[] =
    "#!/bin/sh\n"
    "[ \"$1 $3 $5\" = '--root --state -n' ] || exit 2\n"
    "globals=\"$2|$4|$6\"; shift 6\n"
    "case $1 in\n"
    "ok) echo \"$globals|$2\" ;;\n"
    "stdin) cat ;;\n"
    "json) echo 'ctr-fake: fatal: words' >&2\n"
    "  echo '{\"progress\":1}'\n"
    "  echo '{\"error\":{\"code\":\"not-found\",\"message\":\"no such thing\"}}'\n"
    "  exit 100 ;;\n"
    "odd) echo '{\"error\":{\"code\":\"no-such-code\",\"message\":\"odd\"}}'\n"
    "  exit 100 ;;\n"
    "line) echo first >&2; echo 'ctr-fake: fatal: it broke' >&2; exit 111 ;;\n"
    "usage) echo \"ctr-fake verb: unknown option '--x'\" >&2; exit 100 ;;\n"
    "neg) exit 1 ;;\n"
    "big) head -c 100000 /dev/zero ;;\n"
    "hang) echo started; echo $$ >\"$2\"; exec sleep 30 ;;\n"
    "esac\n";

static char dir[] = "/tmp/test-spawn-tool-XXXXXX";
static char root[] = "/r", run[] = "/s", ns[] = "default";
static const struct state st = {.root = root, .run = run, .ns = ns};

/* spawn_tool of the fake with args; io as given, released here; out/why copies when asked. */
static int
tool(struct spawn_io *io, const char *const *args, char **out, struct err *e)
{
	int rc = spawn_tool(&st, NULL, "ctr-fake", "CTR_TEST_FAKE", args, io, e);

	if (out)
		*out = xstrdup(io->out ? io->out : "");
	spawn_io_release(io);
	return rc;
}

static void
test_spawn_tool_ok(void)
{
	_cleanup_free_ char *out = NULL;
	struct spawn_io io = {.max = 64};
	struct err e;

	is_int(tool(&io, (const char *[]){"ok", "arg", NULL}, &out, &e), 0, "status 0");
	is_str(out, "/r|/s|default|arg\n", "--root, --state and -n of the state, then the args");
	free(out);
	io = (struct spawn_io){.max = 64};
	is_int(spawn_tool(&st, "other", "ctr-fake", "CTR_TEST_FAKE",
			  (const char *[]){"ok", "x", NULL}, &io, &e),
	       0, "status 0");
	is_str(io.out, "/r|/s|other|x\n", "a namespace given goes before the state's");
	spawn_io_release(&io);
	io = (struct spawn_io){.in = "fed", .inlen = 3, .max = 64};
	out = NULL;
	is_int(tool(&io, (const char *[]){"stdin", NULL}, &out, &e), 0, "stdin tool");
	is_str(out, "fed", "its stdin from io.in");
}

static void
test_spawn_tool_reasons(void)
{
	struct spawn_io io = {.max = 4096};
	struct err e = {0};

	is_int(tool(&io, (const char *[]){"json", NULL}, NULL, &e), 100, "its status");
	is_str(e.code, "not-found", "the code of its JSON error");
	is_str(e.msg, "no such thing", "the message of its JSON error, not its stderr");
	io = (struct spawn_io){.max = 4096};
	is_int(tool(&io, (const char *[]){"odd", NULL}, NULL, &e), 100, "its status");
	is_str(e.code, "system", "a code we do not know is a system failure");
	is_str(e.msg, "odd", "its message");
	io = (struct spawn_io){.max = 4096};
	is_int(tool(&io, (const char *[]){"line", NULL}, NULL, &e), 111, "its status");
	is_str(e.msg, "it broke", "no JSON: its last stderr line without 'PROG: fatal: '");
	is_str(e.code, "system", "status 111: system");
	io = (struct spawn_io){.max = 4096};
	is_int(tool(&io, (const char *[]){"usage", NULL}, NULL, &e), 100, "its status");
	is_str(e.msg, "ctr-fake verb: unknown option '--x'", "a usage line kept whole");
	is_str(e.code, "invalid", "status 100: invalid");
	io = (struct spawn_io){.max = 4096};
	is_int(tool(&io, (const char *[]){"neg", NULL}, NULL, &e), 1, "its status");
	is_str(e.code, "negative", "status 1: negative");
	is_str(e.msg, "ctr-fake exited 1, saying nothing", "a silent failure is named");
}

static void
test_spawn_tool_limits(void)
{
	_cleanup_free_ char *pidfile = xasprintf("%s/pid", dir);
	_cleanup_free_ char *pidtext = NULL;
	struct spawn_io io = {.max = 1000};
	struct err e = {0};
	size_t n;

	is_int(tool(&io, (const char *[]){"big", NULL}, NULL, &e), -1,
	       "more stdout than max fails");
	is_str(e.code, "system", "as a system failure");
	ok(strstr(e.msg, "more than 1000 bytes") != NULL, "saying so: %s", e.msg);
	io = (struct spawn_io){.max = 64, .timeout_ms = 300};
	is_int(tool(&io, (const char *[]){"hang", pidfile, NULL}, NULL, &e), -1,
	       "a tool past its deadline fails");
	ok(strstr(e.msg, "deadline of 300 ms") != NULL, "saying so: %s", e.msg);
	ok(fdio_read_file_at(AT_FDCWD, pidfile, 32, &pidtext, &n, &e) == 0, "it had started");
	/* the fake exec'd sleep: the child spawn_tool killed and reaped */
	ok(pidtext && atoi(pidtext) > 0 && kill(atoi(pidtext), 0) < 0, "and is gone");
	unlink(pidfile);
}

int
main(void)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (!mkdtemp(dir))
		return 1;
	path = xasprintf("%s/ctr-fake", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd < 0 || fdio_write_full(fd, fake, sizeof(fake) - 1) < 0 || close(fd) < 0)
		return 1;
	setenv("CTR_TEST_FAKE", path, 1);
	RUN(test_spawn_tool_ok);
	RUN(test_spawn_tool_reasons);
	RUN(test_spawn_tool_limits);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
