/* SPDX-License-Identifier: Apache-2.0 */
/* The verb table and what the verbs share: namespace targets, parsers that die, sysctl lists. */
#include "cmd.h"

#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "netns.h"
#include "prog.h"
#include "xmem.h"

/*
 * The verb table (here rather than in main.c so that unit tests, which link
 * everything but main.c, link). Verbs with sub-verbs appear once per line of
 * usage; dispatch takes the first.
 */
const struct verb cmd_verbs[] = {
    {"create", cmd_create, "create [--sysctl KEY=VALUE]... NAME"},
    {"rm", cmd_rm, "rm NAME..."},
    {"ls", cmd_ls, "ls [--json]"},
    {"exec", cmd_exec, "exec NAME -- COMMAND [ARG]..."},
    {"show", cmd_show, "show [--json] NAME"},
    {"sysctl", cmd_sysctl, "sysctl [--netns NS] KEY=VALUE..."},
    {"veth", cmd_veth,
     "veth add --netns NS --ifname IF [--host-ifname IF] [--host-netns NS] [--bridge BR] "
     "[--mtu N] [--mac MAC] [--sysctl KEY=VALUE]..."},
    {"bridge", cmd_bridge,
     "bridge add [--netns NS] [--addr CIDR]... [--mtu N] [--sysctl KEY=VALUE]... BR"},
    {"link", cmd_link, "link rm [--netns NS] IF"},
    {"link", cmd_link, "link set [--netns NS] [--mtu N] IF [up | down]"},
    {"addr", cmd_addr, "addr add [--netns NS] --ifname IF CIDR..."},
    {"addr", cmd_addr, "addr rm [--netns NS] --ifname IF CIDR..."},
    {"route", cmd_route, "route add [--netns NS] (default | CIDR) [via GW] [dev IF]"},
    {"route", cmd_route, "route rm [--netns NS] (default | CIDR) [via GW] [dev IF]"},
    {"cni", cmd_cni,
     "cni add [--conf-dir DIR] [--plugin-dir PATH] [--ifname IF] [--id ID] [--args K=V;...] "
     "NETWORK NS"},
    {"cni", cmd_cni,
     "cni del [--conf-dir DIR] [--plugin-dir PATH] [--ifname IF] [--id ID] [--args K=V;...] "
     "NETWORK NS"},
    {NULL},
};

void
cmd_usage(const char *name)
{
	for (const struct verb *v = cmd_verbs; v->name; v++)
		if (!strcmp(v->name, name))
			prog_usage(cmd_verbs, v, true);
	exit(0);
}

int
target_init(struct target *t, const char *spec, struct err *e)
{
	memset(t, 0, sizeof(*t));
	t->spec = spec;
	t->nsfd = -1;
	if (spec) {
		t->nsfd = netns_open(spec, e);
		if (t->nsfd < 0)
			return -1;
		if (!(t->path = netns_path(spec, e)))
			return -1;
	}
	return nl_open(&t->nl, t->nsfd, e);
}

void
target_open(struct target *t, const char *spec)
{
	struct err e;

	if (target_init(t, spec, &e) < 0)
		die_err(&e);
}

void
target_release(struct target *t)
{
	nl_close(&t->nl);
	if (t->nsfd >= 0)
		close(t->nsfd);
	free(steal_ptr(t->path));
	t->nsfd = -1;
}

void
cmd_ifname(const char *s)
{
	struct err e;

	if (inet_check_ifname(s, &e) < 0)
		die_err(&e);
}

void
cmd_cidr(const char *s, struct inet_prefix *p)
{
	struct err e;

	if (inet_parse_cidr(s, p, &e) < 0)
		die_err(&e);
}

void
cmd_mtu(const char *s, unsigned *mtu)
{
	struct err e;

	if (inet_parse_mtu(s, mtu, &e) < 0)
		die_err(&e);
}

void
cmd_add_sysctl(char ***list, const char *kv)
{
	size_t n = 0;

	if (!strchr(kv, '=') || kv[0] == '=')
		die_usage("--sysctl wants KEY=VALUE, got '%s'", kv);
	while (*list && (*list)[n])
		n++;
	*list = xrealloc(*list, (n + 2) * sizeof(char *));
	(*list)[n] = xstrdup(kv);
	(*list)[n + 1] = NULL;
}

int
cmd_apply_sysctls(int nsfd, char **list, struct err *e)
{
	for (char **kv = list; kv && *kv; kv++) {
		_cleanup_free_ char *key = xstrdup(*kv);
		char *val = strchr(key, '=');

		*val++ = '\0';
		if (netns_sysctl(nsfd, key, val, e) < 0)
			return -1;
	}
	return 0;
}

void
cmd_link_get(struct target *t, const char *name, struct link_info *li)
{
	struct err e;

	if (link_get(&t->nl, name, li, &e) < 0) {
		if (t->spec)
			err_prefix(&e, "in network namespace '%s'", t->spec);
		die_err(&e);
	}
}
