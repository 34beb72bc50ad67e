/* SPDX-License-Identifier: Apache-2.0 */
/* Pulling an image for run and create: ctr-pull as a child, its JSON progress drawn here. */
#include "pull.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
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

/* Each line of ctr-pull's stderr, as spawn_capture hands it. */
struct pull_lines {
	struct progress pr;
	char *msg, *code;
};

static void
on_line(void *ctx, const char *s, size_t n)
{
	struct pull_lines *pl = ctx;

	line(&pl->pr, s, n, &pl->msg, &pl->code);
}

int
pull_image(const struct state *st, const char *ref, struct err *e)
{
	_cleanup_free_ char *exe = spawn_sibling("ctr-pull", "CTR_PULL");
	const char *argv[] = {exe,	  "--root", st->root,	  "--state", st->run, "-n", st->ns,
			      "--unpack", "--json", "--progress", "json",    ref,     NULL};
	/* its stdout: the image document (we load the record it made), or its error */
	struct spawn_io io = {.max = 1 << 20, .on_err_line = on_line};
	struct pull_lines pl = {0};
	const struct err_kind *kind;
	char *last;
	int rc;

	io.ctx = &pl;
	progress_init(&pl.pr, isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_NONE);
	rc = spawn_capture((char *const *)argv, &io, e);
	if (rc > 0) {
		/* --json: its error, {"error":{"code","message"}}, is the last line of its stdout */
		while (io.outlen && io.out[io.outlen - 1] == '\n')
			io.out[--io.outlen] = 0;
		last = memrchr(io.out, '\n', io.outlen);
		last = last ? last + 1 : io.out;
		line(&pl.pr, last, strlen(last), &pl.msg, &pl.code);
	}
	progress_release(&pl.pr);
	spawn_io_release(&io);
	if (rc <= 0) {
		free(pl.msg), free(pl.code);
		return rc == 0 ? 0 : err_prefix(e, "pull '%s'", ref);
	}
	/* ctr-pull's kind, as the table's own token (e keeps a pointer to it) */
	kind = pl.code ? err_kind(pl.code) : NULL;
	err_code(e, kind ? kind->code : "system", "pull '%s': %s", ref,
		 pl.msg ? pl.msg : "ctr-pull failed, saying nothing");
	free(pl.msg), free(pl.code);
	return -1;
}
