/* SPDX-License-Identifier: Apache-2.0 */
/* Routes in the main table over rtnetlink: add, delete, list. */
#ifndef CTR_NETNS_ROUTE_H
#define CTR_NETNS_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "inet.h"
#include "nl.h"

struct route_info {
	struct inet_prefix dst; /* len 0: the default route */
	bool has_gw;
	struct inet_prefix gw; /* same family as dst */
	int oif;	       /* ifindex, 0 when the kernel picks it from gw */
};

/* Add or replace nothing: an existing route fails with "exists". */
int route_add(struct nl *nl, const struct route_info *r, struct err *e);
int route_del(struct nl *nl, const struct route_info *r, struct err *e);
/* What route_list gathers: route_dump_cb, the nl_talk callback of its dump, appends to v. */
struct route_vec {
	struct route_info *v;
	size_t n, cap;
};
int route_dump_cb(const struct nlmsghdr *nlh, void *data);
/* Unicast routes of the main table, both families; *v is the caller's. */
int route_list(struct nl *nl, struct route_info **v, size_t *n, struct err *e);

#endif
