/* SPDX-License-Identifier: Apache-2.0 */
/* RTM_*ROUTE requests on the main routing table, IPv4 and IPv6. */
#include "route.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xmem.h"

static int
route_request(struct nl *nl, int type, int flags, const struct route_info *r, struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t alen = inet_addr_len(r->dst.family);

	rtm->rtm_family = r->dst.family;
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_type = RTN_UNICAST;
	/* without a gateway the destination is on the link itself */
	rtm->rtm_scope = r->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (type == RTM_DELROUTE)
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	if (r->dst.len)
		mnl_attr_put(nlh, RTA_DST, alen, r->dst.addr);
	if (r->has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, r->gw.addr);
	if (r->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (unsigned)r->oif);
	if (nl_talk(nl, nlh, NULL, NULL, e) == 0)
		return 0;
	/* the kernel's words for the caller's mistakes, not system failures */
	if (e->sys == ENETUNREACH) /* a gateway on no link's network */
		e->code = "invalid";
	else if (e->sys == ESRCH) /* no such route */
		e->code = "not-found";
	return -1;
}

int
route_add(struct nl *nl, const struct route_info *r, struct err *e)
{
	char buf[INET_STRLEN];

	if (route_request(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, e) < 0)
		return err_prefix(e, "add route %s",
				  r->dst.len ? inet_format(&r->dst, true, buf) : "default");
	return 0;
}

int
route_del(struct nl *nl, const struct route_info *r, struct err *e)
{
	char buf[INET_STRLEN];

	if (route_request(nl, RTM_DELROUTE, 0, r, e) < 0)
		return err_prefix(e, "delete route %s",
				  r->dst.len ? inet_format(&r->dst, true, buf) : "default");
	return 0;
}

static const enum mnl_attr_data_type route_kinds[RTA_MAX + 1] = {
    [RTA_TABLE] = MNL_TYPE_U32,
    [RTA_OIF] = MNL_TYPE_U32,
};

static void
copy_addr(struct inet_prefix *p, int family, const struct nlattr *a)
{
	size_t alen = inet_addr_len(family);

	p->family = family;
	if (a && mnl_attr_get_payload_len(a) == alen)
		memcpy(p->addr, mnl_attr_get_payload(a), alen);
}

int
route_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	struct route_vec *rv = data;
	struct route_info *r;
	unsigned table;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	if (nl_attrs(nlh, sizeof(*rtm), tb, RTA_MAX, route_kinds) < 0)
		return MNL_CB_ERROR;
	if (rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	xgrow((void **)&rv->v, &rv->cap, rv->n + 1, sizeof(*rv->v));
	r = &rv->v[rv->n++];
	memset(r, 0, sizeof(*r));
	copy_addr(&r->dst, rtm->rtm_family, tb[RTA_DST]);
	r->dst.len = rtm->rtm_dst_len;
	r->has_gw = tb[RTA_GATEWAY] != NULL;
	copy_addr(&r->gw, rtm->rtm_family, tb[RTA_GATEWAY]);
	r->gw.len = rtm->rtm_family == AF_INET6 ? 128 : 32;
	r->oif = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	return MNL_CB_OK;
}

int
route_list(struct nl *nl, struct route_info **v, size_t *n, struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_vec rv = {0};

	rtm->rtm_family = AF_UNSPEC;
	if (nl_talk(nl, nlh, route_dump_cb, &rv, e) < 0) {
		free(rv.v);
		return err_prefix(e, "list routes");
	}
	*v = rv.v;
	*n = rv.n;
	return 0;
}
