/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime calls on the shim's container: create (or run), start, kill, exec, delete. */
#ifndef CTR_SHIM_RUNTIME_H
#define CTR_SHIM_RUNTIME_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

struct shim;

/*
 * create, or run (--start, --foreground): init's pid in s->init, its stdio
 * as --stdio says. console: a --console-socket path (--tty), else NULL.
 */
int runtime_create(struct shim *s, const char *console, struct err *e);
int runtime_start(struct shim *s, struct err *e);
/* kill SIG to init, or with all to every process of the container. */
int runtime_kill(struct shim *s, int sig, bool all, struct err *e);
/*
 * exec --detach the process (a runtime-spec process object) as EID, with
 * fds (-1: /dev/null) as its stdio; console: a --console-socket path for a
 * process with a terminal, else NULL. *pid gets it.
 */
int runtime_exec(struct shim *s, const char *eid, const json_t *process, const int fds[3],
		 pid_t *pid, struct err *e, const char *console);
/* delete --force; a failure is logged and returned (-1) */
int runtime_delete(struct shim *s);
/* delete --force without waiting (delete_pid); _finish waits for it, logs and returns -1 on failure
 */
void runtime_delete_start(struct shim *s);
int runtime_delete_finish(struct shim *s);

#endif
