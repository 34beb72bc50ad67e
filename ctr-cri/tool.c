/* SPDX-License-Identifier: Apache-2.0 */
/* Running the stages that own what a call changes: ctr-pull, ctr-image, ctr-run. */
#include <string.h>

#include "cleanup.h"
#include "spawn.h"
#include "tool.h"

/* spawn_tool on our store and namespace. */
int
tool_call(struct cri *c, const char *tool, const char *env, const char *const *args,
	  const char *input, char **stdout_text, struct err *e)
{
	struct spawn_io io = {.in = input, .inlen = input ? strlen(input) : 0, .max = 1 << 20};
	int rc = spawn_tool(c->st, NULL, tool, env, args, &io, e);

	if (rc == 0 && stdout_text)
		*stdout_text = steal_ptr(io.out);
	spawn_io_release(&io);
	return rc == 0 ? 0 : -1;
}

/* Its reason, as kind and message, is the call's status. */
int
tool_run(struct cri *c, const char *tool, const char *env, const char *const *args,
	 const char *input, char **stdout_text, struct cri_status *s)
{
	struct err e;

	if (tool_call(c, tool, env, args, input, stdout_text, &e) == 0)
		return 0;
	return cri_fail(s, cri_code_status(e.code), "%s: %s", tool, e.msg);
}
