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

/* One line of ctr-pull's stderr (as spawn_capture hands it): a progress event drawn. */
static void
on_line(void *ctx, const char *s, size_t n)
{
	struct progress *pr = ctx;
	json_auto_t *ev = json_loadb(s, n, 0, NULL);
	const char *what = jsonio_str(ev, "event"), *d = jsonio_str(ev, "digest");

#define NUM(k) ((int64_t)json_integer_value(json_object_get(ev, k)))
	if (!what || !d)
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
	const char *args[] = {"--unpack", "--json", "--progress", "json", ref, NULL};
	/* its stdout: the image document (we load the record it made), or its error */
	struct spawn_io io = {.max = 1 << 20, .on_err_line = on_line};
	struct progress pr;
	int rc;

	io.ctx = &pr;
	progress_init(&pr, isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_NONE);
	rc = spawn_tool(st, NULL, "ctr-pull", "CTR_PULL", args, &io, e);
	progress_release(&pr);
	spawn_io_release(&io);
	return rc == 0 ? 0 : err_prefix(e, "pull '%s'", ref);
}

int
unpack_image(const struct state *st, const char *name, struct err *e)
{
	const char *args[] = {"--json", name, NULL};
	/* its stdout: the snapshot document (the create finds the snapshot), or its error */
	struct spawn_io io = {.max = 1 << 20};
	int rc = spawn_tool(st, NULL, "ctr-unpack", "CTR_UNPACK", args, &io, e);

	spawn_io_release(&io);
	return rc == 0 ? 0 : err_prefix(e, "unpack '%s'", name);
}
