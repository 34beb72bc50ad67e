/* SPDX-License-Identifier: Apache-2.0 */
/* The privilege mode of this process, decided once: root, a user, or inside a user namespace. */
#ifndef CTR_PRIV_H
#define CTR_PRIV_H

#include <stdbool.h>
#include <stddef.h>

enum priv_mode {
	PRIV_ROOT,   /* euid 0 in the initial user namespace */
	PRIV_USER,   /* any other euid in the initial user namespace */
	PRIV_USERNS, /* inside a user namespace (ours, podman unshare, a container) */
};

/*
 * The mode of this process: read once (geteuid, /proc/self/uid_map) and
 * kept; priv_reset() forgets it after the process entered a user namespace.
 */
enum priv_mode priv_mode(void);
void priv_reset(void);
/* Anything but PRIV_ROOT: per-user defaults, no cgroups, no host devices. */
bool priv_rootless(void);
/* Its name for messages and --json: "root", "user", "userns". */
const char *priv_mode_name(enum priv_mode m);
/*
 * Is text (the contents of a uid_map) the identity map of the initial user
 * namespace, "0 0 4294967295"? Pure, for the tests.
 */
bool priv_uid_map_is_initial(const char *text);

#endif
