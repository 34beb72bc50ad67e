/* SPDX-License-Identifier: Apache-2.0 */
/* Pulling an image for run and create: ctr-pull as a child, its JSON progress drawn here. */
#include "pull.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "progress.h"
#include "spawn.h"
#include "xmem.h"

int
pull_policy_parse(const char *s, enum pull_policy *p, struct err *e)
{
	static const char *const names[] = {"missing", "always", "never"};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(s, names[i])) {
			*p = (enum pull_policy)i;
			return 0;
		}
	return err_code(e, "usage", "--pull '%.32s': want missing, always or never", s);
}

/* One line of ctr-pull's stderr: a progress event drawn, or its error kept. */
static void
line(struct progress *pr, const char *s, size_t n, char **msg, char **code)
{
	json_auto_t *ev = json_loadb(s, n, 0, NULL);
	const char *what = jsonio_str(ev, "event"), *d = jsonio_str(ev, "digest");
	json_t *err = json_object_get(ev, "error");

#define NUM(k) ((int64_t)json_integer_value(json_object_get(ev, k)))
	if (err && jsonio_str(err, "message")) {
		free(*msg), free(*code);
		*msg = xstrdup(jsonio_str(err, "message"));
		*code = xstrdup(jsonio_str(err, "code") ? jsonio_str(err, "code") : "system");
	} else if (!what || !d)
		return;
	else if (!strcmp(what, "resolved"))
		progress_resolved(pr, jsonio_str(ev, "name") ?: "", d, (int)NUM("layers"),
				  NUM("size"));
	else if (!strcmp(what, "layer-start"))
		progress_layer_start(pr, d, NUM("size"), NUM("offset"));
	else if (!strcmp(what, "layer-progress"))
		progress_layer_bytes(pr, d, NUM("bytes"), NUM("size"));
	else if (!strcmp(what, "layer-done"))
		progress_layer_done(pr, d, NUM("size"), NUM("transferred"),
				    jsonio_str(ev, "status") ?: "done");
	else if (!strcmp(what, "done"))
		progress_done(pr, d, NUM("transferred"),
			      json_number_value(json_object_get(ev, "seconds")));
#undef NUM
}

int
pull_image(const struct state *st, const char *ref, struct err *e)
{
	_cleanup_free_ char *exe = spawn_sibling("ctr-pull", "CTR_PULL");
	_cleanup_free_ char *msg = NULL, *code = NULL, *buf = NULL;
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	_cleanup_close_ int out = memfd_create("ctr-pull-out", MFD_CLOEXEC);
	const char *argv[] = {exe,	  "--root", st->root,	  "--state", st->run, "-n", st->ns,
			      "--unpack", "--json", "--progress", "json",    ref,     NULL};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	const struct err_kind *kind;
	struct progress pr;
	size_t len = 0, cap = 0;
	int fds[2], rc;
	pid_t pid;

	if (null < 0 || out < 0 || pipe2(fds, O_CLOEXEC) < 0)
		return err_set(e, errno, "pull '%s'", ref);
	so.stdin_fd = null;
	so.stdout_fd = out; /* the image document (we load the record it made), or its error */
	so.stderr_fd = fds[1];
	rc = spawn_start((char *const *)argv, &so, &pid, e);
	close(fds[1]);
	if (rc < 0) {
		close(fds[0]);
		return err_prefix(e, "pull '%s'", ref);
	}
	progress_init(&pr, isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_NONE);
	for (;;) {
		ssize_t n;
		char *nl;

		if (len == cap)
			buf = xrealloc(buf, cap = cap ? cap * 2 : 4096);
		n = read(fds[0], buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		while ((nl = memchr(buf, '\n', len))) {
			line(&pr, buf, (size_t)(nl - buf), &msg, &code);
			len -= (size_t)(nl - buf) + 1;
			memmove(buf, nl + 1, len);
		}
		if (len > 1 << 20)
			len = 0; /* not a line of ctr-pull's */
	}
	close(fds[0]);
	rc = spawn_wait(pid, e);
	if (rc <= 0) {
		progress_release(&pr);
		return rc == 0 ? 0 : err_prefix(e, "pull '%s'", ref);
	}
	/* --json: its error, {"error":{"code","message"}}, is the last line of its stdout */
	free(buf);
	buf = NULL;
	if (lseek(out, 0, SEEK_SET) == 0 &&
	    fdio_read_all(out, 1 << 20, &buf, &len, &(struct err){0}) == 0) {
		char *last = buf;

		while (len && buf[len - 1] == '\n')
			buf[--len] = 0;
		if (memrchr(buf, '\n', len))
			last = (char *)memrchr(buf, '\n', len) + 1;
		line(&pr, last, strlen(last), &msg, &code);
	}
	progress_release(&pr);
	/* ctr-pull's kind, as the table's own token (e keeps a pointer to it) */
	kind = code ? err_kind(code) : NULL;
	return err_code(e, kind ? kind->code : "system", "pull '%s': %s", ref,
			msg ? msg : "ctr-pull failed, saying nothing");
}
