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
	OPT_IFNAME = CMD_OPT_OWN,
	OPT_HOST_IFNAME,
	OPT_HOST_NETNS,
	OPT_BRIDGE,
	OPT_MTU,
	OPT_MAC,
	OPT_SYSCTL,
	OPT_ADDR,
};

static const struct opt mtu_opt[] = {
    {"mtu", OPT_MTU, "N", "the link's MTU", NULL},
    OPT_END,
};
static const struct opt sysctl_opt[] = {
    {"sysctl", OPT_SYSCTL, "KEY=VALUE", "set a sysctl in the namespace once up (again for more)",
     NULL},
    OPT_END,
};

static const struct opt veth_add_opts[] = {
    {"netns", CMD_OPT_NETNS, "NS", "the namespace of the container's end (required)", NULL},
    {"ifname", OPT_IFNAME, "IF", "the name of the container's end (required)", NULL},
    {"host-ifname", OPT_HOST_IFNAME, "IF", "the name of the host's end (default vethXXXXXXXX)",
     NULL},
    {"host-netns", OPT_HOST_NETNS, "NS", "the namespace of the host's end (default: ours)", NULL},
    {"bridge", OPT_BRIDGE, "BR", "put the host's end on this bridge", NULL},
    {"mac", OPT_MAC, "MAC", "the MAC address of the container's end", NULL},
    OPT_INCLUDE(mtu_opt),
    OPT_INCLUDE(sysctl_opt),
    OPT_INCLUDE(cmd_opt_json),
    OPT_END,
};
const struct opt_cmd cmd_veth_add_spec = {
    "--netns NS --ifname IF",
    "a veth pair, one end in the container's namespace; the CNI result as JSON", veth_add_opts, 0,
    OPT_PERMUTE};

static const struct opt bridge_add_opts[] = {
    {"addr", OPT_ADDR, "CIDR", "an address of the bridge (again for more, up to 8)", NULL},
    OPT_INCLUDE(mtu_opt),
    OPT_INCLUDE(sysctl_opt),
    OPT_INCLUDE(cmd_opt_netns),
    OPT_END,
};
const struct opt_cmd cmd_bridge_add_spec = {"BR", "a bridge, up; the CNI result as JSON",
					    bridge_add_opts, 0, OPT_PERMUTE};

const struct opt_cmd cmd_link_rm_spec = {"IF", "delete a link (a veth's peer goes with it)",
					 cmd_opt_netns, 0, OPT_PERMUTE};

static const struct opt link_set_opts[] = {
    OPT_INCLUDE(mtu_opt),
    OPT_INCLUDE(cmd_opt_netns),
    OPT_END,
};
const struct opt_cmd cmd_link_set_spec = {"IF [up | down]", "set a link up or down, or its MTU",
					  link_set_opts, 0, OPT_PERMUTE};

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
	case CMD_OPT_NETNS:
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
	case CMD_OPT_JSON:
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

/* Parse argv by spec into a. */
static void
parse_link_args(int argc, char **argv, struct state *st, const struct opt_cmd *spec,
		struct link_args *a)
{
	struct opt_parser p;
	int c;

	memset(a, 0, sizeof(*a));
	opt_init(&p, spec, argc, argv, st);
	while ((c = opt_next(&p)) != -1)
		link_arg(a, c, optarg);
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

int
cmd_veth_add(int argc, char **argv, struct state *st)
{
	struct link_args a;
	struct target host, cont;
	struct link_info h, c;
	json_auto_t *out = NULL;
	struct err e;

	parse_link_args(argc, argv, st, &cmd_veth_add_spec, &a);
	if (!a.netns || !a.ifname)
		opt_die(&cmd_veth_add_spec, "missing --%s", a.netns ? "ifname IF" : "netns NS");
	opt_operands(&cmd_veth_add_spec, argc, argv, 0, 0);
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
cmd_bridge_add(int argc, char **argv, struct state *st)
{
	struct link_args a;
	struct target t;
	struct link_info br;
	json_auto_t *out = result_new(NULL);
	struct err e;

	parse_link_args(argc, argv, st, &cmd_bridge_add_spec, &a);
	opt_operands(&cmd_bridge_add_spec, argc, argv, 1, 1);
	cmd_ifname(argv[optind]);
	target_open(&t, a.netns);
	refuse_existing(&t, argv[optind]);
	if (link_add_bridge(&t.nl, argv[optind], a.mtu, &e) < 0 ||
	    link_get(&t.nl, argv[optind], &br, &e) < 0)
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

int
cmd_link_rm(int argc, char **argv, struct state *st)
{
	struct link_args a;
	struct link_info li;
	struct target t;
	struct err e;

	parse_link_args(argc, argv, st, &cmd_link_rm_spec, &a);
	opt_operands(&cmd_link_rm_spec, argc, argv, 1, 1);
	target_open(&t, a.netns);
	cmd_link_get(&t, argv[optind], &li);
	if (link_del(&t.nl, li.index, &e) < 0)
		die_err(&e);
	target_release(&t);
	return 0;
}

int
cmd_link_set(int argc, char **argv, struct state *st)
{
	struct link_args a;
	struct link_info li;
	struct target t;
	struct err e;
	int up = -1;

	parse_link_args(argc, argv, st, &cmd_link_set_spec, &a);
	opt_operands(&cmd_link_set_spec, argc, argv, 1, 2);
	argv += optind;
	if (argc - optind == 2 && (!strcmp(argv[1], "up") || !strcmp(argv[1], "down")))
		up = !strcmp(argv[1], "up");
	else if (argc - optind == 2 || !a.mtu)
		opt_die(&cmd_link_set_spec, "want IF and up, down or --mtu N");
	target_open(&t, a.netns);
	cmd_link_get(&t, argv[0], &li);
	if (a.mtu && link_set_mtu(&t.nl, li.index, a.mtu, &e) < 0)
		die_err(&e);
	if (up >= 0 && link_set_up(&t.nl, li.index, up, &e) < 0)
		die_err(&e);
	target_release(&t);
	return 0;
}
