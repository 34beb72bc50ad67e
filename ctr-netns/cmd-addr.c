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

enum { OPT_NETNS = 0x100, OPT_IFNAME, OPT_JSON };

struct ar_args {
	const char *netns, *ifname;
};

static void
parse_ar(int argc, char **argv, struct state *st, const char *verb, struct ar_args *a)
{
	static const struct option opts[] = {
	    {"netns", required_argument, NULL, OPT_NETNS},
	    {"ifname", required_argument, NULL, OPT_IFNAME},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    PROG_GLOBAL_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = getopt_long(argc, argv, "h" PROG_GLOBAL_SHORTOPTS, opts, NULL)) != -1) {
		if (c == OPT_NETNS)
			a->netns = optarg;
		else if (c == OPT_IFNAME)
			a->ifname = (cmd_ifname(optarg), optarg);
		else if (c == OPT_JSON)
			prog_set_json_errors(true);
		else if (c == 'h')
			cmd_usage(verb);
		else if (!prog_global_opt(c, optarg, st))
			die_usage("%s: unknown option", verb);
	}
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

int
cmd_addr(int argc, char **argv, struct state *st)
{
	bool add = argc >= 2 && !strcmp(argv[1], "add");
	struct inet_prefix p[16];
	struct ar_args a;
	struct target t;
	struct link_info li;
	struct err e;
	int n;

	if (argc < 2 || (!add && strcmp(argv[1], "rm") != 0))
		die_usage("addr: want 'addr add' or 'addr rm'");
	parse_ar(argc - 1, argv + 1, st, "addr", &a);
	n = argc - 1 - optind;
	if (!a.ifname || n < 1 || n > 16)
		die_usage("addr %s: want --ifname IF and 1 to 16 CIDRs", argv[1]);
	for (int i = 0; i < n; i++)
		cmd_cidr(argv[1 + optind + i], &p[i]);
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

int
cmd_route(int argc, char **argv, struct state *st)
{
	bool add = argc >= 2 && !strcmp(argv[1], "add");
	json_auto_t *out = NULL;
	struct route_info r;
	struct ar_args a;
	struct target t;
	struct err e;

	if (argc < 2 || (!add && strcmp(argv[1], "rm") != 0))
		die_usage("route: want 'route add' or 'route rm'");
	parse_ar(argc - 1, argv + 1, st, "route", &a);
	if (a.ifname)
		die_usage("route: use 'dev IF', not --ifname");
	target_open(&t, a.netns);
	parse_route(&t, argc - 1 - optind, argv + 1 + optind, &r);
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
