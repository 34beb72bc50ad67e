/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-netns: network namespaces and links over netlink; start-up, then a verb or CNI mode. */
#include <stdlib.h>

#include "cmd.h"
#include "prog.h"

int
main(int argc, char **argv)
{
	struct state st;
	int rc;

	/* no PROG_NO_NEW_PRIVS: `exec` chain-loads commands that may rightly be setuid */
	prog_init("ctr-netns", 0, &argc, &argv, &st);
	/* a CNI runtime runs plugins with no arguments and CNI_COMMAND in the environment */
	if (argc == 1 && getenv("CNI_COMMAND"))
		rc = cni_main();
	else
		rc = prog_dispatch(cmd_verbs, argc, argv, &st);
	state_release(&st);
	return rc;
}
