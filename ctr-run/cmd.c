/* SPDX-License-Identifier: Apache-2.0 */
/* Option parsing and container lookup shared by the verbs. */
#include "cmd.h"

#include <errno.h>

#include "detachkeys.h"
#include "path.h"
#include "priv.h"
#include "userns.h"

/* A container that cannot be opened: its error as it is (--json too), or 125 for run's kin. */
__attribute__((noreturn)) static void
open_failed(const struct err *e, int ucode)
{
	if (ucode == 125)
		die(125, "%s", e->msg);
	die_err(e);
}

void
cmd_open(struct state *st, const char *id, struct container *c, int ucode)
{
	struct err e;

	if (path_check_id(id, CONTAINER_ID_MAX, &e) < 0 || state_open(st, &e) < 0)
		open_failed(&e, ucode);
	container_init(c, st, id);
	if (container_open(c, st, &e) < 0 || cmd_userns(c, &e) < 0)
		open_failed(&e, ucode);
}

const struct opt cmd_opt_json_errors[] = {
    {"json", CMD_OPT_JSON, NULL, "errors as JSON too (ctr-json(7))", NULL},
    OPT_END,
};

const struct opt cmd_opt_detach_keys[] = {
    {"detach-keys", CMD_OPT_DETACH_KEYS, "KEYS",
     "keys that detach from its terminal (default ctrl-p,ctrl-q; '': none)", NULL},
    OPT_END,
};

void
cmd_detach_keys(const struct opt_cmd *spec, const char *arg, struct detachkeys *k)
{
	struct err e;

	if (detachkeys_parse(k, arg ? arg : DETACHKEYS_DEFAULT, &e) < 0)
		opt_die(spec, "%s", e.msg);
}

int
cmd_userns(const struct container *c, struct err *e)
{
	int pid;

	if (priv_mode() != PRIV_USER)
		return 0;
	/*
	 * A container's processes run as the user's subordinate ids, its
	 * rootfs is mounted in its shim's mount namespace: both are reached as
	 * root of the shim's user namespace, not of a new one (user_namespaces(7)).
	 */
	if (c && container_shim_alive(c, &pid)) {
		if (userns_join(pid, e) == 0)
			return 0;
		/*
		 * A real failure, unless the shim left between the check and the
		 * join, or is a zombie (which has no namespaces left to open).
		 */
		if (e->sys != ENOENT && container_shim_alive(c, &pid))
			return -1;
	}
	return userns_ensure(false, e);
}

const char *
cmd_one_id(const struct opt_cmd *spec, int argc, char **argv)
{
	opt_operands(spec, argc, argv, 1, 1);
	return argv[optind];
}
