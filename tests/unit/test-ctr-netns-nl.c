/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of ctr-netns's reply parsing (nl_reply_run and the dump
 * callbacks): malformed replies found by fuzz-ctr-netns-nl are refused with
 * EBADMSG instead of being read past their end.
 */
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "nl.h"
#include "route.h"
#include "tap.h"

#define SEQ 7
#define PORT 99

/* A reply batch being built: messages appended one after the other. */
struct batch {
	_Alignas(4) char buf[1024];
	size_t n;
};

static struct nlmsghdr *
put(struct batch *b, int type, size_t extra)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b->buf + b->n);

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORT;
	mnl_nlmsg_put_extra_header(nlh, extra);
	return nlh;
}

static void
done(struct batch *b, struct nlmsghdr *nlh)
{
	b->n += MNL_ALIGN(nlh->nlmsg_len);
}

/* Run the batch (its first n bytes, copied to a buffer of exactly that size) through the link dump. */
static int
run_links(const struct batch *b, size_t n, struct link_vec *lv)
{
	char *copy = malloc(n);
	struct nl_reply r = {link_dump_cb, lv, ""};
	int rc;

	memcpy(copy, b->buf, n);
	errno = 0;
	rc = nl_reply_run(&r, copy, n, SEQ, PORT);
	free(copy);
	return rc;
}

static void
test_nl_good_link(void)
{
	struct batch b = {0};
	struct link_vec lv = {0};
	struct nlmsghdr *nlh = put(&b, RTM_NEWLINK, sizeof(struct ifinfomsg));

	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index = 3;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1400);
	done(&b, nlh);
	done(&b, put(&b, NLMSG_DONE, sizeof(int)));
	is_int(run_links(&b, b.n, &lv), MNL_CB_STOP, "a link and the dump's end");
	is_int(lv.n, 1, "one link");
	is_str(lv.v[0].name, "eth0", "its name");
	is_int(lv.v[0].mtu, 1400, "its mtu");
	is_int(lv.v[0].index, 3, "its index");
	free(lv.v);
}

/* One malformed reply: what it is, and the batch. */
static void
refused(struct batch *b, size_t n, const char *what)
{
	struct link_vec lv = {0};

	is_int(run_links(b, n, &lv), MNL_CB_ERROR, "%s: refused", what);
	is_int(errno, EBADMSG, "%s: EBADMSG", what);
	free(lv.v);
}

static void
test_nl_malformed(void)
{
	struct batch b = {0};
	struct nlmsghdr *nlh;

	/* libmnl took a length of 2^31 or more as negative and walked off the buffer */
	nlh = put(&b, RTM_NEWLINK, 0);
	nlh->nlmsg_len = 0xfcffff06;
	refused(&b, 16, "length over 2^31");

	memset(&b, 0, sizeof(b));
	nlh = put(&b, RTM_NEWLINK, 4);
	done(&b, nlh);
	refused(&b, b.n, "payload shorter than ifinfomsg");

	memset(&b, 0, sizeof(b));
	nlh = put(&b, RTM_NEWLINK, sizeof(struct ifinfomsg));
	mnl_attr_put(nlh, IFLA_MTU, 1, "x");
	done(&b, nlh);
	refused(&b, b.n, "a 1-byte IFLA_MTU");

	memset(&b, 0, sizeof(b));
	nlh = put(&b, RTM_NEWLINK, sizeof(struct ifinfomsg));
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth0");
	done(&b, nlh);
	refused(&b, b.n, "IFLA_IFNAME without its NUL");

	/* an unaligned length whose padding is not in the batch */
	memset(&b, 0, sizeof(b));
	nlh = put(&b, RTM_NEWLINK, sizeof(struct ifinfomsg));
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, "abcdef");
	nlh->nlmsg_len -= 1;
	refused(&b, nlh->nlmsg_len, "padding past the batch");
}

static void
test_nl_error_codes(void)
{
	struct batch b = {0};
	struct link_vec lv = {0};
	struct nlmsghdr *nlh = put(&b, NLMSG_ERROR, sizeof(struct nlmsgerr));
	struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	err->error = -EEXIST;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr);
	done(&b, nlh);
	is_int(run_links(&b, b.n, &lv), MNL_CB_ERROR, "a kernel error");
	is_int(errno, EEXIST, "its errno");
	/* -INT_MIN was undefined behaviour, a positive code a negative errno */
	err->error = INT_MIN;
	run_links(&b, b.n, &lv);
	is_int(errno, EBADMSG, "error code INT_MIN");
	err->error = 5;
	run_links(&b, b.n, &lv);
	is_int(errno, EBADMSG, "positive error code");
	free(lv.v);
}

static void
test_nl_route_short(void)
{
	struct batch b = {0};
	struct route_vec rv = {0};
	struct nlmsghdr *nlh = put(&b, RTM_NEWROUTE, sizeof(struct rtmsg));
	struct nl_reply r = {route_dump_cb, &rv, ""};

	mnl_attr_put(nlh, RTA_OIF, 2, "ab");
	done(&b, nlh);
	is_int(nl_reply_run(&r, b.buf, b.n, SEQ, PORT), MNL_CB_ERROR, "a 2-byte RTA_OIF refused");
	is_int(rv.n, 0, "no route gathered");
	free(rv.v);
}

int
main(void)
{
	RUN(test_nl_good_link);
	RUN(test_nl_malformed);
	RUN(test_nl_error_codes);
	RUN(test_nl_route_short);
	return tap_done();
}
