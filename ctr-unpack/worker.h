/* SPDX-License-Identifier: Apache-2.0 */
/* One layer applied in a child process narrowed to the snapshot: chroot, no fds, seccomp. */
#ifndef CTR_UNPACK_WORKER_H
#define CTR_UNPACK_WORKER_H

#include <stdbool.h>
#include <sys/types.h>

#include "apply.h"
#include "err.h"

struct worker {
	int rootfd, layerfd; /* in: the snapshot's tree and the layer stream (not taken) */
	struct apply_opts opts;
	pid_t pid;
	int rfd;		 /* the child's report */
	struct apply_result res; /* out, when ok */
	struct err err;		 /* out, when not */
	bool ok;
};

/* Fork the child that applies w's layer. Returns -1 when it could not start. */
int worker_start(struct worker *w, struct err *e);
/* After the child (w->pid) exited with status: read its report into w. */
void worker_finish(struct worker *w, int status);
/* In-process, for tests and for --jobs 0: the same narrowing minus the fork. */
int worker_narrow(int rootfd, struct err *e);

#endif
