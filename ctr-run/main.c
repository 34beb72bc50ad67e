/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-run: containers from images, driven through an OCI runtime; the verb table. */
#include "prog.h"

int cmd_create(int argc, char **argv, struct state *st);
int cmd_run(int argc, char **argv, struct state *st);

static const struct verb verbs[] = {
	{ "create", cmd_create, "create [--name ID] [--runtime NAME|PATH] [OPTIONS] IMAGE|- [-- CMD ...]" },
	{ NULL },
};

int
main(int argc, char **argv)
{
	struct state st;

	/* no PROG_NO_NEW_PRIVS: containers may rightly run setuid programs */
	prog_init("ctr-run", 0, &argc, &argv, &st);
	return prog_dispatch(verbs, argc, argv, &st);
}
