/* SPDX-License-Identifier: Apache-2.0 */
/* Address and route verbs: addr add|rm, route add|rm. */
#include <jansson.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "cmd.h"
#include "jsonio.h"
#include "prog.h"
#include "result.h"
#include "route.h"

enum { OPT_IFNAME = CMD_OPT_OWN };

static const struct opt addr_opts[] = {
    {"ifname", OPT_IFNAME, "IF", "the link (required)", NULL},
    OPT_INCLUDE(cmd_opt_netns),
    OPT_END,
};
const struct opt_cmd cmd_addr_add_spec = {
    "--ifname IF CIDR...", "add addresses to a link (all or none)", addr_opts, 0, OPT_PERMUTE};
const struct opt_cmd cmd_addr_rm_spec = {"--ifname IF CIDR...", "remove addresses from a link",
					 addr_opts, 0, OPT_PERMUTE};
const struct opt_cmd cmd_route_add_spec = {"(default | CIDR) [via GW] [dev IF]",
					   "add a route; the CNI result as JSON", cmd_opt_netns, 0,
					   OPT_PERMUTE};
const struct opt_cmd cmd_route_rm_spec = {"(default | CIDR) [via GW] [dev IF]", "remove a route",
					  cmd_opt_netns, 0, OPT_PERMUTE};

struct ar_args {
	const char *netns, *ifname;
};

static void
ar_opt(int c, const char *arg, void *ctx)
{
	struct ar_args *a = ctx;

	if (c == CMD_OPT_NETNS)
		a->netns = arg;
	else if (c == OPT_IFNAME)
		a->ifname = (cmd_ifname(arg), arg);
	else if (c == CMD_OPT_JSON)
		prog_set_json_errors(true);
}

/* Add every address or none: on a failure the ones added before are taken back. */
static void
addrs_add(struct target *t, const struct link_info *li, struct inet_prefix *p, int n)
{
	json_auto_t *out = result_new(NULL);
	struct err e;
	int iface, i;

	for (i = 0; i < n; i++)
		if (addr_add(&t->nl, li->index, &p[i], &e) < 0)
			goto undo;
	iface = result_add_iface(out, li, t->path);
	for (i = 0; i < n; i++)
		result_add_ip(out, &p[i], NULL, iface);
	jsonio_write(stdout, out);
	return;
undo:
	while (i-- > 0)
		addr_del(&t->nl, li->index, &p[i], &(struct err){0});
	die_err(&e);
}

static int
addr(int argc, char **argv, struct state *st, bool add)
{
	const struct opt_cmd *spec = add ? &cmd_addr_add_spec : &cmd_addr_rm_spec;
	struct inet_prefix p[16];
	struct ar_args a = {NULL, NULL};
	struct target t;
	struct link_info li;
	struct err e;
	int n;

	opt_parse(spec, argc, argv, st, ar_opt, &a);
	if (!a.ifname)
		opt_die(spec, "missing --ifname IF");
	opt_operands(spec, argc, argv, 1, 16);
	n = argc - optind;
	for (int i = 0; i < n; i++)
		cmd_cidr(argv[optind + i], &p[i]);
	target_open(&t, a.netns);
	cmd_link_get(&t, a.ifname, &li);
	if (add)
		addrs_add(&t, &li, p, n);
	for (int i = 0; !add && i < n; i++)
		if (addr_del(&t.nl, li.index, &p[i], &e) < 0)
			die_err(&e);
	target_release(&t);
	return 0;
}

int
cmd_addr_add(int argc, char **argv, struct state *st)
{
	return addr(argc, argv, st, true);
}

int
cmd_addr_rm(int argc, char **argv, struct state *st)
{
	return addr(argc, argv, st, false);
}

/* "(default | CIDR) [via GW] [dev IF]" into r; dev is looked up in t. */
static void
parse_route(struct target *t, int argc, char **argv, struct route_info *r)
{
	struct link_info li;
	struct err e;
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "via")) {
			if (inet_parse_addr(argv[i + 1], &r->gw, &e) < 0)
				die_err(&e);
			r->has_gw = true;
		} else if (!strcmp(argv[i], "dev")) {
			cmd_ifname(argv[i + 1]);
			cmd_link_get(t, argv[i + 1], &li);
			r->oif = li.index;
		} else {
			break;
		}
	}
	if (argc < 1 || i != argc)
		die_usage("route: want (default | CIDR) [via GW] [dev IF]");
	if (inet_parse_dst(argv[0], r->has_gw ? r->gw.family : 0, &r->dst, &e) < 0)
		die_err(&e);
	if (r->has_gw && r->gw.family != r->dst.family)
		die(EXIT_USAGE, "route: gateway and destination are of different families");
	if (!r->has_gw && !r->oif)
		die_usage("route: want 'via GW' or 'dev IF'");
}

static int
route(int argc, char **argv, struct state *st, bool add)
{
	json_auto_t *out = NULL;
	struct route_info r;
	struct ar_args a = {NULL, NULL};
	struct target t;
	struct err e;

	opt_parse(add ? &cmd_route_add_spec : &cmd_route_rm_spec, argc, argv, st, ar_opt, &a);
	target_open(&t, a.netns);
	parse_route(&t, argc - optind, argv + optind, &r);
	if (!add) {
		if (route_del(&t.nl, &r, &e) < 0)
			die_err(&e);
	} else {
		if (route_add(&t.nl, &r, &e) < 0)
			die_err(&e);
		out = result_new(NULL);
		result_add_route(out, &r);
		jsonio_write(stdout, out);
	}
	target_release(&t);
	return 0;
}

int
cmd_route_add(int argc, char **argv, struct state *st)
{
	return route(argc, argv, st, true);
}

int
cmd_route_rm(int argc, char **argv, struct state *st)
{
	return route(argc, argv, st, false);
}
