/* SPDX-License-Identifier: Apache-2.0 */
/* Running a CNI plugin: look it up, feed it the config, collect its answer. */
#include "plugin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"
#include "spawn.h"
#include "xmem.h"

#define PLUGIN_OUT_MAX (1u << 20)

static char *
plugin_find(const char *cni_path, const char *type, struct err *e)
{
	_cleanup_free_ char *dirs = xstrdup(cni_path ? cni_path : "");
	char *save = NULL;

	/* the type is a file name, never a path: "../../bin/sh" must not run */
	if (path_check_name(type, 255, e) < 0) {
		err_prefix(e, "plugin type");
		return NULL;
	}
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, type);

		if (d[0] == '/' && access(p, X_OK) == 0)
			return p;
		free(p);
	}
	err_code(e, "not-found", "CNI plugin '%s' not found in CNI_PATH '%s'", type,
		 cni_path ? cni_path : "");
	return NULL;
}

int
plugin_run(const char *cni_path, const char *type, const char *command, const char *conf,
	   size_t len, char **out, int *status, struct err *e)
{
	_cleanup_free_ char *bin = plugin_find(cni_path, type, e);
	/* its stderr is ours: a plugin's answer, error or not, is on its stdout */
	struct spawn_io io = {.in = conf, .inlen = len, .max = PLUGIN_OUT_MAX, .inherit_err = true};

	if (!bin)
		return -1;
	/* the plugin reads CNI_COMMAND from the environment it inherits */
	if (setenv("CNI_COMMAND", command, 1) < 0)
		return err_set(e, errno, "setenv");
	*status = spawn_capture((char *[]){bin, NULL}, &io, e);
	if (*status < 0) {
		spawn_io_release(&io);
		return err_prefix(e, "run CNI plugin '%s'", bin);
	}
	if (io.too_big) {
		spawn_io_release(&io);
		return err_code(e, "invalid", "CNI plugin '%s' printed more than %u bytes", bin,
				PLUGIN_OUT_MAX);
	}
	*out = steal_ptr(io.out);
	spawn_io_release(&io);
	return 0;
}
