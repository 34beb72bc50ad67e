/* SPDX-License-Identifier: Apache-2.0 */
/* Starting helper programs with an explicit set of inherited descriptors. */
#ifndef CTR_SPAWN_H
#define CTR_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/*
 * How the child starts. stdin/stdout/stderr: an fd to dup2 onto 0/1/2, or -1
 * to inherit the caller's. Every other descriptor of ours is O_CLOEXEC, so the
 * child sees 0, 1, 2 and nothing else unless keep_fd names one more (which is
 * passed as itself with its close-on-exec flag cleared in the child).
 */
struct spawn_opts {
	int stdin_fd;
	int stdout_fd;
	int stderr_fd;
	int keep_fd;
	bool setsid;	 /* new session: detached from our terminal and signals */
	const char *dir; /* chdir in the child; NULL to stay */
};
/* (an initializer list, which the formatter takes for a block) */
/* clang-format off */
#define SPAWN_OPTS_INIT {-1, -1, -1, -1, false, NULL}
/* clang-format on */

/* Start argv (argv[0] looked up in $PATH). *pid gets the child. Exec failures are reported here. */
int spawn_start(char *const argv[], const struct spawn_opts *o, pid_t *pid, struct err *e);
/* Wait for pid; returns its exit code, or 128+N for a signal N, or -1. */
int spawn_wait(pid_t pid, struct err *e);
/* A wait status as spawn_wait reports it: the exit code, or 128+N for signal N. */
int spawn_status(int wstatus);
/*
 * A pidfd naming pid (close-on-exec, as pidfd_open always makes it), or -1
 * when pid is gone or the kernel predates pidfd_open (5.3).
 */
int spawn_pidfd(pid_t pid);
/* spawn_start + spawn_wait. */
int spawn_run(char *const argv[], const struct spawn_opts *o, struct err *e);
/*
 * spawn_run with argv's stdout and stderr each into a memory file: *out gets
 * its stdout (new string, at most max bytes), *errline the last line of its
 * stderr (new string: a tool of ours says why it failed there). Returns its
 * status as spawn_wait does, or -1.
 */
int spawn_output(char *const argv[], size_t max, char **out, char **errline, struct err *e);
/* spawn_output with input (a C string, or NULL to inherit ours) on argv's stdin. */
int spawn_output_input(char *const argv[], const char *input, size_t max, char **out,
		       char **errline, struct err *e);
/*
 * The helper program name (say "ctr-shim") for argv[0]: $env when that is
 * set and not empty, else name in the directory of our own binary when it
 * is executable there, else name itself (spawn_start looks it up in $PATH).
 * env may be NULL. New string.
 */
char *spawn_sibling(const char *name, const char *env);

#endif
