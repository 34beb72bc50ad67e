/* SPDX-License-Identifier: Apache-2.0 */
/* Starting helper programs with an explicit set of inherited descriptors. */
#ifndef CTR_SPAWN_H
#define CTR_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

struct state;

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
	bool pgroup;	 /* a process group of its own, which kill(-pid) reaches whole */
};
/* (an initializer list, which the formatter takes for a block) */
/* clang-format off */
#define SPAWN_OPTS_INIT {-1, -1, -1, -1, false, NULL, false}
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
 * A child fed and heard in full (spawn-capture.c). Set before the call:
 *   in, inlen     its stdin (NULL: /dev/null);
 *   max           the most of its stdout kept (more is read and dropped, too_big set);
 *   timeout_ms    > 0: a child running that long is killed, with the process
 *                 group it gets for that, and timed_out set;
 *   inherit_err   its stderr is ours; else each line of it goes to
 *                 on_err_line (when set) and the last one to errline.
 * Filled by the call: out (new, NUL-ended, outlen bytes), errline (new, "" when
 * none), timed_out, too_big. Release with spawn_io_release.
 */
struct spawn_io {
	const char *in;
	size_t inlen, max;
	int timeout_ms;
	bool inherit_err;
	void (*on_err_line)(void *ctx, const char *line, size_t n);
	void *ctx;
	char *out, *errline;
	size_t outlen;
	bool timed_out, too_big;
};
/* Run argv (looked up in $PATH) as io says; returns its status as spawn_wait does, or -1. */
int spawn_capture(char *const argv[], struct spawn_io *io, struct err *e);
void spawn_io_release(struct spawn_io *io);
/*
 * spawn_capture with stdin /dev/null: *out gets its stdout (new string; more
 * than max bytes is an error), *errline the last line of its stderr (new
 * string: a tool of ours says why it failed there). Returns its status as
 * spawn_wait does, or -1.
 */
int spawn_output(char *const argv[], size_t max, char **out, char **errline, struct err *e);
/* spawn_output with input (a C string; NULL: /dev/null) on argv's stdin. */
int spawn_output_input(char *const argv[], const char *input, size_t max, char **out,
		       char **errline, struct err *e);
/*
 * A tool of the suite (name: "ctr-netns") run on a store: spawn_sibling(name,
 * env) with --root st->root --state st->run -n NS (ns, or st->ns when NULL),
 * then args (NULL-ended), fed and heard as io says (spawn_capture). Returns its
 * exit status (io->out has its stdout), or -1 with e set ("system") when it
 * could not be run, ran past io->timeout_ms or printed more than io->max. A
 * status but 0 fills e with the tool's reason: the code and message of its
 * --json error document (the last line of its stdout) when it printed one,
 * else its last line of stderr without "PROG: fatal: " (code "invalid" for
 * status 100, "negative" for 1, else "system"). Release io with
 * spawn_io_release.
 */
int spawn_tool(const struct state *st, const char *ns, const char *name, const char *env,
	       const char *const *args, struct spawn_io *io, struct err *e);
/*
 * The helper program name (say "ctr-shim") for argv[0]: $env when that is
 * set and not empty, else name in the directory of our own binary when it
 * is executable there, else name itself (spawn_start looks it up in $PATH).
 * env may be NULL. New string.
 */
char *spawn_sibling(const char *name, const char *env);

#endif
