/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket's clients: JSON lines in and out, descriptors passed with a request. */
#ifndef CTR_SHIM_CONTROL_H
#define CTR_SHIM_CONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "loop.h"

struct shim;

struct client {
	struct watch w; /* first: epoll data points here */
	struct client *next;
	char *in, *out;
	size_t inlen, incap, outlen, outcap;
	int fds[3]; /* SCM_RIGHTS descriptors waiting for an exec request */
	int nfds;
	char *wait_for;	 /* "" waits for init, else an exec id; NULL: not waiting */
	bool detachable; /* its wait ends with "detached" when its caller detaches */
	bool events, dead;
	bool follow; /* gets the container's output as frames (logs -f, attach) */
	bool hangup; /* closed once its output is flushed */
};

/* Bind STATEDIR/shim.sock (0600) and watch it. */
int control_listen(struct shim *s, struct err *e);
void control_accept(struct shim *s);
void control_io(struct shim *s, struct client *c, uint32_t events);
/* Queue doc (taken) plus a newline for c; drops c when it reads too slowly. */
void control_send(struct shim *s, struct client *c, json_t *doc);
/* Queue len bytes for c; -1 when c was dropped (too slow) or is gone. */
int control_send_bytes(struct shim *s, struct client *c, const void *buf, size_t len);
/* Queue {"ok":false,"error":MESSAGE} for c. */
void control_error(struct shim *s, struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Close c now (its memory goes at the next sweep); close its unused passed fds. */
void control_drop(struct shim *s, struct client *c);
void control_close_fds(struct client *c);
/* Free the clients marked dead. */
void control_sweep(struct shim *s);
/* True when no client is owed output. */
bool control_drained(const struct shim *s);
void control_close_all(struct shim *s);

#endif
