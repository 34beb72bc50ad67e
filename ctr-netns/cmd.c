/* SPDX-License-Identifier: Apache-2.0 */
/* The verb table and what the verbs share: namespace targets, parsers that die, sysctl lists. */
#include "cmd.h"

#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "netns.h"
#include "prog.h"
#include "xmem.h"

const struct opt cmd_opt_json[] = {
    {"json", CMD_OPT_JSON, NULL, "errors as JSON too", NULL},
    OPT_END,
};
const struct opt cmd_opt_netns[] = {
    {"netns", CMD_OPT_NETNS, "NS", "work in that namespace (a name, or a path) instead of ours",
     NULL},
    OPT_INCLUDE(cmd_opt_json),
    OPT_END,
};

static const struct verb veth_verbs[] = {
    {"add", cmd_veth_add, NULL, &cmd_veth_add_spec, NULL},
    {NULL},
};
static const struct verb bridge_verbs[] = {
    {"add", cmd_bridge_add, NULL, &cmd_bridge_add_spec, NULL},
    {NULL},
};
static const struct verb link_verbs[] = {
    {"rm", cmd_link_rm, NULL, &cmd_link_rm_spec, NULL},
    {"set", cmd_link_set, NULL, &cmd_link_set_spec, NULL},
    {NULL},
};
static const struct verb addr_verbs[] = {
    {"add", cmd_addr_add, NULL, &cmd_addr_add_spec, NULL},
    {"rm", cmd_addr_rm, NULL, &cmd_addr_rm_spec, NULL},
    {NULL},
};
static const struct verb route_verbs[] = {
    {"add", cmd_route_add, NULL, &cmd_route_add_spec, NULL},
    {"rm", cmd_route_rm, NULL, &cmd_route_rm_spec, NULL},
    {NULL},
};
static const struct verb cni_verbs[] = {
    {"add", cmd_cni_add, NULL, &cmd_cni_add_spec, NULL},
    {"del", cmd_cni_del, NULL, &cmd_cni_del_spec, NULL},
    {NULL},
};

/* The verb table (here rather than in main.c so that unit tests, which link all but main.c, link). */
const struct verb cmd_verbs[] = {
    {"create", cmd_create, NULL, &cmd_create_spec, NULL},
    {"rm", cmd_rm, NULL, &cmd_rm_spec, NULL},
    {"ls", cmd_ls, NULL, &cmd_ls_spec, NULL},
    {"exec", cmd_exec, NULL, &cmd_exec_spec, NULL},
    {"show", cmd_show, NULL, &cmd_show_spec, NULL},
    {"sysctl", cmd_sysctl, NULL, &cmd_sysctl_spec, NULL},
    {"veth", NULL, NULL, NULL, veth_verbs},
    {"bridge", NULL, NULL, NULL, bridge_verbs},
    {"link", NULL, NULL, NULL, link_verbs},
    {"addr", NULL, NULL, NULL, addr_verbs},
    {"route", NULL, NULL, NULL, route_verbs},
    {"cni", NULL, NULL, NULL, cni_verbs},
    {NULL},
};

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
