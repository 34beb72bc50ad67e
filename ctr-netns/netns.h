/* SPDX-License-Identifier: Apache-2.0 */
/* Named network namespaces pinned by bind mounts under netns_dir(), as iproute2 does. */
#ifndef CTR_NETNS_NETNS_H
#define CTR_NETNS_NETNS_H

#include <stddef.h>

#include "err.h"
#include "netns-dir.h"

/* The pin path of a name (netns-dir.h), or spec itself when absolute. Caller frees. */
char *netns_path(const char *spec, struct err *e);
/*
 * Open a namespace by NAME (pinned under netns_dir) or by absolute path (e.g.
 * /proc/PID/ns/net, CNI_NETNS). Checks it is a network namespace. Returns an
 * O_CLOEXEC fd, or -1 with e "not-found" when there is none.
 */
int netns_open(const char *spec, struct err *e);
/* Make a new namespace and pin it at netns_path(name); loopback is not touched. */
int netns_create(const char *name, struct err *e);
/* Unpin name (lazy unmount, unlink). The namespace lives on while processes use it. */
int netns_remove(const char *name, struct err *e);
/* Names pinned under netns_dir, sorted; *names is NULL-terminated, caller frees (strv). */
int netns_list(char ***names, struct err *e);

/* Move this thread into nsfd; *saved gets an fd of the namespace left, for netns_leave. */
int netns_enter(int nsfd, int *saved, struct err *e);
/* Return to the namespace in *saved and close it. e may be NULL. */
int netns_leave(int *saved, struct err *e);
/* Write value to the sysctl key ("net.ipv4.ip_forward") inside nsfd (-1: here). Only net.*. */
int netns_sysctl(int nsfd, const char *key, const char *value, struct err *e);
/*
 * For exec: join nsfd for good, and give this process a private mount
 * namespace whose /sys shows the new network namespace's devices.
 */
int netns_join(int nsfd, struct err *e);

#endif
