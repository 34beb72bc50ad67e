/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where named network namespaces are pinned (bind-mounted), as iproute2
 * does: ctr-netns pins them, ctr-run --net ns:NAME joins them. One rule
 * for the directory and for the names in it.
 */
#ifndef CTR_NETNS_DIR_H
#define CTR_NETNS_DIR_H

#include "err.h"

#define NETNS_DIR_DEFAULT "/run/netns" /* ip-netns(8) looks only there */
#define NETNS_DIR_ENV "CTR_NETNS_DIR"

/*
 * The pin directory: $CTR_NETNS_DIR, else (unset or empty) /run/netns.
 * NULL with e "invalid" when the variable is not an absolute path. Borrowed.
 */
const char *netns_dir(struct err *e);
/* A namespace name: one file under the pin directory (path_check_name, at most NAME_MAX bytes). */
int netns_dir_check_name(const char *name, struct err *e);
/* The pin path of name, both checked as above. New string, or NULL with e filled. */
char *netns_dir_path(const char *name, struct err *e);

#endif
