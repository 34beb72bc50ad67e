/* SPDX-License-Identifier: Apache-2.0 */
/* The default seccomp profile: an allowlist of system calls, in OCI linux.seccomp form. */
#ifndef CTR_RUN_SECCOMP_H
#define CTR_RUN_SECCOMP_H

#include <jansson.h>

#include "err.h"

/*
 * The default profile for a process with the capabilities caps (an array of
 * "CAP_*"): everything not listed fails with EPERM; names this architecture
 * does not have (as libseccomp resolves them) are left out. New reference.
 */
json_t *seccomp_default(const json_t *caps, struct err *e);
/* Check the shape of a user's profile (an OCI linux.seccomp object). */
int seccomp_check(const json_t *profile, struct err *e);
/* Does libseccomp know name on the native architecture? */
int seccomp_known(const char *name);

#endif
