/* SPDX-License-Identifier: Apache-2.0 */
/* What the verbs share: their entry points and the die-on-failure helpers they use. */
#ifndef CTR_NETNS_CMD_H
#define CTR_NETNS_CMD_H

#include <stdbool.h>

#include "inet.h"
#include "link.h"
#include "nl.h"
#include "prog.h"
#include "state.h"

int cmd_create(int argc, char **argv, struct state *st);
int cmd_rm(int argc, char **argv, struct state *st);
int cmd_ls(int argc, char **argv, struct state *st);
int cmd_exec(int argc, char **argv, struct state *st);
int cmd_show(int argc, char **argv, struct state *st);
int cmd_sysctl(int argc, char **argv, struct state *st);
int cmd_veth_add(int argc, char **argv, struct state *st);
int cmd_bridge_add(int argc, char **argv, struct state *st);
int cmd_link_rm(int argc, char **argv, struct state *st);
int cmd_link_set(int argc, char **argv, struct state *st);
int cmd_addr_add(int argc, char **argv, struct state *st);
int cmd_addr_rm(int argc, char **argv, struct state *st);
int cmd_route_add(int argc, char **argv, struct state *st);
int cmd_route_rm(int argc, char **argv, struct state *st);
/* The runtime side of CNI: a network's plugin chain for a namespace (cni-run.c). */
int cmd_cni_add(int argc, char **argv, struct state *st);
int cmd_cni_del(int argc, char **argv, struct state *st);
/* The verbs' option tables, synopses and summaries (opt.h). */
extern const struct opt_cmd cmd_create_spec, cmd_rm_spec, cmd_ls_spec, cmd_exec_spec, cmd_show_spec,
    cmd_sysctl_spec, cmd_veth_add_spec, cmd_bridge_add_spec, cmd_link_rm_spec, cmd_link_set_spec,
    cmd_addr_add_spec, cmd_addr_rm_spec, cmd_route_add_spec, cmd_route_rm_spec, cmd_cni_add_spec,
    cmd_cni_del_spec;

/* Option keys the verbs share; their own start at CMD_OPT_OWN. */
enum {
	CMD_OPT_JSON = 0x100,
	CMD_OPT_NETNS,
	CMD_OPT_OWN,
};
/* --json; --netns NS and --json. */
extern const struct opt cmd_opt_json[], cmd_opt_netns[];
/* CNI plugin mode: CNI_COMMAND set and no arguments. Returns the exit code. */
int cni_main(void);

/* The verbs, for prog_dispatch; NULL-terminated. */
extern const struct verb cmd_verbs[];

/*
 * A namespace to work in: spec NULL means the one we run in. The fd stays
 * open (IFLA_NET_NS_FD needs it) and the netlink socket is opened inside.
 */
struct target {
	const char *spec;
	char *path; /* sandbox path for results, NULL for our own namespace */
	int nsfd;
	struct nl nl;
};
int target_init(struct target *t, const char *spec, struct err *e);
/* target_init or die. */
void target_open(struct target *t, const char *spec);
/* Safe after a failed target_init. */
void target_release(struct target *t);

/* Parsers that die with exit 100 and one clear line on bad input. */
void cmd_ifname(const char *s);
void cmd_cidr(const char *s, struct inet_prefix *p);
void cmd_mtu(const char *s, unsigned *mtu);
/* Remember one --sysctl KEY=VALUE (checked for '='); applied by cmd_apply_sysctls. */
void cmd_add_sysctl(char ***list, const char *kv);
/* Write each KEY=VALUE of list inside nsfd (-1: here); the caller rolls back on -1. */
int cmd_apply_sysctls(int nsfd, char **list, struct err *e);
/* Look a link up inside t; dies (100) when it does not exist. */
void cmd_link_get(struct target *t, const char *name, struct link_info *li);

#endif
