/* SPDX-License-Identifier: Apache-2.0 */
/* A container's framed output from its shim to our stdout and stderr; our stdin to it. */
#ifndef CTR_RUN_RELAY_H
#define CTR_RUN_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "detachkeys.h"
#include "err.h"

struct relay {
	int sock;	   /* frames from the shim (a logs or attach connection) */
	const char *early; /* bytes of it read already (after the reply line) */
	size_t nearly;
	int in_to; /* where our stdin goes (a lent stdin pipe or PTY master), or -1 */
	int sigfd; /* a signalfd: SIGWINCH resizes, others detach; or -1 */
	const struct detachkeys
	    *keys;		   /* typed on our stdin, they detach (a raw terminal); or NULL */
	const struct container *c; /* for resize requests, with resize */
	bool resize;
	/* at the end of our stdin, or when we detach, the shim closes the container's (close-stdin) */
	bool close_stdin;
};

enum relay_end {
	RELAY_EOF,	/* the output ended: the container closed it or exited */
	RELAY_DETACHED, /* a signal, the detach keys, or our stdout went away */
};

/* Relay until the output ends or we detach; -1 with e filled on a broken stream. */
int relay_run(const struct relay *r, enum relay_end *end, struct err *e);
/* Our stdout a terminal and its line unfinished (a prompt): end it, so that the shell's starts anew. */
void relay_end_line(bool unfinished);
/* The frames in buf (the shim's saved output) from the last tail lines on (tail < 0: all). */
int relay_saved(const char *buf, size_t len, long tail, struct err *e);

#endif
