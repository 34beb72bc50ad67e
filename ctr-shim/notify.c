/* SPDX-License-Identifier: Apache-2.0 */
/* Readiness for systemd Type=notify units: READY=1 once the container runs. */
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"
#include "shim.h"

void
notify_ready(struct shim *s)
{
	char msg[64];
	struct err e;

	if (!s->o.notify_socket || !*s->o.notify_socket)
		return;
	/* MAINPID: the shim outlives its caller, so it is the unit's main process */
	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\n", (long)getpid());
	if (sdnotify_send(s->o.notify_socket, msg, &e) < 0)
		log_warn("%s", e.msg);
}
