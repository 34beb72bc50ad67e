/* SPDX-License-Identifier: Apache-2.0 */
/* show: the links, addresses and routes inside one namespace. */
#include <errno.h>
#include <jansson.h>
#include <linux/if.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"
#include "prog.h"
#include "result.h"
#include "route.h"

struct snapshot {
	struct link_info *links;
	size_t nlinks;
	struct addr_info *addrs;
	size_t naddrs;
	struct route_info *routes;
	size_t nroutes;
};

static void
snapshot_release(struct snapshot *s)
{
	free(s->links);
	free(s->addrs);
	free(s->routes);
}

static int
link_pos(const struct snapshot *s, int index)
{
	for (size_t i = 0; i < s->nlinks; i++)
		if (s->links[i].index == index)
			return (int)i;
	return -1;
}

static const char *
link_name(const struct snapshot *s, int index)
{
	int i = link_pos(s, index);

	return i < 0 ? "?" : s->links[i].name;
}

/* The CNI result shape, with each interface's index, mtu, kind and state added. */
static json_t *
show_json(const struct snapshot *s, const char *sandbox)
{
	json_t *out = result_new(NULL);

	for (size_t i = 0; i < s->nlinks; i++) {
		const struct link_info *li = &s->links[i];
		json_t *o;

		result_add_iface(out, li, sandbox);
		o = json_array_get(json_object_get(out, "interfaces"), i);
		json_object_set_new(o, "index", json_integer(li->index));
		json_object_set_new(o, "mtu", json_integer(li->mtu));
		json_object_set_new(o, "up", json_boolean(li->flags & IFF_UP));
		if (li->kind[0])
			json_object_set_new(o, "kind", json_string(li->kind));
		if (li->master)
			json_object_set_new(o, "master", json_string(link_name(s, li->master)));
	}
	for (size_t i = 0; i < s->naddrs; i++)
		result_add_ip(out, &s->addrs[i].p, NULL, link_pos(s, s->addrs[i].index));
	for (size_t i = 0; i < s->nroutes; i++) {
		json_t *routes = json_object_get(out, "routes");

		result_add_route(out, &s->routes[i]);
		if (s->routes[i].oif)
			json_object_set_new(json_array_get(routes, json_array_size(routes) - 1),
					    "dev", json_string(link_name(s, s->routes[i].oif)));
	}
	return out;
}

static void
show_text(const struct snapshot *s)
{
	char buf[INET_STRLEN], mac[3 * sizeof(s->links[0].mac)];

	for (size_t i = 0; i < s->nlinks; i++) {
		const struct link_info *li = &s->links[i];

		printf("%d: %s%s%s %s mtu %u %s%s%s\n", li->index, li->name, li->kind[0] ? " " : "",
		       li->kind, li->flags & IFF_UP ? "up" : "down", li->mtu,
		       inet_format_mac(li->mac, li->maclen, mac), li->master ? " master " : "",
		       li->master ? link_name(s, li->master) : "");
		for (size_t j = 0; j < s->naddrs; j++)
			if (s->addrs[j].index == li->index)
				printf("    %s %s\n",
				       s->addrs[j].p.family == AF_INET ? "inet" : "inet6",
				       inet_format(&s->addrs[j].p, true, buf));
	}
	for (size_t i = 0; i < s->nroutes; i++) {
		const struct route_info *r = &s->routes[i];

		printf("route %s", r->dst.len ? inet_format(&r->dst, true, buf) : "default");
		if (r->has_gw)
			printf(" via %s", inet_format(&r->gw, false, buf));
		printf("%s%s\n", r->oif ? " dev " : "", r->oif ? link_name(s, r->oif) : "");
	}
	if (fflush(stdout) == EOF)
		die(EXIT_SYS, "write stdout: %s", strerror(errno));
}

static const struct opt show_opts[] = {
    {"json", CMD_OPT_JSON, NULL, "print the CNI-style JSON (and errors as JSON)", NULL},
    OPT_END,
};
const struct opt_cmd cmd_show_spec = {"NAME", "the links, addresses and routes of a namespace",
				      show_opts, 0, OPT_PERMUTE};

static void
show_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c == CMD_OPT_JSON)
		prog_set_json_errors(*(bool *)ctx = true);
}

int
cmd_show(int argc, char **argv, struct state *st)
{
	struct snapshot s = {0};
	json_auto_t *out = NULL;
	struct target t;
	bool json = false;
	struct err e;

	opt_parse(&cmd_show_spec, argc, argv, st, show_opt, &json);
	opt_operands(&cmd_show_spec, argc, argv, 1, 1);
	target_open(&t, argv[optind]);
	if (link_list(&t.nl, &s.links, &s.nlinks, &e) < 0 ||
	    addr_list(&t.nl, AF_UNSPEC, &s.addrs, &s.naddrs, &e) < 0 ||
	    route_list(&t.nl, &s.routes, &s.nroutes, &e) < 0)
		die_err(&e);
	if (json) {
		out = show_json(&s, t.path);
		jsonio_write(stdout, out);
	} else {
		show_text(&s);
	}
	snapshot_release(&s);
	target_release(&t);
	return 0;
}
