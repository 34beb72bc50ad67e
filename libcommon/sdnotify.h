/* SPDX-License-Identifier: Apache-2.0 */
/* The sd_notify(3) datagram protocol, without libsystemd: READY=1 and friends. */
#ifndef CTR_SDNOTIFY_H
#define CTR_SDNOTIFY_H

#include "err.h"

/*
 * --sdnotify=container: ctr-shim binds STATEDIR/notify/notify.sock, and
 * ctr-run's config.json mounts STATEDIR/notify on /run/notify.
 */
#define SDNOTIFY_RELAY_DIR "notify"
#define SDNOTIFY_RELAY_SOCK "notify.sock"
#define SDNOTIFY_RELAY_MOUNT "/run/notify"
#define SDNOTIFY_RELAY_ENV "NOTIFY_SOCKET=" SDNOTIFY_RELAY_MOUNT "/" SDNOTIFY_RELAY_SOCK
/* The longest datagram relayed: systemd's own limit (NOTIFY_BUFFER_MAX). */
#define SDNOTIFY_MSG_MAX 4096

/*
 * Send msg ("READY=1\n...") to the datagram socket at path, as
 * $NOTIFY_SOCKET names it: an absolute path, or "@name" for the abstract
 * namespace. Anything else is refused (code "invalid").
 */
int sdnotify_send(const char *path, const char *msg, struct err *e);

#endif
