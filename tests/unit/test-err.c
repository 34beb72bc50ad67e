/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for error values: codes, context prefixes, truncation and exit codes. */
#include "tap.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "fdio.h"
#include "prog.h"

static void
test_err_set_plain(void)
{
	struct err e;

	is_int(err_set(&e, 0, "bad %s %d", "thing", 7), -1, "err_set returns -1");
	is_str(e.msg, "bad thing 7", "message formatted, nothing appended");
	is_int(e.sys, 0, "sys is 0");
	is_str(e.code, "invalid", "no errno means invalid input");
}

static void
test_err_set_errno(void)
{
	static const struct {
		int sys;
		const char *code;
	} cases[] = {
	    {ENOENT, "not-found"}, {EEXIST, "exists"}, {EACCES, "permission"},
	    {EPERM, "permission"}, {EBUSY, "busy"},    {EWOULDBLOCK, "busy"},
	    {EIO, "system"},	   {ENOSPC, "system"}, {ENOMEM, "system"},
	    {ENOTDIR, "invalid"},  {ELOOP, "invalid"}, {ENAMETOOLONG, "invalid"},
	    {EXDEV, "invalid"},
	};
	struct err e;
	char want[600];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_set(&e, cases[i].sys, "open '%s'", "x");
		snprintf(want, sizeof(want), "open 'x': %s", strerror(cases[i].sys));
		is_str(e.msg, want, "errno %d: strerror appended", cases[i].sys);
		is_str(e.code, cases[i].code, "errno %d: code", cases[i].sys);
		is_int(e.sys, cases[i].sys, "errno %d: sys kept", cases[i].sys);
	}
}

static void
test_err_code_token(void)
{
	struct err e;

	is_int(err_code(&e, "too-large", "input is %d bytes", 9), -1, "err_code returns -1");
	is_str(e.code, "too-large", "token kept");
	is_str(e.msg, "input is 9 bytes", "no strerror");
	is_int(e.sys, 0, "sys is 0");
}

static void
test_err_prefix_chain(void)
{
	struct err e;

	err_set(&e, ENOENT, "open 'blob'");
	is_int(err_prefix(&e, "layer %u", 3u), -1, "err_prefix returns -1");
	err_prefix(&e, "image '%s'", "alpine");
	is_str(e.msg, "image 'alpine': layer 3: open 'blob': No such file or directory",
	       "newest context first");
	is_str(e.code, "not-found", "code unchanged by prefix");
	is_int(e.sys, ENOENT, "sys unchanged by prefix");

	/* the old message is data, not a format: a '%' in it survives */
	err_code(&e, "invalid", "%s", "100%s done %n");
	err_prefix(&e, "ctx");
	is_str(e.msg, "ctx: 100%s done %n", "percent signs in the old message kept");
}

static void
test_err_truncation(void)
{
	char big[1200];
	struct err e;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, EIO, "%s", big);
	is_int(strlen(e.msg), sizeof(e.msg) - 1, "long message cut to the buffer");
	is_int(e.sys, EIO, "sys kept when the text is cut");

	err_code(&e, "invalid", "%.505s", big);
	err_prefix(&e, "context");
	is_int(strlen(e.msg), sizeof(e.msg) - 1, "prefixed message cut to the buffer");
	ok(!strncmp(e.msg, "context: aaa", 12), "the prefix survives, the tail is cut");

	err_code(&e, "invalid", "tail");
	err_prefix(&e, "%s", big);
	is_int(strlen(e.msg), sizeof(e.msg) - 1, "a prefix longer than the buffer is cut");
	ok(e.msg[0] == 'a', "and the message still starts with it");

	/* a message that just fits leaves room for no strerror, and nothing overflows */
	err_set(&e, ENOENT, "%.*s", (int)sizeof(e.msg) - 3, big);
	is_int(strlen(e.msg), sizeof(e.msg) - 1, "strerror cut to fit");
}

/* The table, row by row, written out again: a changed row must change this test too. */
static void
test_err_exit_table(void)
{
	static const struct {
		const char *code;
		int exit;
	} want[] = {
	    {"usage", 100},   {"invalid", 100},	   {"not-found", 100}, {"no-container", 100},
	    {"exists", 100},  {"conflict", 100},   {"too-large", 100}, {"limit", 100},
	    {"corrupt", 100}, {"auth", 100},	   {"runtime", 100},   {"negative", 1},
	    {"system", 111},  {"permission", 111}, {"busy", 111},      {"network", 111},
	    {"gone", 111},
	};
	size_t n = 0;
	struct err e;

	is_int(EXIT_NEG, 1, "negative answer is 1");
	is_int(EXIT_USAGE, 100, "bad input is 100");
	is_int(EXIT_SYS, 111, "system failure is 111");
	while (err_kinds[n].code)
		n++;
	is_int(n, sizeof(want) / sizeof(want[0]), "the table has %zu rows", n);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct err_kind *k = err_kind(want[i].code);

		is_int(k ? k->exit : -1, want[i].exit, "kind %s exits %d", want[i].code,
		       want[i].exit);
		err_code(&e, want[i].code, "x");
		is_int(err_exit_code(&e), want[i].exit, "err_code(%s) exits %d", want[i].code,
		       want[i].exit);
		/* the code decides, even with an errno that alone would say otherwise */
		e.sys = want[i].exit == EXIT_SYS ? ENOENT : EIO;
		is_int(err_exit_code(&e), want[i].exit, "%s with sys %d still exits %d",
		       want[i].code, e.sys, want[i].exit);
	}
	ok(!err_kind(NULL) && !err_kind("no-such-kind") && !err_kind(""), "unknown tokens: NULL");
}

