/* SPDX-License-Identifier: Apache-2.0 */
/* TTY containers: the PTY master from --console-socket, relayed to our stdio or to the output. */
#ifndef CTR_SHIM_TTY_H
#define CTR_SHIM_TTY_H

#include <stdint.h>

#include "err.h"

struct shim;

/* Bind STATEDIR/console.sock; *console_path (caller's) is what the runtime is told. */
int tty_listen(struct shim *s, char **console_path, struct err *e);
/* After create: take the master the runtime sent, and watch it (and stdin). */
int tty_receive(struct shim *s, struct err *e);
void tty_on_master(struct shim *s, uint32_t events);
void tty_on_stdin(struct shim *s, uint32_t events);
/* Init has exited: relay what is left in the master. */
void tty_drain(struct shim *s);
int tty_resize(struct shim *s, unsigned w, unsigned h, struct err *e);
/* The container's stdin ends: VEOF on the master. */
int tty_close_stdin(struct shim *s, struct err *e);
/*
 * --caller-pid with --stdio inherit: watch the caller, and when it is gone
 * stop relaying the terminal, which is then its shell's again.
 */
void tty_watch_caller(struct shim *s);
void tty_on_caller(struct shim *s);
/* Bind STATEDIR/NAME for --console-socket; *path (caller's) is what the runtime is told. */
int tty_console_listen(struct shim *s, const char *name, int *lfd, char **path, struct err *e);
/* The PTY master the runtime sent (non-blocking); *lfd is closed and NAME removed either way. */
int tty_console_take(struct shim *s, int *lfd, const char *name, struct err *e);

#endif
