/* SPDX-License-Identifier: Apache-2.0 */
/* One layer applied in a child process narrowed to the snapshot: chroot, no fds, seccomp. */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"

struct report {
	int ok;
	struct apply_result res;
	struct err err;
};

/* What an applier never needs: a bug exploited in a decoder can do none of it. */
static const int denied[] = {
    SCMP_SYS(execve),
    SCMP_SYS(execveat),
    SCMP_SYS(ptrace),
    SCMP_SYS(mount),
    SCMP_SYS(umount2),
    SCMP_SYS(pivot_root),
    SCMP_SYS(chroot),
    SCMP_SYS(setns),
    SCMP_SYS(unshare),
    SCMP_SYS(clone3),
    SCMP_SYS(fork),
    SCMP_SYS(vfork),
    SCMP_SYS(socket),
    SCMP_SYS(socketpair),
    SCMP_SYS(connect),
    SCMP_SYS(bind),
    SCMP_SYS(open_by_handle_at),
    SCMP_SYS(name_to_handle_at),
    SCMP_SYS(init_module),
    SCMP_SYS(finit_module),
    SCMP_SYS(delete_module),
    SCMP_SYS(kexec_load),
    SCMP_SYS(kexec_file_load),
    SCMP_SYS(bpf),
    SCMP_SYS(keyctl),
    SCMP_SYS(add_key),
    SCMP_SYS(request_key),
    SCMP_SYS(perf_event_open),
    SCMP_SYS(process_vm_writev),
    SCMP_SYS(process_vm_readv),
    SCMP_SYS(reboot),
    SCMP_SYS(swapon),
    SCMP_SYS(swapoff),
    SCMP_SYS(fsopen),
    SCMP_SYS(fsmount),
    SCMP_SYS(move_mount),
    SCMP_SYS(open_tree),
    SCMP_SYS(setuid),
    SCMP_SYS(setgid),
    SCMP_SYS(setresuid),
    SCMP_SYS(setresgid),
    SCMP_SYS(setgroups),
};

static int
install_seccomp(struct err *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = 0;

	if (!ctx)
		return err_set(e, ENOMEM, "seccomp_init");
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]) && !rc; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc ? err_set(e, -rc, "seccomp") : 0;
}

int
worker_narrow(int rootfd, struct err *e)
{
	/*
	 * The snapshot becomes "/": an absolute path or a ".." that slipped
	 * past the resolver still lands inside it. Then seccomp, so the
	 * chroot cannot be undone nor anything else reached.
	 */
	if (fchdir(rootfd) < 0 || chroot(".") < 0)
		return err_set(e, errno, "chroot into the snapshot");
	return install_seccomp(e);
}

/* Only the three fds the child needs survive, as 3, 4 and 5: no directory outside the root. */
static int
keep_fds(struct worker *w, int wfd)
{
	int fds[3] = {w->rootfd, w->layerfd, wfd};

	for (int i = 0; i < 3; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
			return -1;
	for (int i = 0; i < 3; i++)
		if (dup3(fds[i], 3 + i, O_CLOEXEC) < 0)
			return -1;
	return close_range(6, ~0u, 0);
}

__attribute__((noreturn)) static void
child(struct worker *w, int wfd, pid_t parent)
{
	struct report rep = {0};

	/* we die with the unpack that started us, also when it died before this line */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(3);
	signal(SIGPIPE, SIG_DFL);
	umask(0); /* modes come from the layer: created right, most need no chmod */
	if (keep_fds(w, wfd) < 0) {
		err_set(&rep.err, errno, "worker fds");
		_exit(fdio_write_full(wfd, &rep, sizeof(rep)) < 0 ? 2 : 1);
	}
	if (worker_narrow(3, &rep.err) == 0 && apply_layer(3, 4, &w->opts, &rep.res, &rep.err) == 0)
		rep.ok = 1;
	_exit(fdio_write_full(5, &rep, sizeof(rep)) < 0 ? 2 : !rep.ok);
}

int
worker_start(struct worker *w, struct err *e)
{
	pid_t parent = getpid();
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(e, errno, "pipe");
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_set(e, errno, "fork");
	}
	if (w->pid == 0) {
		close(p[0]);
		child(w, p[1], parent);
	}
	close(p[1]);
	w->rfd = p[0];
	return 0;
}

void
worker_finish(struct worker *w, int status)
{
	struct report rep;
	ssize_t n = fdio_read_full(w->rfd, &rep, sizeof(rep));

	close(w->rfd);
	w->rfd = -1;
	w->ok = false;
	if (n == (ssize_t)sizeof(rep)) {
		w->ok = rep.ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
		w->res = rep.res;
		w->err = rep.err;
		return;
	}
	if (WIFSIGNALED(status))
		err_code(&w->err, "system", "layer worker killed by signal %d", WTERMSIG(status));
	else
		err_code(&w->err, "system", "layer worker exited %d without a report",
			 WEXITSTATUS(status));
}
