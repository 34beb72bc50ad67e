/* SPDX-License-Identifier: Apache-2.0 */
/* Running a CNI plugin: look it up, feed it the config, collect its answer. */
#include "plugin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
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

/* A memfd holds the config for stdin and the answer from stdout: no pipe deadlock. */
static int
memfd_with(const char *name, const char *data, size_t len, struct err *e)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "memfd_create");
	if (fdio_write_full(fd, data, len) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		err_set(e, errno, "write %s", name);
		close(fd);
		return -1;
	}
	return fd;
}

int
plugin_run(const char *cni_path, const char *type, const char *command, const char *conf,
	   size_t len, char **out, int *status, struct err *e)
{
	_cleanup_free_ char *bin = plugin_find(cni_path, type, e);
	_cleanup_close_ int in = -1, res = -1;
	struct spawn_opts o = SPAWN_OPTS_INIT;
	size_t n;

	if (!bin)
		return -1;
	in = memfd_with("cni-stdin", conf, len, e);
	if (in < 0 || (res = memfd_with("cni-stdout", "", 0, e)) < 0)
		return -1;
	o.stdin_fd = in;
	o.stdout_fd = res;
	/* the plugin reads CNI_COMMAND from the environment it inherits */
	if (setenv("CNI_COMMAND", command, 1) < 0)
		return err_set(e, errno, "setenv");
	*status = spawn_run((char *[]){bin, NULL}, &o, e);
	if (*status < 0)
		return err_prefix(e, "run CNI plugin '%s'", bin);
	if (lseek(res, 0, SEEK_SET) < 0)
		return err_set(e, errno, "rewind CNI plugin output");
	return fdio_read_all(res, PLUGIN_OUT_MAX, out, &n, e);
}
