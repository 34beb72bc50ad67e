/* SPDX-License-Identifier: Apache-2.0 */
/* CNI mode jobs: a bridge-plugin ADD, DEL and CHECK on top of the link modules. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "addr.h"
#include "cni.h"
#include "jsonio.h"
#include "netns.h"
#include "result.h"

/* What ADD made so far, so that a failure can take it back. */
struct cni_made {
	struct target host, cont;
	struct link_info br, h, c;
	bool bridge_created, veth_created;
};

/* The bridge lives in the namespace we run in (the caller's "host"). */
static int
ensure_bridge(struct cni *c, struct cni_made *m, struct err *e)
{
	if (link_get(&m->host.nl, c->bridge, &m->br, e) == 0) {
		if (strcmp(m->br.kind, "bridge") != 0)
			return err_code(e, "invalid", "'%s' exists and is not a bridge", c->bridge);
		return 0;
	}
	if (strcmp(e->code, "not-found") != 0)
		return -1;
	if (link_add_bridge(&m->host.nl, c->bridge, c->mtu, e) < 0)
		return -1;
	m->bridge_created = true;
	if (link_get(&m->host.nl, c->bridge, &m->br, e) < 0)
		return -1;
	return link_set_up(&m->host.nl, m->br.index, true, e);
}

static int
make_veth(struct cni *c, struct cni_made *m, struct err *e)
{
	unsigned char r[4] = {0};
	char name[INET_IFNAME_MAX + 1];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return err_set(e, errno, "getrandom");
	snprintf(name, sizeof(name), "veth%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
	if (link_add_veth(&m->host.nl,
			  &(struct link_veth){name, c->ifname, m->cont.nsfd, c->mtu, NULL}, e) < 0)
		return -1;
	m->veth_created = true;
	if (link_get(&m->host.nl, name, &m->h, e) < 0 ||
	    link_set_master(&m->host.nl, m->h.index, m->br.index, e) < 0 ||
	    link_set_up(&m->host.nl, m->h.index, true, e) < 0 ||
	    link_get(&m->cont.nl, c->ifname, &m->c, e) < 0)
		return -1;
	return link_set_up(&m->cont.nl, m->c.index, true, e);
}

/* The gateway of an address of family f, for routes IPAM gave without one. */
static const struct inet_prefix *
gateway_for(const struct cni *c, int f)
{
	for (size_t i = 0; i < c->nips; i++)
		if (c->ips[i].has_gw && c->ips[i].gw.family == f)
			return &c->ips[i].gw;
	return NULL;
}

static int
configure_cont(struct cni *c, struct cni_made *m, struct err *e)
{
	for (size_t i = 0; i < c->nips; i++)
		if (addr_add(&m->cont.nl, m->c.index, &c->ips[i].addr, e) < 0)
			return -1;
	for (size_t i = 0; i < c->nroutes; i++) {
		struct route_info *r = &c->routes[i];
		const struct inet_prefix *gw = gateway_for(c, r->dst.family);

		if (!r->has_gw && gw) {
			r->gw = *gw;
			r->has_gw = true;
		}
		r->oif = m->c.index;
		if (route_add(&m->cont.nl, r, e) < 0)
			return -1;
	}
	return 0;
}

/* isGateway: the bridge answers on each gateway address and forwards. */
static int
configure_gateway(struct cni *c, struct cni_made *m, struct err *e)
{
	for (size_t i = 0; c->is_gw && i < c->nips; i++) {
		struct inet_prefix gw = c->ips[i].gw;

		if (!c->ips[i].has_gw)
			continue;
		gw.len = c->ips[i].addr.len;
		if (addr_add(&m->host.nl, m->br.index, &gw, e) < 0 && e->sys != EEXIST)
			return -1;
		if (netns_sysctl(-1,
				 gw.family == AF_INET ? "net.ipv4.ip_forward"
						      : "net.ipv6.conf.all.forwarding",
				 "1", e) < 0)
			return -1;
	}
	return 0;
}

static void
print_add_result(struct cni *c, struct cni_made *m)
{
	json_auto_t *out = result_new(c->version);
	bool old = !strncmp(c->version, "0.", 2);
	int cont;

	/* read back: a bridge takes the lowest MAC of its ports once one joins */
	link_get(&m->host.nl, m->br.name, &m->br, &(struct err){0});
	link_get(&m->cont.nl, c->ifname, &m->c, &(struct err){0});
	result_add_iface(out, &m->br, NULL);
	result_add_iface(out, &m->h, NULL);
	cont = result_add_iface(out, &m->c, c->netns);
	for (size_t i = 0; i < c->nips; i++) {
		result_add_ip(out, &c->ips[i].addr, c->ips[i].has_gw ? &c->ips[i].gw : NULL, cont);
		if (old) /* results before 1.0.0 name the IP version of each address */
			json_object_set_new(
			    json_array_get(json_object_get(out, "ips"), i), "version",
			    json_string(c->ips[i].addr.family == AF_INET ? "4" : "6"));
	}
	for (size_t i = 0; i < c->nroutes; i++)
		result_add_route(out, &c->routes[i]);
	if (json_is_object(c->dns))
		json_object_set(out, "dns", c->dns);
	jsonio_write(stdout, out);
}

static void
undo_add(struct cni *c, struct cni_made *m)
{
	if (m->veth_created && m->h.index)
		link_del(&m->host.nl, m->h.index, &(struct err){0});
	if (m->bridge_created)
		link_del(&m->host.nl, m->br.index, &(struct err){0});
	cni_ipam_release(c);
}

void
cni_add(struct cni *c)
{
	struct cni_made m = {0};
	struct err e;

	if (target_init(&m.cont, c->netns, &e) < 0 || target_init(&m.host, NULL, &e) < 0)
		cni_fail(c, CNI_ERR_SYSTEM, "%s", e.msg);
	if (link_get(&m.cont.nl, c->ifname, &m.c, &e) == 0)
		cni_fail(c, CNI_ERR_EXISTS, "interface '%s' exists in '%s'", c->ifname, c->netns);
	cni_ipam(c, "ADD");
	if (ensure_bridge(c, &m, &e) < 0 || make_veth(c, &m, &e) < 0 ||
	    configure_cont(c, &m, &e) < 0 || configure_gateway(c, &m, &e) < 0)
		goto out_undo;
	print_add_result(c, &m);
	target_release(&m.host);
	target_release(&m.cont);
	return;
out_undo:
	undo_add(c, &m);
	cni_fail(c, CNI_ERR_SYSTEM, "%s", e.msg);
}

/* DEL is idempotent: a namespace or interface already gone is no error. */
void
cni_del(struct cni *c)
{
	struct target t;
	struct link_info li;
	struct err e;

	if (c->netns && *c->netns && target_init(&t, c->netns, &e) == 0) {
		if (link_get(&t.nl, c->ifname, &li, &e) == 0 && link_del(&t.nl, li.index, &e) < 0)
			cni_fail(c, CNI_ERR_SYSTEM, "%s", e.msg);
		target_release(&t);
	} else if (c->netns && *c->netns && strcmp(e.code, "not-found") != 0) {
		cni_fail(c, CNI_ERR_SYSTEM, "%s", e.msg);
	}
	cni_ipam(c, "DEL");
}
