/* SPDX-License-Identifier: Apache-2.0 */
/* RTM_*ADDR requests for IPv4 and IPv6 interface addresses. */
#include "addr.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xmem.h"

static int
addr_request(struct nl *nl, int type, int flags, int index, const struct inet_prefix *p,
	     struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t alen = inet_addr_len(p->family);

	ifa->ifa_family = p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_index = index;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	if (type == RTM_NEWADDR && p->family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	/* IPv4 wants IFA_LOCAL (our address); IFA_ADDRESS is the peer on point-to-point links */
	if (p->family == AF_INET)
		mnl_attr_put(nlh, IFA_LOCAL, alen, p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, p->addr);
	if (nl_talk(nl, nlh, NULL, NULL, e) == 0)
		return 0;
	if (e->sys == EADDRNOTAVAIL) /* the kernel's word for an address the link lacks */
		e->code = "not-found";
	return -1;
}

int
addr_add(struct nl *nl, int index, const struct inet_prefix *p, struct err *e)
{
	char buf[INET_STRLEN];

	if (addr_request(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, p, e) < 0)
		return err_prefix(e, "add address %s", inet_format(p, true, buf));
	return 0;
}

int
addr_del(struct nl *nl, int index, const struct inet_prefix *p, struct err *e)
{
	char buf[INET_STRLEN];

	if (addr_request(nl, RTM_DELADDR, 0, index, p, e) < 0)
		return err_prefix(e, "delete address %s", inet_format(p, true, buf));
	return 0;
}

static const enum mnl_attr_data_type addr_kinds[IFA_MAX + 1] = {0};

int
addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	struct addr_vec *av = data;
	const struct nlattr *a;
	struct addr_info *ai;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	if (nl_attrs(nlh, sizeof(*ifa), tb, IFA_MAX, addr_kinds) < 0)
		return MNL_CB_ERROR;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) != inet_addr_len(ifa->ifa_family))
		return MNL_CB_OK;
	xgrow((void **)&av->v, &av->cap, av->n + 1, sizeof(*av->v));
	ai = &av->v[av->n++];
	memset(ai, 0, sizeof(*ai));
	ai->index = ifa->ifa_index;
	ai->p.family = ifa->ifa_family;
	ai->p.len = ifa->ifa_prefixlen;
	memcpy(ai->p.addr, mnl_attr_get_payload(a), inet_addr_len(ifa->ifa_family));
	return MNL_CB_OK;
}

int
addr_list(struct nl *nl, int family, struct addr_info **v, size_t *n, struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct addr_vec av = {0};

	ifa->ifa_family = family;
	if (nl_talk(nl, nlh, addr_dump_cb, &av, e) < 0) {
		free(av.v);
		return err_prefix(e, "list addresses");
	}
	*v = av.v;
	*n = av.n;
	return 0;
}
