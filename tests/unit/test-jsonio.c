/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for strict JSON input and line output. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "jsonio.h"
#include "path.h"

static char tmp[] = "/tmp/ctr-test-jsonio-XXXXXX";
static int tmpfd = -1;

static void
test_jsonio_parse_valid(void)
{
	static const char *const cases[] = {
	    "{}",
	    "[]",
	    "{\"a\":1}",
	    " {\"a\":[1,2,{\"b\":null}]} \n",
	    "[\"\\u00e9\"]",
	    "{\"a\":\"\xc3\xa9\"}",
	    "{\"a\":1,\"A\":2}",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e;
		json_t *j = jsonio_parse(cases[i], strlen(cases[i]), "t", &e);

		ok(j != NULL, "valid document #%zu parses", i);
		json_decref(j);
	}
}

static void
test_jsonio_parse_invalid(void)
{
	static const struct {
		const char *s;
		size_t len; /* 0: strlen */
		const char *why;
	} cases[] = {
	    {"{\"a\":1,\"a\":2}", 0, "duplicate"},
	    {"{\"x\":{\"k\":1,\"k\":1}}", 0, "duplicate"},
	    {"{\"a\":\"x\\u0000y\"}", 0, "NUL"},
	    {"{\"a\":\"x\0y\"}", 11, ""},
	    {"{\"a\":1}\0", 8, ""},
	    {"{} x", 0, ""},
	    {"{}{}", 0, ""},
	    {"[1,]", 0, ""},
	    {"{\"a\":1,}", 0, ""},
	    {"{'a':1}", 0, ""},
	    {"{\"a\":\"\xff\"}", 0, ""},
	    {"{\"a\":01}", 0, ""},
	    {"{\"a\":NaN}", 0, ""},
	    {"\"just a string\"", 0, ""},
	    {"42", 0, ""},
	    {"", 0, ""},
	    {"   \n", 0, ""},
	    {"{\"a\":", 0, ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].s);
		struct err e = {0};
		json_t *j = jsonio_parse(cases[i].s, len, "input", &e);

		ok(j == NULL, "invalid document #%zu refused", i);
		json_decref(j);
		is_str(e.code, "invalid", "#%zu: code invalid", i);
		ok(!strncmp(e.msg, "input:", 6), "#%zu: message names the source: %s", i, e.msg);
		if (cases[i].why[0])
			ok(strstr(e.msg, cases[i].why), "#%zu: message says '%s'", i, cases[i].why);
	}
}

/* Deep nesting is an error, not a stack overflow. */
static void
test_jsonio_deep_nesting(void)
{
	const size_t n = 100000;
	char *s = malloc(n);
	struct err e;
	json_t *j;

	memset(s, '[', n);
	j = jsonio_parse(s, n, "deep", &e);
	ok(j == NULL, "100000 nested arrays refused");
	json_decref(j);
	free(s);
}

static json_t *
load_string(const char *s, size_t max, struct err *e)
{
	int p[2];
	json_t *j;

	if (pipe2(p, O_CLOEXEC) < 0 || fdio_write_full(p[1], s, strlen(s)) < 0)
		return NULL;
	close(p[1]);
	j = jsonio_load_fd(p[0], max, "stdin", e);
	close(p[0]);
	return j;
}

static void
test_jsonio_load_fd(void)
{
	struct err e = {0};
	json_t *j;

	j = load_string("{\"name\":\"x\"}\n", 100, &e);
	ok(j && !strcmp(jsonio_str(j, "name"), "x"), "document from a pipe");
	json_decref(j);
	j = load_string("", 100, &e);
	ok(j == NULL, "empty input refused");
	ok(strstr(e.msg, "empty input"), "message says empty: %s", e.msg);
	is_str(e.code, "invalid", "code invalid");
	j = load_string("{\"a\":\"0123456789\"}", 18, &e);
	ok(j != NULL, "exactly max bytes accepted");
	json_decref(j);
	j = load_string("{\"a\":\"0123456789\"}", 17, &e);
	ok(j == NULL, "max + 1 bytes refused");
	is_str(e.code, "too-large", "code too-large");
	ok(!strncmp(e.msg, "stdin", 5), "message names the source: %s", e.msg);
	j = load_string("{\"a\":1}\n{\"b\":2}\n", 100, &e);
	ok(j == NULL, "two documents refused");
	ok(strstr(e.msg, "stdin:2:"), "error points at line 2: %s", e.msg);
	ok(jsonio_load_fd(-1, 10, "bad", &e) == NULL && e.sys == EBADF, "bad fd: EBADF");
}

