/* SPDX-License-Identifier: Apache-2.0 */
/* The sd_notify(3) datagram protocol, without libsystemd: READY=1 and friends. */
#ifndef CTR_SDNOTIFY_H
#define CTR_SDNOTIFY_H

#include "err.h"

/*
 * Send msg ("READY=1\n...") to the datagram socket at path, as
 * $NOTIFY_SOCKET names it: an absolute path, or "@name" for the abstract
 * namespace. Anything else is refused (code "invalid").
 */
int sdnotify_send(const char *path, const char *msg, struct err *e);

#endif
