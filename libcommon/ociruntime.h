/* SPDX-License-Identifier: Apache-2.0 */
/* Running an OCI runtime binary (runc, crun) and reading why it failed. */
#ifndef CTR_OCIRUNTIME_H
#define CTR_OCIRUNTIME_H

#include <sys/types.h>

#include "err.h"
#include "spawn.h"

/*
 * A runtime and where it keeps its state. dir and dirfd (borrowed, both
 * naming one folder) hold the --log files of calls that name one; they
 * are unused (NULL, -1) by a caller whose calls name none.
 */
struct ociruntime {
	const char *path; /* the binary; a bare name is looked up in $PATH */
	const char *root; /* its --root */
	const char *dir;  /* absolute */
	int dirfd;
};

/*
 * Start "PATH --root ROOT --log DIR/LOG --log-format json ARGS..." with
 * stdio as so says. LOG is removed first, so that only this call's
 * messages are read from it (ociruntime_collect). *pid gets the child.
 */
int ociruntime_start(const struct ociruntime *rt, const char *log, const char *const args[],
		     const struct spawn_opts *so, pid_t *pid, struct err *e);
/*
 * rc, the exit code of a call started with LOG (128+N for a signal N): 0,
 * or -1 with code "runtime" and the runtime's last logged error (runc and
 * crun log {"level":"error","msg":...}), or its status when it logged none,
 * as one line. LOG is removed either way.
 */
int ociruntime_collect(const struct ociruntime *rt, const char *log, int rc, struct err *e);
/*
 * Run "PATH --root ROOT ARGS..." to its end: 0, or -1 with code "runtime".
 * LOG: as ociruntime_start and _collect. NULL: the error is the last line
 * the runtime wrote on its stderr (which so's stderr_fd cannot then
 * name), as "PATH ARGS[0]: LINE".
 */
int ociruntime_run(const struct ociruntime *rt, const char *log, const char *const args[],
		   const struct spawn_opts *so, struct err *e);

#endif