static void
test_jsonio_load_at(void)
{
	struct err e;
	json_t *j;

	tap_write_file(tmpfd, "rec.json", "{\"k\":[1]}\n");
	j = jsonio_load_at(tmpfd, "rec.json", 1000, &e);
	ok(j && json_is_array(json_object_get(j, "k")), "record loads");
	json_decref(j);
	symlinkat("rec.json", tmpfd, "link.json");
	ok(jsonio_load_at(tmpfd, "link.json", 1000, &e) == NULL, "symlink refused");
	ok(jsonio_load_at(tmpfd, "missing.json", 1000, &e) == NULL, "missing refused");
	is_str(e.code, "not-found", "code not-found");
	tap_write_file(tmpfd, "bad.json", "{\"k\":1,\"k\":2}");
	ok(jsonio_load_at(tmpfd, "bad.json", 1000, &e) == NULL, "duplicate keys refused");
	ok(strstr(e.msg, "bad.json"), "message names the file: %s", e.msg);
	ok(jsonio_load_at(tmpfd, "rec.json", 5, &e) == NULL, "size cap");
	is_str(e.code, "too-large", "code too-large");
}

/* What jsonio_write(…pretty) prints, through a pipe. */
static void
write_through_pipe(const json_t *doc, bool pretty, char *buf, size_t n)
{
	int p[2];
	FILE *f;
	ssize_t r;

	buf[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	f = fdopen(p[1], "w");
	if (pretty)
		jsonio_write_pretty(f, doc);
	else
		jsonio_write(f, doc);
	fclose(f);
	r = fdio_read_full(p[0], buf, n - 1);
	buf[r > 0 ? r : 0] = '\0';
	close(p[0]);
}

static void
test_jsonio_write(void)
{
	json_t *doc = json_pack("{s:i, s:s}", "b", 1, "a", "x");
	char buf[256];

	write_through_pipe(doc, false, buf, sizeof(buf));
	ok(!strcmp(buf, "{\"b\":1,\"a\":\"x\"}\n") || !strcmp(buf, "{\"a\":\"x\",\"b\":1}\n"),
	   "compact, one line: %.*s", (int)strcspn(buf, "\n"), buf);
	ok(!strchr(buf, ' '), "no spaces");
	write_through_pipe(doc, true, buf, sizeof(buf));
	is_str(buf, "{\n  \"a\": \"x\",\n  \"b\": 1\n}\n", "pretty: sorted keys, indent 2");
	json_decref(doc);
}

/* A closed stdout (the next stage died) is a system failure: exit 111. */
static void
test_jsonio_write_epipe_exits_111(void)
{
	int p[2], status, errp[2];
	char msg[256] = "";
	pid_t pid;
	ssize_t r;

	ok(pipe2(p, O_CLOEXEC) == 0 && pipe2(errp, O_CLOEXEC) == 0, "pipes");
	close(p[0]);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		json_t *doc = json_pack("{s:s}", "a", "b");
		FILE *f = fdopen(p[1], "w");

		signal(SIGPIPE, SIG_IGN);
		dup2(errp[1], 2);
		jsonio_write(f, doc);
		_exit(0);
	}
	close(p[1]);
	close(errp[1]);
	r = fdio_read_full(errp[0], msg, sizeof(msg) - 1);
	msg[r > 0 ? r : 0] = '\0';
	close(errp[0]);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 111, "write to a closed pipe exits 111");
	ok(strstr(msg, "fatal: write JSON output"), "one fatal line: %.*s", (int)strcspn(msg, "\n"),
	   msg);
}

static void
test_jsonio_str(void)
{
	json_t *doc = json_pack("{s:s, s:i, s:n}", "s", "v", "i", 3, "n");

	is_str(jsonio_str(doc, "s"), "v", "string member");
	ok(jsonio_str(doc, "i") == NULL, "number member is not a string");
	ok(jsonio_str(doc, "n") == NULL, "null member is not a string");
	ok(jsonio_str(doc, "absent") == NULL, "absent member");
	ok(jsonio_str(NULL, "s") == NULL, "NULL object");
	json_decref(doc);
}

int
main(void)
{
	struct err e;

	tmpfd = tap_tmpdir(tmp);
	RUN(test_jsonio_parse_valid);
	RUN(test_jsonio_parse_invalid);
	RUN(test_jsonio_deep_nesting);
	RUN(test_jsonio_load_fd);
	RUN(test_jsonio_load_at);
	RUN(test_jsonio_write);
	RUN(test_jsonio_write_epipe_exits_111);
	RUN(test_jsonio_str);
	close(tmpfd);
	ok(path_rm_rf(AT_FDCWD, tmp, &e) == 0, "temporary directory removed");
	return tap_done();
}
