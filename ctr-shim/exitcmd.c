/* SPDX-License-Identifier: Apache-2.0 */
/* --exit-command: run as the shim leaves, at once or once its caller is gone. */
#include "exitcmd.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "shim.h"
#include "spawn.h"
#include "xmem.h"

void
exitcmd_watch(struct shim *s)
{
	_cleanup_free_ char *dir = NULL;

	if (!s->o.exit_after)
		return;
	dir = xasprintf("%s/..", s->o.bundle);
	s->ctr_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	s->after_fd = spawn_pidfd(s->o.exit_after);
	/* our parent when it spawned us: otherwise the pidfd may name a reused pid */
	if (s->after_fd >= 0 && getppid() != s->o.exit_after) {
		close(s->after_fd);
		s->after_fd = -1;
	}
}

static void
start(struct shim *s)
{
	struct spawn_opts so = SPAWN_OPTS_INIT;
	size_t n = s->o.n_exit_args;
	_cleanup_free_ char **argv = xcalloc(n + 3, sizeof(char *));
	struct err e;
	pid_t pid;

	argv[0] = (char *)s->o.exit_cmd;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = s->o.exit_args[i];
	argv[n + 1] = (char *)s->o.id;
	so.setsid = true;
	so.stdin_fd = so.stdout_fd = 0; /* 0 and 1 are /dev/null by now (main.c, exitcmd_run) */
	if (spawn_start(argv, &so, &pid, &e) < 0)
		log_warn("exit command: %s", e.msg);
}

/*
 * Is the container's directory still linked? A removed one has no links;
 * a new container of the same id has a directory of its own, not this one.
 */
static bool
container_left(const struct shim *s)
{
	struct stat sb;

	return s->ctr_dirfd >= 0 && fstat(s->ctr_dirfd, &sb) == 0 && sb.st_nlink > 0;
}

/*
 * The watcher holds nothing of the shim's but what it watches: a listening
 * socket or sync fd kept open here would keep a client that connected just
 * before the shim left waiting for an answer until the caller dies, which is
 * what the watcher waits for.
 */
static void
keep_only(int a, int b)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd = d ? dirfd(d) : -1;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd > 2 && fd != a && fd != b && fd != dfd)
			close(fd);
	}
	closedir(d);
}

void
exitcmd_run(struct shim *s)
{
	struct pollfd p = {.fd = s->after_fd, .events = POLLIN};
	pid_t pid;

	if (!s->o.exit_cmd)
		return;
	if (!s->o.exit_after) {
		start(s);
		return;
	}
	/*
	 * The caller (run --rm in the foreground) deletes the container once it
	 * has our exit, which it waits for: a child of ours outlives us and
	 * takes over if the caller dies before the directory is gone.
	 */
	if ((pid = fork()) != 0) {
		if (pid < 0)
			log_warn("fork the exit command's watcher: %m");
		return;
	}
	setsid();
	keep_only(s->after_fd, s->ctr_dirfd);
	/* before the go the caller's stdio is still ours: a reader must not wait on us */
	if ((pid = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(pid, 0);
		dup2(pid, 1);
		close(pid);
	}
	while (s->after_fd >= 0 && poll(&p, 1, -1) < 0)
		;
	if (container_left(s))
		start(s);
	_exit(0);
}