static void
test_err_exit_codes(void)
{
	static const struct {
		int sys, code;
	} cases[] = {
	    {0, EXIT_USAGE},	   {ENOENT, EXIT_USAGE}, {EEXIST, EXIT_USAGE},
	    {ENOTDIR, EXIT_USAGE}, {ELOOP, EXIT_USAGE},	 {ENAMETOOLONG, EXIT_USAGE},
	    {EXDEV, EXIT_USAGE},   {EIO, EXIT_SYS},	 {ENOSPC, EXIT_SYS},
	    {EACCES, EXIT_SYS},	   {ENOMEM, EXIT_SYS},	 {EBUSY, EXIT_SYS},
	};
	struct err e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_set(&e, cases[i].sys, "x");
		is_int(err_exit_code(&e), cases[i].code, "errno %d exits %d", cases[i].sys,
		       cases[i].code);
		/* no code at all: errno alone decides, the same way */
		e.code = NULL;
		is_int(err_exit_code(&e), cases[i].code, "no code, errno %d exits %d", cases[i].sys,
		       cases[i].code);
	}
	/* the cases of issue 16: coded errors without errno that must exit 111 */
	err_code(&e, "system", "layer worker killed by signal 9");
	is_int(err_exit_code(&e), EXIT_SYS, "a \"system\" error without errno exits 111");
	err_code(&e, "busy", "'lock' is locked by another process");
	is_int(err_exit_code(&e), EXIT_SYS, "a busy lock exits 111");
	err_code(&e, "network", "connection refused");
	is_int(err_exit_code(&e), EXIT_SYS, "a network failure exits 111");
	err_code(&e, "conflict", "snapshot 'a' has children");
	is_int(err_exit_code(&e), EXIT_USAGE, "a conflict exits 100");
	/* a token the table lacks (test-err-tree keeps them out): errno decides */
	err_code(&e, "no-such-kind", "x");
	is_int(err_exit_code(&e), EXIT_USAGE, "unknown token, no errno: 100");
	e.sys = EIO;
	is_int(err_exit_code(&e), EXIT_SYS, "unknown token, EIO: 111");
}

/* Run die_err(e) in a child; returns its exit status and its stderr in buf. */
static int
die_in_child(const struct err *e, bool json, char *buf, size_t n, char *out, size_t outn)
{
	int errp[2], outp[2], status;
	pid_t pid;
	ssize_t r;

	if (pipe(errp) < 0 || pipe(outp) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(errp[1], 2);
		dup2(outp[1], 1);
		PROG = "ctr-test";
		prog_set_json_errors(json);
		die_err(e);
	}
	close(errp[1]);
	close(outp[1]);
	r = fdio_read_full(errp[0], buf, n - 1);
	buf[r > 0 ? r : 0] = '\0';
	r = fdio_read_full(outp[0], out, outn - 1);
	out[r > 0 ? r : 0] = '\0';
	close(errp[0]);
	close(outp[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_err_die_err(void)
{
	char buf[1024], out[1024];
	struct err e;

	err_set(&e, EIO, "write 'x'");
	is_int(die_in_child(&e, false, buf, sizeof(buf), out, sizeof(out)), 111, "EIO dies 111");
	is_str(buf, "ctr-test: fatal: write 'x': Input/output error\n", "one line on stderr");
	is_str(out, "", "nothing on stdout without --json");

	err_code(&e, "busy", "'x' is locked by another process");
	is_int(die_in_child(&e, true, buf, sizeof(buf), out, sizeof(out)), 111, "busy dies 111");
	ok(strstr(out, "\"code\":\"busy\""), "the code is kept: %s", out);

	err_code(&e, "invalid", "bad name");
	is_int(die_in_child(&e, true, buf, sizeof(buf), out, sizeof(out)), 100, "invalid dies 100");
	is_str(buf, "ctr-test: fatal: bad name\n", "stderr line");
	ok(strstr(out, "\"code\":\"invalid\"") && strstr(out, "\"message\":\"bad name\""),
	   "JSON error on stdout: %s", out);

	/* a name from hostile input must not break the one-line rule */
	err_code(&e, "invalid", "invalid name '%s'", "a\nb\x1b[2Jc\r");
	is_int(die_in_child(&e, false, buf, sizeof(buf), out, sizeof(out)), 100, "dies 100");
	is_str(buf, "ctr-test: fatal: invalid name 'a?b?[2Jc?'\n", "control bytes shown as '?'");
}

int
main(void)
{
	RUN(test_err_set_plain);
	RUN(test_err_set_errno);
	RUN(test_err_code_token);
	RUN(test_err_prefix_chain);
	RUN(test_err_truncation);
	RUN(test_err_exit_table);
	RUN(test_err_exit_codes);
	RUN(test_err_die_err);
	return tap_done();
}
