/* SPDX-License-Identifier: Apache-2.0 */
/* A user namespace for a rootless user: ids from /etc/subuid and /etc/subgid, or one id. */
#ifndef CTR_USERNS_H
#define CTR_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define USERNS_MAX_RANGES 8

/* One line of a map: ids [inside, inside+count) are [outside, outside+count) outside. */
struct userns_range {
	unsigned long inside, outside, count;
};

/* A uid or gid map: the user's own id as 0, then its subordinate ranges from 1 on. */
struct userns_map {
	struct userns_range r[USERNS_MAX_RANGES];
	size_t n;
};

/*
 * The map of id (the user's uid or gid, named name) from text, the
 * contents of /etc/subuid or /etc/subgid ("NAME-OR-ID:START:COUNT" lines):
 * 0 is id, and the user's ranges follow from 1, in file order. Lines that do
 * not parse are skipped, as shadow's tools skip them. Returns the number of
 * subordinate ranges found (0: the map is the single id).
 */
size_t userns_map_build(const char *text, const char *name, unsigned long id, struct userns_map *m);

/*
 * Enter a new user namespace as its root, and a mount namespace it owns,
 * mapped through newuidmap and
 * newgidmap from the user's subordinate ranges, or to the single id of the
 * user when it has none (files of other owners then become the user's: see
 * ctr-state(5)). The process must be single-threaded and PRIV_USER. Then sets
 * PR_SET_NO_NEW_PRIVS when no_new_privs (newuidmap is setuid: not before).
 * Refusals name the missing piece (a range, the uidmap package, the sysctl).
 */
int userns_enter(bool no_new_privs, struct err *e);
/* userns_enter once, for a PRIV_USER process; nothing in the other modes. */
int userns_ensure(bool no_new_privs, struct err *e);
/*
 * Join the user and mount namespaces of process pid (a container's shim) as
 * root there, so that its processes and mounts are ours to reach. For a PRIV_USER
 * process, single-threaded; the caller checked pid is the one it means.
 */
int userns_join(pid_t pid, struct err *e);
/* Is this process's user namespace one that maps a single uid (no subordinate ids)? */
bool userns_single(void);
/*
 * Can a process of ours switch to uid:gid? Refused with one line naming the
 * missing piece when our namespace maps a single id and they are not 0.
 */
int userns_check_ids(unsigned long uid, unsigned long gid, struct err *e);

#endif
