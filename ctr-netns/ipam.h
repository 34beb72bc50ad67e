/* SPDX-License-Identifier: Apache-2.0 */
/* Running a delegated CNI IPAM plugin (host-local, static, ...) found in $CNI_PATH. */
#ifndef CTR_NETNS_IPAM_H
#define CTR_NETNS_IPAM_H

#include <stddef.h>

#include "err.h"

/*
 * Find plugin type in the colon-separated dirs of cni_path and run it with
 * our environment, CNI_COMMAND set to command, conf on its stdin. *out gets
 * its stdout (NUL-terminated, caller frees) and *status its exit code.
 */
int ipam_run(const char *cni_path, const char *type, const char *command, const char *conf,
	     size_t len, char **out, int *status, struct err *e);

#endif
