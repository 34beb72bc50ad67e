/* SPDX-License-Identifier: Apache-2.0 */
/* Link verbs: veth add, bridge add, link rm, link set. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "addr.h"
#include "cleanup.h"
#include "cmd.h"
#include "jsonio.h"
#include "prog.h"
#include "result.h"

enum {
	OPT_NETNS = 0x100,
	OPT_IFNAME,
	OPT_HOST_IFNAME,
	OPT_HOST_NETNS,
	OPT_BRIDGE,
	OPT_MTU,
	OPT_MAC,
	OPT_SYSCTL,
	OPT_ADDR,
	OPT_JSON
};

static const struct option link_opts[] = {
    {"netns", required_argument, NULL, OPT_NETNS},
    {"ifname", required_argument, NULL, OPT_IFNAME},
    {"host-ifname", required_argument, NULL, OPT_HOST_IFNAME},
    {"host-netns", required_argument, NULL, OPT_HOST_NETNS},
    {"bridge", required_argument, NULL, OPT_BRIDGE},
    {"mtu", required_argument, NULL, OPT_MTU},
    {"mac", required_argument, NULL, OPT_MAC},
    {"sysctl", required_argument, NULL, OPT_SYSCTL},
    {"addr", required_argument, NULL, OPT_ADDR},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    PROG_GLOBAL_LONGOPTS,
    {NULL, 0, NULL, 0},
};

/* Everything a link verb may be told; each verb checks which ones it allows. */
struct link_args {
	const char *netns, *ifname, *host_ifname, *host_netns, *bridge;
	unsigned mtu;
	bool has_mac;
	unsigned char mac[INET_MAC_LEN];
	char **sysctls;
	struct inet_prefix addrs[8];
	size_t naddrs;
	char host_buf[INET_IFNAME_MAX + 1];
};

static void
link_arg(struct link_args *a, int c, const char *arg)
{
	struct err e;

	switch (c) {
	case OPT_NETNS:
		a->netns = arg;
		break;
	case OPT_IFNAME:
		cmd_ifname(arg);
		a->ifname = arg;
		break;
	case OPT_HOST_IFNAME:
		cmd_ifname(arg);
		a->host_ifname = arg;
		break;
	case OPT_HOST_NETNS:
		a->host_netns = arg;
		break;
	case OPT_BRIDGE:
		cmd_ifname(arg);
		a->bridge = arg;
		break;
	case OPT_MTU:
		cmd_mtu(arg, &a->mtu);
		break;
	case OPT_SYSCTL:
		cmd_add_sysctl(&a->sysctls, arg);
		break;
	case OPT_JSON:
		prog_set_json_errors(true);
		break;
	case OPT_MAC:
		if (inet_parse_mac(arg, a->mac, &e) < 0)
			die_err(&e);
		a->has_mac = true;
		break;
	case OPT_ADDR:
		if (a->naddrs == sizeof(a->addrs) / sizeof(a->addrs[0]))
			die_usage("too many --addr");
		cmd_cidr(arg, &a->addrs[a->naddrs++]);
		break;
	}
}

/* Parse argv (after the sub-verb) into a; verb names the usage line for -h. */
static void
parse_link_args(int argc, char **argv, struct state *st, const char *verb, struct link_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = getopt_long(argc, argv, "h" PROG_GLOBAL_SHORTOPTS, link_opts, NULL)) != -1) {
		if (c == 'h')
			cmd_usage(verb);
		else if (c >= OPT_NETNS && c <= OPT_JSON)
			link_arg(a, c, optarg);
		else if (!prog_global_opt(c, optarg, st))
			die_usage("%s: unknown option", verb);
	}
}

