/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers the verbs share: namespace targets, parsers that die, sysctl lists. */
#include "cmd.h"

#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "netns.h"
#include "prog.h"
#include "xmem.h"

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
		t->path = netns_path(spec);
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
