/* SPDX-License-Identifier: Apache-2.0 */
/* The default CNI network: the first configuration file of the directory that names one. */
#include "cniconf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonio.h"
#include "log.h"
#include "xmem.h"

#define CNICONF_MAX (1 << 20)

static bool
is_conf(const char *n)
{
	const char *dot = strrchr(n, '.');

	return n[0] != '.' && dot &&
	       (!strcmp(dot, ".conf") || !strcmp(dot, ".conflist") || !strcmp(dot, ".json"));
}

int
cniconf_default(const char *dir, char **name, struct err *e)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent **names = NULL;
	int n = dfd < 0 ? -1 : scandirat(dfd, ".", &names, NULL, alphasort);

	*name = NULL;
	for (int i = 0; i < n; i++) {
		struct err le;
		json_auto_t *doc = NULL;

		if (!*name && is_conf(names[i]->d_name)) {
			doc = jsonio_load_at(dfd, names[i]->d_name, CNICONF_MAX, &le);
			if (doc && jsonio_str(doc, "name"))
				*name = xstrdup(jsonio_str(doc, "name"));
			else if (!doc)
				log_warn("CNI configuration %s/%s: %s", dir, names[i]->d_name,
					 le.msg);
		}
		free(names[i]);
	}
	free(names);
	return *name ? 0 : err_code(e, "not-found", "no CNI network configuration in %s", dir);
}
