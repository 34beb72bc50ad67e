/* SPDX-License-Identifier: Apache-2.0 */
/* The CNI network a pod joins: the first configuration of the directory, as the kubelet's runtimes choose it. */
#ifndef CTR_CRI_CNICONF_H
#define CTR_CRI_CNICONF_H

#include "err.h"

/*
 * The "name" of the first file (in name order) of dir ending in .conf,
 * .conflist or .json that is a JSON object with a name: *name (new string).
 * -1 with code "not-found" when there is none.
 */
int cniconf_default(const char *dir, char **name, struct err *e);

#endif
