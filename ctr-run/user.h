/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving a user spec against the image's own /etc/passwd and /etc/group. */
#ifndef CTR_RUN_USER_H
#define CTR_RUN_USER_H

#include <stddef.h>

#include "err.h"
#include "spec.h"

#define USER_FILE_MAX (4u << 20) /* a passwd or group file over 4 MiB is refused */

/*
 * Resolve spec ("", "name", "uid", "uid:gid", "name:group", "uid:group",
 * "name:gid") inside the root rootfd: the files are opened with
 * RESOLVE_IN_ROOT (links cannot leave the root), must be regular files and
 * are parsed here, never through NSS. Supplementary groups come from
 * /etc/group for the user's name. Numeric ids need no entry. out is filled
 * (release with spec_user_release).
 */
int user_resolve(int rootfd, const char *spec, struct spec_user *out, struct err *e);

/*
 * The same on file contents already read (NULL for a missing file): the pure
 * part, unit-tested.
 */
int user_resolve_buf(const char *passwd, const char *group, const char *spec, struct spec_user *out,
		     struct err *e);

/* Parse a decimal id in [0, 2^32-2]; -1 (not an error) when s is not all digits. */
int user_parse_id(const char *s, unsigned *out, struct err *e);

#endif
