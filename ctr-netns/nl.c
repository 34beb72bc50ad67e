/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink requests over libmnl: namespace-bound sockets, acks and extended acks. */
#include "nl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "netns.h"
#include "xmem.h"

/* Dumps of a busy namespace come in batches of up to 32 KiB (iproute2 uses the same). */
#define NL_BUF_SIZE (32u << 10)

static int
nl_open_here(struct nl *nl, struct err *e)
{
	int one = 1;

	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk)
		return err_set(e, errno, "open netlink socket");
	/* ask for the kernel's error text, and for acks without our request copied back */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err_set(e, errno, "bind netlink socket");
		mnl_socket_close(steal_ptr(nl->sk));
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	return 0;
}

int
nl_open(struct nl *nl, int nsfd, struct err *e)
{
	int saved = -1, rc;

	memset(nl, 0, sizeof(*nl));
	nl->seq = (unsigned)getpid() << 8;
	/* a netlink socket stays bound to the namespace it was created in */
	if (nsfd >= 0 && netns_enter(nsfd, &saved, e) < 0)
		return -1;
	rc = nl_open_here(nl, e);
	if (saved >= 0 && netns_leave(&saved, rc < 0 ? NULL : e) < 0 && rc == 0) {
		mnl_socket_close(steal_ptr(nl->sk));
		return -1;
	}
	if (rc == 0)
		nl->buf = xmalloc(NL_BUF_SIZE);
	return rc;
}

void
nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(steal_ptr(nl->sk));
	free(steal_ptr(nl->buf));
}

struct nlmsghdr *
nl_msg(struct nl *nl, int type, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	/*
	 * A dump ends with NLMSG_DONE; everything else must be acked so errors
	 * are seen. The flags themselves cannot tell: NLM_F_DUMP shares bits
	 * with NLM_F_EXCL and NLM_F_REPLACE.
	 */
	nlh->nlmsg_flags = NLM_F_REQUEST | flags | (flags == NLM_F_DUMP ? 0 : NLM_F_ACK);
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

static int
extack_attr(const struct nlattr *a, void *data)
{
	struct nl_reply *r = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(r->extack, sizeof(r->extack), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* The errno of a kernel error code: -4095..-1, anything else is a malformed reply. */
static int
kernel_errno(int code)
{
	return code < 0 && code >= -4095 ? -code : EBADMSG;
}

static int
on_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP;
	/* the TLVs follow our request, unless the kernel capped it to its header */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len < sizeof(struct nlmsghdr)
			   ? 0
			   : err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && mnl_nlmsg_size(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, (unsigned)off, extack_attr, data);
	errno = kernel_errno(err->error);
	return MNL_CB_ERROR;
}

/* A dump that failed part-way says so in NLMSG_DONE's payload. */
static int
on_done(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err = *(const int *)mnl_nlmsg_get_payload(nlh);

		if (err < 0) {
			errno = kernel_errno(err);
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int
on_overrun(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOSPC;
	return MNL_CB_ERROR;
}

static int
on_data(const struct nlmsghdr *nlh, void *data)
{
	struct nl_reply *r = data;

	return r->cb ? r->cb(nlh, r->data) : MNL_CB_OK;
}

struct attr_table {
	const struct nlattr **tb;
	unsigned max;
	const enum mnl_attr_data_type *kinds;
};

static int
table_attr(const struct nlattr *a, void *data)
{
	struct attr_table *t = data;
	unsigned type = mnl_attr_get_type(a);

	if (type > t->max)
		return MNL_CB_OK;
	if (t->kinds[type] != MNL_TYPE_UNSPEC && mnl_attr_validate(a, t->kinds[type]) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = a;
	return MNL_CB_OK;
}

int
nl_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned max,
	 const enum mnl_attr_data_type *kinds)
{
	struct attr_table t = {tb, max, kinds};

	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen ||
	    mnl_attr_parse(nlh, (unsigned)hdrlen, table_attr, &t) < 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/*
 * Does every message of the batch fit in it? libmnl compares a length as an
 * int, so a length of 2^31 or more passes its check and it walks off the
 * buffer; and a message (with its padding) is never split across two
 * reads, so one that runs past the batch is malformed.
 */
static bool
batch_fits(const void *buf, size_t n)
{
	const char *p = buf;

	while (n >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const void *)p;
		size_t len = MNL_ALIGN((size_t)h->nlmsg_len);

		/* libmnl reads attributes up to the aligned end: it must be here too */
		if (h->nlmsg_len < sizeof(*h) || len > n)
			return false;
		if (len == n)
			return true;
		p += len;
		n -= len;
	}
	return n == 0;
}

int
nl_reply_run(struct nl_reply *r, const void *buf, size_t n, unsigned seq, unsigned portid)
{
	/* given an array, libmnl runs no default for the control types it leaves NULL */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
	    [NLMSG_ERROR] = on_error,
	    [NLMSG_DONE] = on_done,
	    [NLMSG_OVERRUN] = on_overrun,
	};

	if (!batch_fits(buf, n)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return mnl_cb_run2(buf, n, seq, portid, on_data, r, ctl, NLMSG_MIN_TYPE);
}

static int
nl_recv(struct nl *nl, unsigned seq, struct nl_reply *r)
{
	int rc;

	do {
		ssize_t n = mnl_socket_recvfrom(nl->sk, nl->buf, NL_BUF_SIZE);

		if (n < 0)
			return -1;
		rc = nl_reply_run(r, nl->buf, (size_t)n, seq, nl->portid);
	} while (rc == MNL_CB_OK);
	return rc < 0 ? -1 : 0;
}

int
nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, struct err *e)
{
	struct nl_reply r = {cb, data, ""};
	unsigned seq = nlh->nlmsg_seq;

	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return err_set(e, errno, "netlink send");
	if (nl_recv(nl, seq, &r) == 0)
		return 0;
	if (r.extack[0])
		return err_set(e, errno, "%s", r.extack);
	return err_set(e, errno, "netlink");
}
