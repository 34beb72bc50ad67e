/* SPDX-License-Identifier: Apache-2.0 */
/* --foreground: the runtime's own `run`, which stays with the container and deletes it. */
#ifndef CTR_SHIM_FOREGROUND_H
#define CTR_SHIM_FOREGROUND_H

#include <stdbool.h>

#include "err.h"
#include "spawn.h"

struct shim;

/* Launch `RUNTIME run` (ARGS) and return once init runs (s->init.pid) or ran. */
int foreground_start(struct shim *s, const char *const args[], const struct spawn_opts *so,
		     struct err *e);
/* The loop reaped the runtime's run: record init's exit from its status. */
void foreground_exited(struct shim *s, int wstatus);
/* Is init still running (not even a zombie)? */
bool foreground_init_alive(const struct shim *s);

#endif
