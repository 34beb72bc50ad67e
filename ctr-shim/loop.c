/* SPDX-License-Identifier: Apache-2.0 */
/* The one epoll loop: signals, reaping, the socket, the PTY, and the way out. */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "control.h"
#include "exec-tty.h"
#include "exitcmd.h"
#include "exitfile.h"
#include "foreground.h"
#include "log.h"
#include "notify.h"
#include "oom.h"
#include "ops.h"
#include "output.h"
#include "rtstderr.h"
#include "runtime.h"
#include "shim.h"
#include "slirp.h"
#include "spawn.h"
#include "tty.h"
#include "xmem.h"

/* How long a stopped shim still tries to hand out what clients are owed. */
#define DRAIN_MS 5000

int
loop_init(struct shim *s, struct err *e)
{
	sigset_t set;

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return err_set(e, errno, "epoll_create1");
	/* blocked here, delivered on the signalfd; spawn_start unblocks them in children */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return err_set(e, errno, "sigprocmask");
	s->sig.kind = W_SIGNAL;
	s->sig.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sig.fd < 0)
		return err_set(e, errno, "signalfd");
	loop_add(s, &s->sig, EPOLLIN);
	return 0;
}

static void
ctl(struct shim *s, int op, struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	if (epoll_ctl(s->epfd, op, w->fd, &ev) < 0 && op != EPOLL_CTL_DEL)
		log_warn("epoll_ctl fd %d: %s", w->fd, strerror(errno));
}

void
loop_add(struct shim *s, struct watch *w, uint32_t events)
{
	ctl(s, EPOLL_CTL_ADD, w, events);
}

void
loop_mod(struct shim *s, struct watch *w, uint32_t events)
{
	ctl(s, EPOLL_CTL_MOD, w, events);
}

void
loop_del(struct shim *s, struct watch *w)
{
	ctl(s, EPOLL_CTL_DEL, w, 0);
}

int
proc_signal(struct proc *p, int sig)
{
	/* the pidfd names our process even if its pid were reused; kill(2) where absent */
	if (p->pidfd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0);
	return kill(p->pid, sig);
}

static struct proc *
proc_by_pid(struct shim *s, pid_t pid)
{
	if (s->init.pid == pid && !s->init.exit)
		return &s->init;
	for (struct proc *p = s->execs; p; p = p->next)
		if (p->pid == pid && !p->exit)
			return p;
	return NULL;
}

void
loop_reaped(struct shim *s, struct proc *p, int wstatus)
{
	struct err e;
	bool is_init = p == &s->init;
	_cleanup_free_ char *name =
	    is_init ? xstrdup("exit.json") : xasprintf("exec-%s.json", p->id);

	if (is_init) {
		/* output still in the PTY or the pipes belongs before the exit */
		tty_drain(s);
		output_drain(s);
		rtstderr_drain(s);
	}
	p->exit = exitfile_record(p->pid, wstatus, is_init && oom_killed(s));
	if (!is_init)
		json_object_set_new(p->exit, "id", json_string(p->id));
	/* on disk before anyone hears of it: a reader who missed us still finds it */
	if (exitfile_write(s, name, p->exit, &e) < 0)
		log_warn("%s", e.msg);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
	if (is_init) {
		s->status = CTR_STOPPED;
		slirp_stop(s);
	}
	ops_exited(s, p);
	/* once waiters have their answer (and the OOM counters were read: the cgroup goes) */
	if (is_init && s->o.runtime_delete)
		runtime_delete_start(s);
}

void
loop_reap(struct shim *s)
{
	struct proc *p;
	int wstatus;
	pid_t pid;

	/* as subreaper we also inherit strays; they are reaped and forgotten */
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		if (s->slirp_pid && pid == s->slirp_pid)
			s->slirp_pid = 0;
		else if (s->runtime_pid && pid == s->runtime_pid)
			foreground_exited(s, wstatus);
		else if (s->delete_pid && pid == s->delete_pid)
			s->delete_rc = spawn_status(wstatus);
		else if ((p = proc_by_pid(s, pid)))
			loop_reaped(s, p, wstatus);
	}
}

static void
on_signal(struct shim *s)
{
	struct signalfd_siginfo si;

	while (read(s->sig.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			loop_reap(s);
		} else if (s->status == CTR_RUNNING) {
			/* the shim never leaves a live container: pass the request on */
			log_info("signal %u: passed to the container", si.ssi_signo);
			proc_signal(&s->init, (int)si.ssi_signo);
		}
	}
}

static void
dispatch(struct shim *s, struct watch *w, uint32_t events)
{
	switch (w->kind) {
	case W_SIGNAL:
		on_signal(s);
		break;
	case W_LISTEN:
		control_accept(s);
		break;
	case W_CLIENT:
		control_io(s, (struct client *)w, events);
		break;
	case W_OOM:
		oom_on_event(s);
		break;
	case W_PTY:
		tty_on_master(s, events);
		break;
	case W_STDIN:
		tty_on_stdin(s, events);
		break;
	case W_EXEC_TTY:
		exec_tty_on_event(s, w, events);
		break;
	case W_CALLER:
		tty_on_caller(s);
		break;
	case W_OUTPUT:
		output_on_event(s, w, events);
		break;
	case W_NOTIFY:
		notify_relay_on_event(s);
		break;
	case W_RTSTDERR:
		rtstderr_on_event(s, events);
		break;
	}
}

int
loop_run(struct shim *s)
{
	struct epoll_event evs[16];
	int n, rc = 0;

	for (;;) {
		bool stopped = s->status == CTR_STOPPED;

		control_sweep(s);
		exec_tty_sweep(s);
		if (stopped && control_drained(s))
			break;
		n = epoll_wait(s->epfd, evs, 16, stopped ? DRAIN_MS : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && stopped)
			break; /* a client that will not read must not keep us forever */
		for (int i = 0; i < n; i++)
			dispatch(s, evs[i].data.ptr, evs[i].events);
	}
	/* followers see the end of the output; what `logs` shows stays on disk */
	output_end(s);
	control_close_all(s);
	output_save(s);
	unlinkat(s->dirfd, "shim.sock", 0);
	/* the caller waits for our exit instead of starting the runtime itself */
	if (s->o.runtime_delete && runtime_delete_finish(s) < 0)
		rc = EXIT_SYS;
	exitcmd_run(s);
	return rc;
}
