/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-netns: network namespaces and links over netlink; the verb table. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "prog.h"

/* Verbs with sub-verbs appear once per line of usage; dispatch takes the first. */
static const struct verb verbs[] = {
	{ "create", cmd_create, "create [--sysctl KEY=VALUE]... NAME" },
	{ "rm", cmd_rm, "rm NAME..." },
	{ "ls", cmd_ls, "ls [--json]" },
	{ "exec", cmd_exec, "exec NAME -- COMMAND [ARG]..." },
	{ "show", cmd_show, "show [--json] NAME" },
	{ "sysctl", cmd_sysctl, "sysctl [--netns NS] KEY=VALUE..." },
	{ "veth", cmd_veth,
	  "veth add --netns NS --ifname IF [--host-ifname IF] [--host-netns NS] [--bridge BR] "
	  "[--mtu N] [--mac MAC] [--sysctl KEY=VALUE]..." },
	{ "bridge", cmd_bridge,
	  "bridge add [--netns NS] [--addr CIDR]... [--mtu N] [--sysctl KEY=VALUE]... BR" },
	{ "link", cmd_link, "link rm [--netns NS] IF" },
	{ "link", cmd_link, "link set [--netns NS] [--mtu N] IF [up | down]" },
	{ "addr", cmd_addr, "addr add [--netns NS] --ifname IF CIDR..." },
	{ "addr", cmd_addr, "addr rm [--netns NS] --ifname IF CIDR..." },
	{ "route", cmd_route, "route add [--netns NS] (default | CIDR) [via GW] [dev IF]" },
	{ "route", cmd_route, "route rm [--netns NS] (default | CIDR) [via GW] [dev IF]" },
	{ NULL },
};

void
cmd_usage(const char *name)
{
	for (const struct verb *v = verbs; v->name; v++)
		if (!strcmp(v->name, name))
			prog_usage(verbs, v, true);
	exit(0);
}

int
main(int argc, char **argv)
{
	struct state st;

	/* no PROG_NO_NEW_PRIVS: `exec` chain-loads commands that may rightly be setuid */
	prog_init("ctr-netns", 0, &argc, &argv, &st);
	/* a CNI runtime runs plugins with no arguments and CNI_COMMAND in the environment */
	if (argc == 1 && getenv("CNI_COMMAND"))
		return cni_main();
	return prog_dispatch(verbs, argc, argv, &st);
}
