/* SPDX-License-Identifier: Apache-2.0 */
/* --sdnotify: ready when started (conmon), when the container says so (container), or never. */
#include "notify.h"

#include <stdlib.h>
#include <string.h>

#include "sdnotify.h"
#include "xmem.h"

int
notify_parse(const char *arg, enum sdnotify_mode *m, struct err *e)
{
	if (!strcmp(arg, "conmon"))
		*m = SDNOTIFY_CONMON;
	else if (!strcmp(arg, "container"))
		*m = SDNOTIFY_CONTAINER;
	else if (!strcmp(arg, "ignore"))
		*m = SDNOTIFY_IGNORE;
	else
		return err_code(e, "usage", "--sdnotify '%.32s': want conmon, container or ignore",
				arg);
	return 0;
}

static const char *
caller_socket(void)
{
	const char *path = getenv("NOTIFY_SOCKET");

	return path && *path ? path : NULL;
}

const char *
notify_shim_socket(const struct create_args *a)
{
	switch (a->sdnotify) {
	case SDNOTIFY_CONTAINER:
		return caller_socket();
	case SDNOTIFY_CONMON:
		/* a foreground run is the unit's main process and announces itself (cmd-run.c) */
		return a->is_run && !a->detach ? NULL : caller_socket();
	default:
		return NULL;
	}
}

bool
notify_relays(const struct create_args *a)
{
	return a->sdnotify == SDNOTIFY_CONTAINER && caller_socket();
}

void
notify_add_spec(struct create_args *a, const char *statedir)
{
	struct spec_opts *so = &a->so;

	if (!notify_relays(a))
		return;
	so->mounts = xrealloc(so->mounts, (so->nmounts + 1) * sizeof(*so->mounts));
	so->mounts[so->nmounts++] = (struct spec_mount){
	    .src = xasprintf("%s/%s", statedir, SDNOTIFY_RELAY_DIR),
	    .dst = xstrdup(SDNOTIFY_RELAY_MOUNT),
	    /* a socket to send to: read-only (a send needs no write access to the folder), nothing to run, no device */
	    .options = xstrdup("ro:nosuid:nodev:noexec"),
	};
	/* last: it wins over an -e NOTIFY_SOCKET= or the image's (spec.c env_set) */
	so->env = xrealloc(so->env, (so->nenv + 1) * sizeof(*so->env));
	so->env[so->nenv++] = (char *)SDNOTIFY_RELAY_ENV;
}
