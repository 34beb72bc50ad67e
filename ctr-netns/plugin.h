/* SPDX-License-Identifier: Apache-2.0 */
/* Running a CNI plugin found in $CNI_PATH: an IPAM plugin we delegate to, or a network's chain. */
#ifndef CTR_NETNS_PLUGIN_H
#define CTR_NETNS_PLUGIN_H

#include <stddef.h>

#include "err.h"

/*
 * Find plugin type in the colon-separated dirs of cni_path and run it with
 * our environment, CNI_COMMAND set to command, conf on its stdin. *out gets
 * its stdout (NUL-terminated, caller frees) and *status its exit code.
 */
int plugin_run(const char *cni_path, const char *type, const char *command, const char *conf,
	       size_t len, char **out, int *status, struct err *e);

#endif
