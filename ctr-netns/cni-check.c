/* SPDX-License-Identifier: Apache-2.0 */
/* CNI mode CHECK: the container's interface and addresses still match prevResult. */
#include <linux/if.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cni.h"
#include "jsonio.h"

/* The index in prevResult.interfaces of our container interface, or -1. */
static int
prev_iface(const struct cni *c, json_t *prev)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(prev, "interfaces"), i, v) {
		const char *name = jsonio_str(v, "name"), *sb = jsonio_str(v, "sandbox");

		if (name && sb && !strcmp(name, c->ifname))
			return (int)i;
	}
	return -1;
}

static bool
has_addr(const struct addr_info *v, size_t n, int index, const struct inet_prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].index == index && v[i].p.family == p->family && v[i].p.len == p->len &&
		    !memcmp(v[i].p.addr, p->addr, inet_addr_len(p->family)))
			return true;
	return false;
}

static void
check_addrs(struct cni *c, struct target *t, const struct link_info *li, json_t *prev, int idx)
{
	struct addr_info *v = NULL;
	struct inet_prefix p;
	size_t n, i;
	struct err e;
	json_t *ip;

	if (addr_list(&t->nl, AF_UNSPEC, &v, &n, &e) < 0)
		cni_fail(c, CNI_ERR_SYSTEM, "%s", e.msg);
	json_array_foreach(json_object_get(prev, "ips"), i, ip) {
		json_t *iface = json_object_get(ip, "interface");
		const char *a = jsonio_str(ip, "address");

		if (json_is_integer(iface) && json_integer_value(iface) != idx)
			continue;
		if (!a || inet_parse_cidr(a, &p, &e) < 0)
			cni_fail(c, CNI_ERR_DECODE, "prevResult: bad address");
		if (!has_addr(v, n, li->index, &p))
			cni_fail(c, CNI_ERR_CHECK, "address %s is missing on '%s'", a, c->ifname);
	}
	free(v);
}

void
cni_check(struct cni *c)
{
	json_t *prev = json_object_get(c->cfg, "prevResult");
	struct link_info li, br;
	struct target t, host;
	struct err e;
	int idx;

	if (!strncmp(c->version, "0.3.", 4))
		cni_fail(c, CNI_ERR_VERSION, "CHECK needs cniVersion 0.4.0 or later");
	if (!json_is_object(prev))
		cni_fail(c, CNI_ERR_CONFIG, "CHECK needs prevResult");
	idx = prev_iface(c, prev);
	if (idx < 0)
		cni_fail(c, CNI_ERR_CHECK, "prevResult has no interface '%s' in a sandbox",
			 c->ifname);
	cni_ipam(c, "CHECK");
	if (target_init(&host, NULL, &e) < 0 || link_get(&host.nl, c->bridge, &br, &e) < 0)
		cni_fail(c, CNI_ERR_CHECK, "bridge: %s", e.msg);
	if (target_init(&t, c->netns, &e) < 0 || link_get(&t.nl, c->ifname, &li, &e) < 0)
		cni_fail(c, CNI_ERR_CHECK, "%s", e.msg);
	if (!(li.flags & IFF_UP))
		cni_fail(c, CNI_ERR_CHECK, "interface '%s' is down", c->ifname);
	check_addrs(c, &t, &li, prev, idx);
	target_release(&t);
	target_release(&host);
}
