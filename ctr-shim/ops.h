/* SPDX-License-Identifier: Apache-2.0 */
/* The control requests: one JSON object in, one response line out (events stream more). */
#ifndef CTR_SHIM_OPS_H
#define CTR_SHIM_OPS_H

#include <jansson.h>
#include <stddef.h>

struct shim;
struct client;
struct proc;

/* Answer the request line (len bytes, no newline) c sent. */
void ops_handle(struct shim *s, struct client *c, const char *line, size_t len);
/* Answer the waiters of p and tell subscribers; p->exit is set. */
void ops_exited(struct shim *s, struct proc *p);
/* The caller's terminal detached (tty.c): answer the waits that asked for it ("detach"). */
void ops_detached(struct shim *s);
/* Send ev (taken) to every events subscriber. */
void ops_event(struct shim *s, json_t *ev);

#endif
