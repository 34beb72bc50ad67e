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
	if (o->pgroup) {
		flags |= POSIX_SPAWN_SETPGROUP;
		posix_spawnattr_setpgroup(&attr, 0);
	}
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
	struct spawn_io io = {.in = input, .inlen = input ? strlen(input) : 0, .max = max};
	int rc = spawn_capture(argv, &io, e);

	*out = *errline = NULL;
	if (rc < 0) {
		spawn_io_release(&io);
		return -1;
	}
	if (io.too_big) {
		spawn_io_release(&io);
		return err_code(e, "invalid", "'%s' printed more than %zu bytes", argv[0], max);
	}
	*out = io.out;
	*errline = io.errline;
	return rc;
}
