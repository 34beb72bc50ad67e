/* SPDX-License-Identifier: Apache-2.0 */
/* Running an OCI runtime binary (runc, crun): its command line, its exit, its error message. */
#include "ociruntime.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

#define ARGV_MAX 24
#define TEXT_MAX (1u << 20) /* of a log or of stderr: more is not read */

/* PATH --root ROOT [--log LOGPATH --log-format json] ARGS... into argv (ARGV_MAX slots). */
static int
make_argv(const struct ociruntime *rt, const char *logpath, const char *const args[],
	  const char *argv[ARGV_MAX], struct err *e)
{
	size_t n = 0;

	argv[n++] = rt->path;
	argv[n++] = "--root", argv[n++] = rt->root;
	if (logpath)
		argv[n++] = "--log", argv[n++] = logpath, argv[n++] = "--log-format",
		argv[n++] = "json";
	for (; *args; args++) {
		if (n == ARGV_MAX - 1)
			return err_code(e, "invalid", "%s %s: too many arguments", rt->path,
					argv[logpath ? 7 : 3]);
		argv[n++] = *args;
	}
	argv[n] = NULL;
	return 0;
}

/* The msg of the last error or fatal line of a JSON log, or NULL; *best holds it. */
static const char *
logged_error(char *text, json_t **best)
{
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *lvl = json_string_value(json_object_get(j, "level"));

		if (lvl && (!strcmp(lvl, "error") || !strcmp(lvl, "fatal"))) {
			json_decref(*best);
			*best = j;
		} else {
			json_decref(j);
		}
	}
	return json_string_value(json_object_get(*best, "msg"));
}

/*
 * The runtime's message from its log. Its stderr cannot be read instead:
 * at create it is the container's stderr.
 */
static void
log_error(const struct ociruntime *rt, const char *log, int rc, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	const char *msg = NULL;
	json_t *best = NULL;
	size_t len;
	struct err ignore;

	if (fdio_read_file_at(rt->dirfd, log, TEXT_MAX, &buf, &len, &ignore) == 0)
		msg = logged_error(buf, &best);
	if (msg)
		err_code(e, "runtime", "%s", msg);
	else if (rc > 128)
		err_code(e, "runtime", "%s killed by signal %d", rt->path, rc - 128);
	else
		err_code(e, "runtime", "%s exited with status %d", rt->path, rc);
	json_decref(best);
	for (char *p = e->msg; *p; p++) /* callers put it on one line (a sync line, a reply) */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int
ociruntime_start(const struct ociruntime *rt, const char *log, const char *const args[],
		 const struct spawn_opts *so, pid_t *pid, struct err *e)
{
	_cleanup_free_ char *logpath = xasprintf("%s/%s", rt->dir, log);
	const char *argv[ARGV_MAX];

	if (make_argv(rt, logpath, args, argv, e) < 0)
		return -1;
	unlinkat(rt->dirfd, log, 0);
	return spawn_start((char *const *)argv, so, pid, e);
}

int
ociruntime_collect(const struct ociruntime *rt, const char *log, int rc, struct err *e)
{
	if (rc > 0)
		log_error(rt, log, rc, e);
	unlinkat(rt->dirfd, log, 0);
	return rc ? -1 : 0;
}

/* The last non-empty line of text without trailing blanks: runtimes put the reason there. */
static void
last_line(const char *text, char *out, size_t n)
{
	size_t len = strlen(text);
	const char *start;

	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	start = memrchr(text, '\n', len);
	start = start ? start + 1 : text;
	snprintf(out, n, "%.*s", (int)(len - (size_t)(start - text)), start);
}

/* Run argv with its stderr read through a pipe; its last line is the error. */
static int
run_captured(const char *const argv[], const char *verb, const struct spawn_opts *so, struct err *e)
{
	struct spawn_opts o = *so;
	_cleanup_free_ char *text = NULL;
	char line[400];
	int pfd[2], r;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	o.stderr_fd = pfd[1];
	r = spawn_start((char *const *)argv, &o, &pid, e);
	close(pfd[1]);
	if (r == 0 && fdio_read_all(pfd[0], TEXT_MAX, &text, NULL, e) < 0)
		text = NULL;
	close(pfd[0]);
	if (r < 0 || (r = spawn_wait(pid, e)) <= 0)
		return r;
	last_line(text ? text : "", line, sizeof(line));
	return err_code(e, "runtime", "%s %s: %s", argv[0], verb,
			line[0] ? line : "failed without a message");
}

int
ociruntime_run(const struct ociruntime *rt, const char *log, const char *const args[],
	       const struct spawn_opts *so, struct err *e)
{
	const char *argv[ARGV_MAX];
	pid_t pid;
	int rc;

	if (!log)
		return make_argv(rt, NULL, args, argv, e) < 0 ? -1
							      : run_captured(argv, args[0], so, e);
	if (ociruntime_start(rt, log, args, so, &pid, e) < 0 || (rc = spawn_wait(pid, e)) < 0)
		return -1;
	return ociruntime_collect(rt, log, rc, e);
}
