/* SPDX-License-Identifier: Apache-2.0 */
/* Readiness for systemd Type=notify units: READY=1 once the container runs, or its own, relayed. */
#ifndef CTR_SHIM_NOTIFY_H
#define CTR_SHIM_NOTIFY_H

#include "err.h"

struct shim;

/* --sdnotify=conmon: READY=1 and MAINPID=the shim, once init runs; no-op with a relay. */
void notify_ready(struct shim *s);
/*
 * --notify-relay: make STATEDIR/notify/ and bind notify.sock in it (before
 * the runtime mounts it into the container), watched by the loop.
 */
int notify_relay_open(struct shim *s, struct err *e);
/* Forward what the container sent (allowed lines only, MAINPID with the first READY=1). */
void notify_relay_on_event(struct shim *s);
/* Close the socket and remove it and its directory. */
void notify_relay_remove(struct shim *s);

#endif
