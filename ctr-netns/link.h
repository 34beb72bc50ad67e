/* SPDX-License-Identifier: Apache-2.0 */
/* Links over rtnetlink: look up, list, create veth pairs and bridges, set, delete. */
#ifndef CTR_NETNS_LINK_H
#define CTR_NETNS_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "inet.h"
#include "nl.h"

struct link_info {
	int index;
	char name[INET_IFNAME_MAX + 1];
	unsigned char mac[32];
	size_t maclen;
	unsigned mtu;
	unsigned flags; /* IFF_* */
	int master;	/* ifindex of the bridge, 0 for none */
	char kind[16];	/* "veth", "bridge", ... or "" */
};

/* A veth pair: name here, peer created directly inside peer_nsfd (-1: here too). */
struct link_veth {
	const char *name;
	const char *peer;
	int peer_nsfd;
	unsigned mtu;		       /* 0: the kernel's default */
	const unsigned char *peer_mac; /* NULL: random */
};

/* What link_list gathers: link_dump_cb, the nl_talk callback of its dump, appends to v. */
struct link_vec {
	struct link_info *v;
	size_t n, cap;
};
int link_dump_cb(const struct nlmsghdr *nlh, void *data);

/* Look a link up by name; "not-found" (exit 100) when there is none. */
int link_get(struct nl *nl, const char *name, struct link_info *li, struct err *e);
/* Every link of the namespace, by ifindex order; *v is the caller's to free. */
int link_list(struct nl *nl, struct link_info **v, size_t *n, struct err *e);
/* Create the pair in one request (NLM_F_EXCL: an existing name fails). */
int link_add_veth(struct nl *nl, const struct link_veth *req, struct err *e);
/* Create a bridge named name (mtu 0: default). */
int link_add_bridge(struct nl *nl, const char *name, unsigned mtu, struct err *e);
int link_del(struct nl *nl, int index, struct err *e);
int link_set_up(struct nl *nl, int index, bool up, struct err *e);
int link_set_mtu(struct nl *nl, int index, unsigned mtu, struct err *e);
/* Enslave index to the bridge master (0: release it). */
int link_set_master(struct nl *nl, int index, int master, struct err *e);

#endif
