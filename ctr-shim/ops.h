/* SPDX-License-Identifier: Apache-2.0 */
/* The control requests: one JSON object in, one response line out (events stream more). */
#ifndef CTR_SHIM_OPS_H
#define CTR_SHIM_OPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct shim;
struct client;
struct proc;

/* Answer the request line (len bytes, no newline) c sent. */
void ops_handle(struct shim *s, struct client *c, const char *line, size_t len);
/* Answer the waiters of p and tell subscribers; p->exit is set. */
void ops_exited(struct shim *s, struct proc *p);
/*
 * The detach keys were typed on the terminal of init's caller (eid NULL,
 * tty.c) or of exec EID's (exec-tty.c): answer the waits for it that asked
 * ("detach"), and those to come. mid_line: the last byte relayed was no '\n'.
 */
void ops_detached(struct shim *s, const char *eid, bool mid_line);
/* Send ev (taken) to every events subscriber. */
void ops_event(struct shim *s, json_t *ev);

#endif
