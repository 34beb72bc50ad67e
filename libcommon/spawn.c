/* SPDX-License-Identifier: Apache-2.0 */
/* posix_spawn with dup2 file actions: exec errors come back to the caller. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

extern char **environ;

static int
add_dup(posix_spawn_file_actions_t *fa, int fd, int target)
{
	if (fd < 0)
		return 0;
	/* dup2 onto itself would keep O_CLOEXEC set; glibc clears it for that case (2.29+) */
	return posix_spawn_file_actions_adddup2(fa, fd, target);
}

/*
 * Close everything above 2 but keep in the child. O_CLOEXEC covers our own
 * fds, not those we inherited without it (from a shell, from systemd) nor
 * plain pipe()s a caller passes as stdio, whose original numbers would stay
 * open next to the dup2'd copies.
 */
static int
add_closes(posix_spawn_file_actions_t *fa, int keep)
{
	int r;

	if (keep < 3)
		return posix_spawn_file_actions_addclosefrom_np(fa, 3);
	for (int fd = 3; fd < keep; fd++)
		if (fcntl(fd, F_GETFD) >= 0 && (r = posix_spawn_file_actions_addclose(fa, fd)))
			return r;
	return posix_spawn_file_actions_addclosefrom_np(fa, keep + 1);
}

int
spawn_start(char *const argv[], const struct spawn_opts *o, pid_t *pid, struct err *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	sigset_t none, all;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* the child starts with default dispositions and nothing blocked, whatever we did */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	if (o->setsid)
		flags |= POSIX_SPAWN_SETSID;
	posix_spawnattr_setflags(&attr, flags);
	r = add_dup(&fa, o->stdin_fd, 0);
	if (!r)
		r = add_dup(&fa, o->stdout_fd, 1);
	if (!r)
		r = add_dup(&fa, o->stderr_fd, 2);
	if (!r)
		r = add_dup(&fa, o->keep_fd, o->keep_fd);
	if (!r)
		r = add_closes(&fa, o->keep_fd);
	if (!r && o->dir)
		r = posix_spawn_file_actions_addchdir_np(&fa, o->dir);
	if (!r)
		r = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r)
		return err_set(e, r, "run '%s'", argv[0]);
	return 0;
}

int
spawn_wait(pid_t pid, struct err *e)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(e, errno, "wait for process %ld", (long)pid);
	return spawn_status(status);
}

int
spawn_status(int wstatus)
{
	return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

int
spawn_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int
spawn_run(char *const argv[], const struct spawn_opts *o, struct err *e)
{
	pid_t pid;

	if (spawn_start(argv, o, &pid, e) < 0)
		return -1;
	return spawn_wait(pid, e);
}

char *
spawn_sibling(const char *name, const char *env)
{
	const char *v = env ? getenv(env) : NULL;
	char self[PATH_MAX], *slash, *p;
	ssize_t n;

	if (v && *v)
		return xstrdup(v);
	/* the suite installed together: tests and bin/ run the tools they were built with */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			p = xasprintf("%.*s/%s", (int)(slash - self), self, name);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	return xstrdup(name);
}

int
spawn_output(char *const argv[], size_t max, char **out, char **errline, struct err *e)
{
	return spawn_output_input(argv, NULL, max, out, errline, e);
}

int
spawn_output_input(char *const argv[], const char *input, size_t max, char **out, char **errline,
		   struct err *e)
{
	_cleanup_close_ int ifd = input ? memfd_create("spawn-in", MFD_CLOEXEC) : -1;
	_cleanup_close_ int ofd = memfd_create("spawn-out", MFD_CLOEXEC);
	_cleanup_close_ int efd = memfd_create("spawn-err", MFD_CLOEXEC);
	struct spawn_opts o = SPAWN_OPTS_INIT;
	_cleanup_free_ char *err = NULL;
	size_t len;
	char *nl;
	int rc;

	*out = *errline = NULL;
	if (ofd < 0 || efd < 0 || (input && ifd < 0))
		return err_set(e, errno, "memfd_create");
	/* the input goes through a file, not a pipe: a child that reads none of it cannot block us */
	if (input &&
	    (fdio_write_full(ifd, input, strlen(input)) < 0 || lseek(ifd, 0, SEEK_SET) < 0))
		return err_set(e, errno, "spawn input");
	o.stdin_fd = ifd;
	o.stdout_fd = ofd;
	o.stderr_fd = efd;
	if ((rc = spawn_run(argv, &o, e)) < 0)
		return -1;
	if (lseek(ofd, 0, SEEK_SET) < 0 || fdio_read_all(ofd, max, out, &len, e) < 0 ||
	    lseek(efd, 0, SEEK_SET) < 0 || fdio_read_all(efd, 1 << 16, &err, &len, e) < 0)
		return -1;
	/* the last line says why: a tool of ours dies with one */
	while (len && err[len - 1] == '\n')
		err[--len] = 0;
	nl = strrchr(err, '\n');
	*errline = xstrdup(nl ? nl + 1 : err);
	return rc;
}
