/* SPDX-License-Identifier: Apache-2.0 */
/* Interface addresses over rtnetlink: add, delete, list. */
#ifndef CTR_NETNS_ADDR_H
#define CTR_NETNS_ADDR_H

#include <stddef.h>

#include "err.h"
#include "inet.h"
#include "nl.h"

struct addr_info {
	int index; /* ifindex of the link */
	struct inet_prefix p;
};

/*
 * Add p to link index. Duplicate address detection is skipped
 * (IFA_F_NODAD): the caller allocated the address, and DAD would leave an
 * IPv6 address unusable for a second.
 */
int addr_add(struct nl *nl, int index, const struct inet_prefix *p, struct err *e);
int addr_del(struct nl *nl, int index, const struct inet_prefix *p, struct err *e);
/* What addr_list gathers: addr_dump_cb, the nl_talk callback of its dump, appends to v. */
struct addr_vec {
	struct addr_info *v;
	size_t n, cap;
};
int addr_dump_cb(const struct nlmsghdr *nlh, void *data);
/* Every address of family (AF_UNSPEC: both) in the namespace; *v is the caller's. */
int addr_list(struct nl *nl, int family, struct addr_info **v, size_t *n, struct err *e);

#endif
