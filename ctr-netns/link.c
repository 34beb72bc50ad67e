/* SPDX-License-Identifier: Apache-2.0 */
/* RTM_*LINK requests: lookups, dumps, veth pairs, bridges and link settings. */
#include "link.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

/* The shapes link_parse relies on; the kernel never sends others, a fuzzer does. */
static const enum mnl_attr_data_type link_kinds[IFLA_MAX + 1] = {
    [IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
    [IFLA_MTU] = MNL_TYPE_U32,
    [IFLA_MASTER] = MNL_TYPE_U32,
    [IFLA_LINKINFO] = MNL_TYPE_NESTED,
};

static int
info_attr(const struct nlattr *a, void *data)
{
	struct link_info *li = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
		snprintf(li->kind, sizeof(li->kind), "%.*s", (int)mnl_attr_get_payload_len(a),
			 (const char *)mnl_attr_get_payload(a));
	return MNL_CB_OK;
}

static int
link_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {0};

	memset(li, 0, sizeof(*li));
	if (nl_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX, link_kinds) < 0)
		return MNL_CB_ERROR;
	li->index = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME])
		snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS]) {
		li->maclen = mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);
		if (li->maclen > sizeof(li->mac))
			li->maclen = sizeof(li->mac);
		memcpy(li->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), li->maclen);
	}
	if (tb[IFLA_MTU])
		li->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		li->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINKINFO])
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], info_attr, li);
	return MNL_CB_OK;
}

static int
on_link(const struct nlmsghdr *nlh, void *data)
{
	return nlh->nlmsg_type == RTM_NEWLINK ? link_parse(nlh, data) : MNL_CB_OK;
}

int
link_get(struct nl *nl, const char *name, struct link_info *li, struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_GETLINK, 0);
	int rc;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);

	memset(li, 0, sizeof(*li));
	rc = nl_talk(nl, nlh, on_link, li, e);
	if (rc == 0 && li->index > 0)
		return 0;
	if (rc == 0 || e->sys == ENODEV)
		return err_code(e, "not-found", "no such interface '%s'", name);
	return err_prefix(e, "look up interface '%s'", name);
}

int
link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_vec *lv = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	xgrow((void **)&lv->v, &lv->cap, lv->n + 1, sizeof(*lv->v));
	return link_parse(nlh, &lv->v[lv->n++]);
}

int
link_list(struct nl *nl, struct link_info **v, size_t *n, struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_GETLINK, NLM_F_DUMP);
	struct link_vec lv = {0};
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	if (nl_talk(nl, nlh, link_dump_cb, &lv, e) < 0) {
		free(lv.v);
		return err_prefix(e, "list links");
	}
	*v = lv.v;
	*n = lv.n;
	return 0;
}

/* The peer is a whole ifinfomsg + attributes nested in VETH_INFO_PEER. */
static void
put_veth_peer(struct nlmsghdr *nlh, const struct link_veth *req)
{
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);

	nlh->nlmsg_len += MNL_ALIGN(sizeof(struct ifinfomsg));
	memset((char *)peer + MNL_ATTR_HDRLEN, 0, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, req->peer);
	/* created inside its namespace: no window where the name could clash here */
	if (req->peer_nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (unsigned)req->peer_nsfd);
	if (req->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, req->mtu);
	if (req->peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, INET_MAC_LEN, req->peer_mac);
	mnl_attr_nest_end(nlh, peer);
}

int
link_add_veth(struct nl *nl, const struct link_veth *req, struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, req->name);
	if (req->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, req->mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	put_veth_peer(nlh, req);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	if (nl_talk(nl, nlh, NULL, NULL, e) < 0)
		return err_prefix(e, "create veth pair '%s'/'%s'", req->name, req->peer);
	return 0;
}

int
link_add_bridge(struct nl *nl, const char *name, unsigned mtu, struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info;

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	if (nl_talk(nl, nlh, NULL, NULL, e) < 0)
		return err_prefix(e, "create bridge '%s'", name);
	return 0;
}

int
link_del(struct nl *nl, int index, struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = index;
	if (nl_talk(nl, nlh, NULL, NULL, e) < 0)
		return err_prefix(e, "delete link %d", index);
	return 0;
}

/* One RTM_NEWLINK on an existing index; attr 0 means flags only. */
static int
link_change(struct nl *nl, int index, unsigned flags, unsigned change, int attr, unsigned val,
	    struct err *e)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = index;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (attr)
		mnl_attr_put_u32(nlh, attr, val);
	return nl_talk(nl, nlh, NULL, NULL, e);
}

int
link_set_up(struct nl *nl, int index, bool up, struct err *e)
{
	if (link_change(nl, index, up ? IFF_UP : 0, IFF_UP, 0, 0, e) < 0)
		return err_prefix(e, "set link %d %s", index, up ? "up" : "down");
	return 0;
}

int
link_set_mtu(struct nl *nl, int index, unsigned mtu, struct err *e)
{
	if (link_change(nl, index, 0, 0, IFLA_MTU, mtu, e) < 0)
		return err_prefix(e, "set mtu %u on link %d", mtu, index);
	return 0;
}

int
link_set_master(struct nl *nl, int index, int master, struct err *e)
{
	if (link_change(nl, index, 0, 0, IFLA_MASTER, (unsigned)master, e) < 0)
		return err_prefix(e, "attach link %d to master %d", index, master);
	return 0;
}
