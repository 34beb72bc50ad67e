/* SPDX-License-Identifier: Apache-2.0 */
/* The directory of named network namespaces and the names in it. */
#include "netns-dir.h"

#include <limits.h>
#include <stdlib.h>

#include "path.h"
#include "xmem.h"

const char *
netns_dir(struct err *e)
{
	const char *d = getenv(NETNS_DIR_ENV);

	if (!d || !*d)
		return NETNS_DIR_DEFAULT;
	/* a relative directory would name other pins from every working directory */
	if (d[0] != '/') {
		err_code(e, "invalid", "%s '%.64s' is not an absolute path", NETNS_DIR_ENV, d);
		return NULL;
	}
	return d;
}

int
netns_dir_check_name(const char *name, struct err *e)
{
	if (path_check_name(name, NAME_MAX, e) < 0)
		return err_prefix(e, "network namespace");
	return 0;
}

char *
netns_dir_path(const char *name, struct err *e)
{
	const char *dir = netns_dir(e);

	if (!dir || netns_dir_check_name(name, e) < 0)
		return NULL;
	return xasprintf("%s/%s", dir, name);
}
