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

#endif
