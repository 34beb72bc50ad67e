/* SPDX-License-Identifier: Apache-2.0 */
/* Exec processes with a terminal: a console socket each, the master relayed to the client. */
#ifndef CTR_SHIM_EXEC_TTY_H
#define CTR_SHIM_EXEC_TTY_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct shim;
struct client;
struct watch;
struct detachkeys;

/*
 * Run exec EID with a terminal: a console socket of its own, then relay the
 * master to c's passed stdout and from its stdin while c's connection lasts,
 * or until keys (none: len 0) are typed on that stdin.
 */
int exec_tty_run(struct shim *s, struct client *c, const char *eid, const json_t *process,
		 const struct detachkeys *keys, pid_t *pid, struct err *e);
void exec_tty_on_event(struct shim *s, struct watch *w, uint32_t events);
/* EID has exited: relay what is left in its master, then close it. No-op without a TTY. */
void exec_tty_exited(struct shim *s, const char *eid);
/* Free the terminals closed since the last sweep (events of one batch may still name them). */
void exec_tty_sweep(struct shim *s);
int exec_tty_resize(struct shim *s, const char *eid, unsigned w, unsigned h, struct err *e);
/* Close every exec terminal (at exit). */
void exec_tty_release_all(struct shim *s);

#endif
