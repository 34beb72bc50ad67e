/* SPDX-License-Identifier: Apache-2.0 */
/* --stdio inherit: the runtime's stderr through a pipe of ours, so that its failure is told once. */
#ifndef CTR_SHIM_RTSTDERR_H
#define CTR_SHIM_RTSTDERR_H

#include <stdint.h>

#include "err.h"
#include "spawn.h"

struct shim;

/*
 * With --stdio inherit: a pipe whose write end becomes so's stderr (the
 * runtime's, and without a TTY the container's too); the read end is ours.
 * Nothing to do (0) otherwise.
 */
int rtstderr_open(struct shim *s, struct spawn_opts *so, struct err *e);
/*
 * After the runtime's create or run returned. Failed (e filled): what it
 * wrote is dropped, its last line added to e where e does not say it
 * already. Succeeded: what it wrote goes to our stderr, and so does all
 * that comes later, from the loop.
 */
void rtstderr_done(struct shim *s, struct spawn_opts *so, int r, struct err *e);
void rtstderr_on_event(struct shim *s, uint32_t events);
/* Init has exited: relay what the pipe holds now, without waiting for more. */
void rtstderr_drain(struct shim *s);

#endif
