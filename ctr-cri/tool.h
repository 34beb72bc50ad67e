/* SPDX-License-Identifier: Apache-2.0 */
/* Running a tool of the suite on ctr-cri's store and namespace. */
#ifndef CTR_CRI_TOOL_H
#define CTR_CRI_TOOL_H

#include "cri.h"

/*
 * tool (found beside us, or as $env) with the global options of our store
 * and namespace, then args (NULL-terminated); input on its stdin when not
 * NULL. 0 and *stdout_text (new string, when not NULL) on success; -1 with
 * s filled from the tool's JSON error (when it printed one, --json) or its
 * last line of stderr.
 */
int tool_run(struct cri *c, const char *tool, const char *env, const char *const *args,
	     const char *input, char **stdout_text, struct cri_status *s);
/* tool_run with the tool's failure as it told it: e's code is its --json error's token. */
int tool_call(struct cri *c, const char *tool, const char *env, const char *const *args,
	      const char *input, char **stdout_text, struct err *e);

#endif
