/* SPDX-License-Identifier: Apache-2.0 */
/* Docker credential helpers: `docker-credential-NAME get`, server on stdin, JSON on stdout. */
#include "credhelper.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "path.h"
#include "prog.h"
#include "spawn.h"
#include "xmem.h"

#define HELPER_OUT_MAX (64u << 10)

/* The helper's own words for "none stored" (docker-credential-helpers' ErrCredentialsNotFound). */
static bool
says_not_found(const char *out)
{
	return strstr(out, "credentials not found") != NULL;
}

/* {"ServerURL","Username","Secret"}: 1 with both set, or -1. */
static int
parse_answer(const char *exe, const struct spawn_io *io, char **user, char **secret, struct err *e)
{
	json_auto_t *doc = json_loadb(io->out, io->outlen, JSON_REJECT_DUPLICATES, NULL);
	const char *u = jsonio_str(doc, "Username"), *s = jsonio_str(doc, "Secret");

	if (io->too_big || !json_is_object(doc) || !u || !s || !*s)
		return err_code(e, "invalid",
				"credential helper '%s' answered no {\"Username\",\"Secret\"} JSON",
				exe);
	*user = xstrdup(u);
	*secret = xstrdup(s);
	return 1;
}

/* Why a helper that ran failed: a timeout, or its last words. */
static int
failed(const char *exe, int rc, long timeout_secs, const struct spawn_io *io, struct err *e)
{
	_cleanup_free_ char *words = xstrndup(io->out, strcspn(io->out, "\r\n"));

	if (io->timed_out)
		return err_code(e, "system",
				"credential helper '%s' did not answer within %ld s; killed", exe,
				timeout_secs);
	if (!*words)
		free(words), words = xstrdup(io->errline);
	for (char *p = words; *p; p++)
		*p = prog_inert(*p);
	return err_code(e, "system", "credential helper '%s' failed (status %d)%s%.200s", exe, rc,
			*words ? ": " : "", words);
}

int
credhelper_get(const char *name, const char *server, long timeout_secs, char **user, char **secret,
	       struct err *e)
{
	_cleanup_free_ char *exe = xasprintf("docker-credential-%s", name);
	struct spawn_io io = {.in = server, .inlen = strlen(server), .max = HELPER_OUT_MAX};
	int rc;

	*user = *secret = NULL;
	/* a name from a config file, never a path: "../../bin/sh" must not run */
	if (path_check_name(exe, 255, e) < 0)
		return err_prefix(e, "credential helper");
	io.timeout_ms = (int)(timeout_secs * 1000);
	rc = spawn_capture((char *[]){exe, "get", NULL}, &io, e);
	if (rc < 0 && e->sys == ENOENT)
		rc = err_code(e, "not-found", "credential helper '%s' not found in $PATH", exe);
	else if (rc == 0)
		rc = parse_answer(exe, &io, user, secret, e);
	else if (rc > 0 && !io.timed_out && says_not_found(io.out))
		rc = 0;
	else if (rc > 0 || io.timed_out)
		rc = failed(exe, rc, timeout_secs, &io, e);
	spawn_io_release(&io);
	return rc;
}
