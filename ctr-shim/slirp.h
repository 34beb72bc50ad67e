/* SPDX-License-Identifier: Apache-2.0 */
/* --slirp4netns: user-mode networking for the container, kept by the shim for its life. */
#ifndef CTR_SHIM_SLIRP_H
#define CTR_SHIM_SLIRP_H

#include "err.h"
#include "shim.h"

/*
 * Attach slirp4netns to the network namespace of the created init (a tap0
 * configured as 10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3) and wait until
 * it is up. It ends when the shim lets go of its exit pipe (slirp_stop, or
 * the shim's own end). Fails with one line naming the problem.
 */
int slirp_attach(struct shim *s, struct err *e);
/* Let slirp4netns go: the container's network ends with its init. */
void slirp_stop(struct shim *s);
/* slirp_stop, then wait for it to leave (killed if it lingers): the shim's last word. */
void slirp_end(struct shim *s);

#endif