/* Refuse options the verb does not take, rather than ignore them silently. */
static void
only(const struct link_args *a, const char *verb, const char *allowed)
{
	const struct {
		const char *name;
		bool set;
	} opts[] = {
	    {"ifname", a->ifname},	   {"host-ifname", a->host_ifname},
	    {"host-netns", a->host_netns}, {"bridge", a->bridge},
	    {"mac", a->has_mac},	   {"sysctl", a->sysctls},
	    {"addr", a->naddrs},	   {"mtu", a->mtu},
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].set && !strstr(allowed, opts[i].name))
			die_usage("%s: --%s is not an option of this verb", verb, opts[i].name);
}

static void
refuse_existing(struct target *t, const char *name)
{
	struct link_info li;
	struct err e;

	if (link_get(&t->nl, name, &li, &e) == 0)
		die(EXIT_USAGE, "interface '%s' exists%s%s", name, t->spec ? " in " : "",
		    t->spec ? t->spec : "");
	if (strcmp(e.code, "not-found") != 0)
		die_err(&e);
}

/* "veth" + 8 random hex digits: 12 bytes, under IFNAMSIZ, unlikely to clash. */
static const char *
random_host_ifname(struct link_args *a)
{
	unsigned char r[4] = {0};

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		die(EXIT_SYS, "getrandom failed");
	snprintf(a->host_buf, sizeof(a->host_buf), "veth%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
	return a->host_buf;
}

/*
 * After the pair exists, each step may fail (a missing bridge, a name
 * refused): the host end is deleted, which deletes its peer too, so no
 * half-made veth is left behind.
 */
static int
veth_finish(struct target *host, struct target *cont, const struct link_args *a,
	    struct link_info *h, struct link_info *c, struct err *e)
{
	struct link_info br;

	if (a->bridge) {
		if (link_get(&host->nl, a->bridge, &br, e) < 0)
			return err_prefix(e, "bridge");
		if (link_set_master(&host->nl, h->index, br.index, e) < 0)
			return -1;
	}
	if (link_set_up(&host->nl, h->index, true, e) < 0 ||
	    link_get(&cont->nl, a->ifname, c, e) < 0 ||
	    link_set_up(&cont->nl, c->index, true, e) < 0)
		return -1;
	if (cmd_apply_sysctls(cont->nsfd, a->sysctls, e) < 0)
		return -1;
	/* read back: MACs, the bridge, the up flag as the kernel now has them */
	if (link_get(&host->nl, h->name, h, e) < 0 || link_get(&cont->nl, c->name, c, e) < 0)
		return -1;
	return 0;
}

static int
veth_add(int argc, char **argv, struct state *st)
{
	struct link_args a;
	struct target host, cont;
	struct link_info h, c;
	json_auto_t *out = NULL;
	struct err e;

	parse_link_args(argc, argv, st, "veth", &a);
	only(&a, "veth add", "ifname host-ifname host-netns bridge mtu mac sysctl");
	if (!a.netns || !a.ifname || optind != argc)
		die_usage("veth add: want --netns NS --ifname IF and no other arguments");
	if (!a.host_ifname)
		a.host_ifname = random_host_ifname(&a);
	target_open(&cont, a.netns);
	target_open(&host, a.host_netns);
	refuse_existing(&host, a.host_ifname);
	refuse_existing(&cont, a.ifname);
	if (link_add_veth(&host.nl,
			  &(struct link_veth){a.host_ifname, a.ifname, cont.nsfd, a.mtu,
					      a.has_mac ? a.mac : NULL},
			  &e) < 0)
		die_err(&e);
	if (link_get(&host.nl, a.host_ifname, &h, &e) < 0)
		die_err(&e);
	if (veth_finish(&host, &cont, &a, &h, &c, &e) < 0)
		goto out_delete;
	out = result_new(NULL);
	result_add_iface(out, &h, NULL);
	result_add_iface(out, &c, cont.path);
	jsonio_write(stdout, out);
	target_release(&host);
	target_release(&cont);
	cleanup_strvp(&a.sysctls);
	return 0;
out_delete:
	link_del(&host.nl, h.index, &(struct err){0});
	die_err(&e);
}

int
cmd_veth(int argc, char **argv, struct state *st)
{
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		die_usage("veth: want 'veth add'");
	return veth_add(argc - 1, argv + 1, st);
}

static int
bridge_finish(struct target *t, const struct link_args *a, struct link_info *br, json_t *out,
	      struct err *e)
{
	int iface;

	if (link_set_up(&t->nl, br->index, true, e) < 0)
		return -1;
	for (size_t i = 0; i < a->naddrs; i++)
		if (addr_add(&t->nl, br->index, &a->addrs[i], e) < 0)
			return -1;
	if (cmd_apply_sysctls(t->nsfd, a->sysctls, e) < 0 || link_get(&t->nl, br->name, br, e) < 0)
		return -1;
	iface = result_add_iface(out, br, t->path);
	for (size_t i = 0; i < a->naddrs; i++)
		result_add_ip(out, &a->addrs[i], NULL, iface);
	return 0;
}

int
cmd_bridge(int argc, char **argv, struct state *st)
{
	struct link_args a;
	struct target t;
	struct link_info br;
	json_auto_t *out = result_new(NULL);
	struct err e;

	if (argc < 2 || strcmp(argv[1], "add") != 0)
		die_usage("bridge: want 'bridge add'");
	parse_link_args(argc - 1, argv + 1, st, "bridge", &a);
	only(&a, "bridge add", "addr mtu sysctl");
	if (argc - 1 - optind != 1)
		die_usage("bridge add: want one BR");
	cmd_ifname(argv[1 + optind]);
	target_open(&t, a.netns);
	refuse_existing(&t, argv[1 + optind]);
	if (link_add_bridge(&t.nl, argv[1 + optind], a.mtu, &e) < 0 ||
	    link_get(&t.nl, argv[1 + optind], &br, &e) < 0)
		die_err(&e);
	if (bridge_finish(&t, &a, &br, out, &e) < 0) {
		link_del(&t.nl, br.index, &(struct err){0});
		die_err(&e);
	}
	jsonio_write(stdout, out);
	target_release(&t);
	cleanup_strvp(&a.sysctls);
	return 0;
}

static int
link_rm(struct target *t, int argc, char **argv)
{
	struct link_info li;
	struct err e;

	if (argc != 1)
		die_usage("link rm: want one IF");
	cmd_link_get(t, argv[0], &li);
	if (link_del(&t->nl, li.index, &e) < 0)
		die_err(&e);
	return 0;
}

static int
link_set(struct target *t, const struct link_args *a, int argc, char **argv)
{
	struct link_info li;
	struct err e;
	int up = -1;

	if (argc == 2 && (!strcmp(argv[1], "up") || !strcmp(argv[1], "down")))
		up = !strcmp(argv[1], "up");
	else if (argc != 1 || !a->mtu)
		die_usage("link set: want IF and up, down or --mtu N");
	cmd_link_get(t, argv[0], &li);
	if (a->mtu && link_set_mtu(&t->nl, li.index, a->mtu, &e) < 0)
		die_err(&e);
	if (up >= 0 && link_set_up(&t->nl, li.index, up, &e) < 0)
		die_err(&e);
	return 0;
}

int
cmd_link(int argc, char **argv, struct state *st)
{
	struct link_args a;
	struct target t;
	bool rm = argc >= 2 && !strcmp(argv[1], "rm");
	int rc;

	if (argc < 2 || (!rm && strcmp(argv[1], "set") != 0))
		die_usage("link: want 'link rm' or 'link set'");
	parse_link_args(argc - 1, argv + 1, st, "link", &a);
	only(&a, rm ? "link rm" : "link set", rm ? "" : "mtu");
	target_open(&t, a.netns);
	argc -= 1 + optind;
	argv += 1 + optind;
	rc = rm ? link_rm(&t, argc, argv) : link_set(&t, &a, argc, argv);
	target_release(&t);
	return rc;
}
