/* SPDX-License-Identifier: Apache-2.0 */
/* One rtnetlink socket, opened inside a chosen network namespace, with acked requests. */
#ifndef CTR_NETNS_NL_H
#define CTR_NETNS_NL_H

#include <libmnl/libmnl.h>

#include "err.h"

/*
 * A NETLINK_ROUTE socket bound to the namespace it was opened in; every
 * request gets its own sequence number. buf holds one request or reply batch.
 */
struct nl {
	struct mnl_socket *sk;
	unsigned portid;
	unsigned seq;
	char *buf;
};

/*
 * Open the socket inside the namespace nsfd (-1: the caller's). The thread
 * enters nsfd just long enough to create the socket, then returns.
 */
int nl_open(struct nl *nl, int nsfd, struct err *e);
void nl_close(struct nl *nl);
/*
 * Start a request of type with flags in nl->buf; returns the header to fill.
 * flags exactly NLM_F_DUMP make a dump; any other request asks for an ack.
 */
struct nlmsghdr *nl_msg(struct nl *nl, int type, int flags);
/*
 * Send nlh and read replies until the kernel's ack (or NLMSG_DONE for a
 * dump), calling cb (may be NULL) on each data message. A kernel error sets e
 * with errno and the extended-ack text when the kernel gave one.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, struct err *e);

/*
 * Fill tb[0..max] with the attributes of nlh that follow its fixed header of
 * hdrlen bytes (later ones win; types above max are skipped). kinds[type],
 * when not MNL_TYPE_UNSPEC, is the shape that type must have. -1 with errno
 * EBADMSG for a message shorter than its header or a misshapen attribute.
 */
int nl_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned max,
	     const enum mnl_attr_data_type *kinds);

/* The state one request's reply parsing needs, including the extended ack text. */
struct nl_reply {
	mnl_cb_t cb;
	void *data;
	char extack[200];
};
/*
 * One batch of replies (buf, n bytes) to request seq of portid, read as
 * nl_talk reads it: MNL_CB_OK when more is to come, MNL_CB_STOP at the ack
 * or the dump's end, MNL_CB_ERROR (errno set, r->extack filled when the
 * kernel explained) on an error or a malformed message.
 */
int nl_reply_run(struct nl_reply *r, const void *buf, size_t n, unsigned seq, unsigned portid);

#endif
