/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: rtnetlink replies as ctr-netns reads them (nl_reply_run) with
 * the dump callbacks of link_list, addr_list and route_list, and the
 * formatting of what they gathered. The first byte picks the callback; the
 * rest is one batch of replies as recv() would return it.
 */
#include <linux/netlink.h>

#include "addr.h"
#include "fuzz.h"
#include "link.h"
#include "route.h"

FUZZ_QUIET_INIT

static void
check_links(const struct link_vec *lv)
{
	char mac[3 * sizeof(lv->v->mac)];

	for (size_t i = 0; i < lv->n; i++) {
		if (lv->v[i].maclen > sizeof(lv->v[i].mac) ||
		    strnlen(lv->v[i].name, sizeof(lv->v[i].name)) == sizeof(lv->v[i].name))
			abort();
		inet_format_mac(lv->v[i].mac, lv->v[i].maclen, mac);
	}
}

static void
gather(int which, const void *buf, size_t n)
{
	struct link_vec lv = {0};
	struct addr_vec av = {0};
	struct route_vec rv = {0};
	mnl_cb_t cbs[] = {NULL, link_dump_cb, addr_dump_cb, route_dump_cb};
	void *datas[] = {NULL, &lv, &av, &rv};
	struct nl_reply r = {cbs[which], datas[which], ""};
	const struct nlmsghdr *first = buf;
	char s[INET_STRLEN];

	/* the request's sequence number and port are the first message's, as when we asked */
	nl_reply_run(&r, buf, n, n >= sizeof(*first) ? first->nlmsg_seq : 0,
		     n >= sizeof(*first) ? first->nlmsg_pid : 0);
	if (strnlen(r.extack, sizeof(r.extack)) == sizeof(r.extack))
		abort();
	check_links(&lv);
	for (size_t i = 0; i < av.n; i++)
		inet_format(&av.v[i].p, true, s);
	for (size_t i = 0; i < rv.n; i++) {
		inet_format(&rv.v[i].dst, true, s);
		inet_format(&rv.v[i].gw, false, s);
	}
	free(lv.v);
	free(av.v);
	free(rv.v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf;

	if (size < 1)
		return 0;
	/* exactly the reply's bytes, so that ASan sees any read past them */
	buf = xmalloc(size - 1 ? size - 1 : 1);
	memcpy(buf, data + 1, size - 1);
	gather(data[0] % 4, buf, size - 1);
	free(buf);
	return 0;
}
