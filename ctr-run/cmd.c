/* SPDX-License-Identifier: Apache-2.0 */
/* Option parsing and container lookup shared by the verbs. */
#include "cmd.h"

#include "path.h"

void
cmd_open(struct state *st, const char *id, struct container *c, int ucode)
{
	struct err e;

	if (path_check_id(id, CONTAINER_ID_MAX, &e) < 0 || state_open(st, &e) < 0)
		die(ucode == 125 ? 125 : err_exit_code(&e), "%s", e.msg);
	container_init(c, st, id);
	if (container_open(c, st, &e) < 0)
		die(ucode == 125 ? 125 : err_exit_code(&e), "%s", e.msg);
}

const char *
cmd_one_id(const struct opt_cmd *spec, int argc, char **argv)
{
	opt_operands(spec, argc, argv, 1, 1);
	return argv[optind];
}
