/* SPDX-License-Identifier: Apache-2.0 */
/* Running a tool of the suite on a store, its failure told as a struct err. */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "spawn.h"
#include "state.h"
#include "xmem.h"

/* The global options that put a tool on a store; spawn_tool's argv before args. */
#define TOOL_GLOBALS 7

/* Its --json error document, {"error":{"code","message"}}: the last line of its stdout. */
static bool
json_reason(const struct spawn_io *io, struct err *e)
{
	const char *last, *code, *msg;
	const struct err_kind *kind;
	json_auto_t *doc = NULL;
	json_t *je;
	size_t n = io->out ? io->outlen : 0;

	if (!n)
		return false;
	while (n && io->out[n - 1] == '\n')
		n--;
	last = memrchr(io->out, '\n', n);
	last = last ? last + 1 : io->out;
	doc = json_loadb(last, n - (size_t)(last - io->out), 0, NULL);
	je = json_object_get(doc, "error");
	code = jsonio_str(je, "code");
	msg = jsonio_str(je, "message");
	if (!msg)
		return false;
	/* as the table's own token: e keeps a pointer to it */
	kind = err_kind(code);
	err_code(e, kind ? kind->code : "system", "%s", msg);
	return true;
}

/* Its last line of stderr without "PROG: fatal: ": our caller says whose it is. */
static int
line_reason(const char *name, const struct spawn_io *io, int status, struct err *e)
{
	const char *line = io->errline ? io->errline : "", *fatal = strstr(line, ": fatal: ");
	const char *code = status == EXIT_USAGE ? "invalid"
			   : status == EXIT_NEG ? "negative"
						: "system";

	if (fatal)
		line = fatal + 9;
	if (*line)
		return err_code(e, code, "%s", line);
	return err_code(e, code, "%s exited %d, saying nothing", name, status);
}

int
spawn_tool(const struct state *st, const char *ns, const char *name, const char *env,
	   const char *const *args, struct spawn_io *io, struct err *e)
{
	_cleanup_free_ char *exe = spawn_sibling(name, env);
	_cleanup_free_ const char **argv = NULL;
	size_t nargs = 0;
	int status;

	while (args[nargs])
		nargs++;
	argv = xcalloc(TOOL_GLOBALS + nargs + 1, sizeof(*argv));
	memcpy(argv,
	       (const char *[TOOL_GLOBALS]){exe, "--root", st->root, "--state", st->run, "-n",
					    ns ? ns : st->ns},
	       TOOL_GLOBALS * sizeof(*argv));
	memcpy(argv + TOOL_GLOBALS, args, nargs * sizeof(*argv));
	status = spawn_capture((char *const *)argv, io, e);
	if (status < 0)
		return err_prefix(e, "%s", name);
	if (io->timed_out)
		return err_code(e, "system", "%s ran past its deadline of %d ms", name,
				io->timeout_ms);
	if (status == 0 && io->too_big)
		return err_code(e, "system", "%s printed more than %zu bytes", name, io->max);
	if (status > 0 && !json_reason(io, e))
		line_reason(name, io, status, e);
	return status;
}
