/* SPDX-License-Identifier: Apache-2.0 */
/* --sdnotify: who tells a systemd Type=notify unit that the container is ready. */
#ifndef CTR_RUN_NOTIFY_H
#define CTR_RUN_NOTIFY_H

#include "create.h"
#include "err.h"

/* "conmon", "container" or "ignore" into *m; anything else is a usage error. */
int notify_parse(const char *arg, enum sdnotify_mode *m, struct err *e);
/*
 * The socket the shim is told of (--notify-socket), or NULL: $NOTIFY_SOCKET
 * for --sdnotify=container, and for conmon when the shim outlives us.
 */
const char *notify_shim_socket(const struct create_args *a);
/* Does the shim relay the container's own messages (--notify-relay)? */
bool notify_relays(const struct create_args *a);
/*
 * With a relay: the bind mount of STATEDIR/notify on /run/notify and
 * NOTIFY_SOCKET in the process environment, added to a->so (which owns them).
 */
void notify_add_spec(struct create_args *a, const char *statedir);

#endif
