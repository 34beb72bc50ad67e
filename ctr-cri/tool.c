/* SPDX-License-Identifier: Apache-2.0 */
/* Running the stages that own what a call changes: ctr-pull, ctr-image, ctr-run. */
#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "spawn.h"
#include "tool.h"
#include "xmem.h"

/*
 * Run a tool of the suite on our store and namespace: argv[0] is found
 * beside us ($CTR_PULL...), then come the global options and args. A
 * failure's message is the tool's own: its JSON error when it printed one
 * (--json), else the last line of its stderr.
 */
int
tool_run(struct cri *c, const char *tool, const char *env, const char *const *args,
	 const char *input, char **stdout_text, struct cri_status *s)
{
	_cleanup_free_ char *exe = spawn_sibling(tool, env);
	_cleanup_free_ char *out = NULL, *why = NULL;
	const char *globals[] = {exe,	     "--root", c->st->root, "--state",
				 c->st->run, "-n",     c->st->ns};
	size_t n = 0, nargs = 0;
	_cleanup_free_ const char **argv = NULL;
	json_auto_t *doc = NULL;
	const char *code, *msg;
	struct err e;
	json_t *je;
	int rc;

	while (args[nargs])
		nargs++;
	argv = xcalloc(sizeof(globals) / sizeof(globals[0]) + nargs + 1, sizeof(*argv));
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		argv[n++] = globals[i];
	for (size_t i = 0; i < nargs; i++)
		argv[n++] = args[i];
	rc = spawn_output_input((char *const *)argv, input, 1 << 20, &out, &why, &e);
	if (rc < 0)
		return cri_fail(s, GRPC_STATUS_INTERNAL, "%s: %s", tool, e.msg);
	if (rc == 0) {
		if (stdout_text)
			*stdout_text = steal_ptr(out);
		return 0;
	}
	doc = jsonio_parse(out, strlen(out), tool, &e);
	je = json_object_get(doc, "error");
	code = jsonio_str(je, "code");
	msg = jsonio_str(je, "message");
	if (code && msg)
		return cri_fail(s, cri_code_status(code), "%s: %s", tool, msg);
	/* 100 is bad input by the suite's rule (ctr-json(7)): the request's, as we pass it on */
	return cri_fail(s, rc == 100 ? GRPC_STATUS_INVALID_ARGUMENT : GRPC_STATUS_INTERNAL,
			"%s exited %d: %s", tool, rc, why);
}
