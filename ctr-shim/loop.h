/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's one epoll loop: what it watches, reaping children, the way out. */
#ifndef CTR_SHIM_LOOP_H
#define CTR_SHIM_LOOP_H

#include <stdint.h>

#include "err.h"

struct shim;
struct proc;

/* What an epoll event points at: the first member of each watched object. */
enum watch_kind {
	W_SIGNAL,
	W_LISTEN,
	W_CLIENT,
	W_OOM,
	W_PTY,
	W_STDIN,
	W_EXEC_TTY,
	W_OUTPUT,
	W_NOTIFY,
	W_CALLER,
	W_RTSTDERR
};
struct watch {
	enum watch_kind kind;
	int fd;
};

/* The epoll instance and the signalfd (SIGCHLD, SIGTERM, SIGINT, SIGHUP, blocked). */
int loop_init(struct shim *s, struct err *e);
void loop_add(struct shim *s, struct watch *w, uint32_t events);
void loop_mod(struct shim *s, struct watch *w, uint32_t events);
void loop_del(struct shim *s, struct watch *w);
/*
 * Serve until the container has exited and its clients were answered; then
 * the runtime's delete (--runtime-delete) and the exit command. Returns the
 * shim's exit status: 0, or 111 when the runtime's delete failed.
 */
int loop_run(struct shim *s);
/* Reap every child that has exited (the runtime's run, init, exec processes, strays). */
void loop_reap(struct shim *s);
/* Record p's exit (wstatus as from waitpid), tell its waiters; for init, start a delete. */
void loop_reaped(struct shim *s, struct proc *p, int wstatus);
/* Send sig to p through its pidfd (kill(2) without one); -1 with errno. */
int proc_signal(struct proc *p, int sig);

#endif
