/* SPDX-License-Identifier: Apache-2.0 */
/* Finding the OCI runtime, warning about old ones, and running its verbs. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "fdio.h"
#include "jsonio.h"
#include "log.h"
#include "ociruntime.h"
#include "spawn.h"
#include "xmem.h"

static bool
is_exec_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

char *
runtime_find(const char *name, struct err *e)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dup =
	    xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	char *save = NULL, *cwd;

	if (!*name)
		return err_code(e, "invalid", "empty runtime name"), NULL;
	if (strchr(name, '/')) {
		if (!is_exec_file(name))
			return err_code(e, "not-found", "runtime '%s' is not an executable file",
					name),
			       NULL;
		if (name[0] == '/')
			return xstrdup(name);
		cwd = getcwd(NULL, 0);
		char *abs = xasprintf("%s/%s", cwd ? cwd : ".", name);
		free(cwd);
		return abs;
	}
	for (char *d = strtok_r(dup, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, name);

		if (d[0] == '/' && is_exec_file(p))
			return p;
		free(p);
	}
	err_code(e, "not-found", "runtime '%s' not found in $PATH", name);
	return NULL;
}

/* Parse "X.Y.Z" at s into a comparable number. */
static long
version_num(const char *s)
{
	unsigned a = 0, b = 0, c = 0;

	if (sscanf(s, "%u.%u.%u", &a, &b, &c) < 2)
		return -1;
	return (long)a * 1000000 + (long)b * 1000 + c;
}

int
runtime_version_fixed(const char *text)
{
	const char *v = strstr(text, "runc version ");
	long n;

	if (!v)
		return 1; /* not runc: we know nothing to warn about */
	n = version_num(v + strlen("runc version "));
	if (n < 0 || n >= 1001012)
		return 1;
	/*
	 * Debian bookworm's 1.1.5+ds1-1+deb12u1 carries the fix as a backport
	 * (DSA-5615-1); Ubuntu's 1.1.7-0ubuntu1~22.04.2 and later too.
	 */
	if (strstr(text, "+deb12u") || strstr(text, "ubuntu1~"))
		return 1;
	return 0;
}

static char *
marker_name(const char *path)
{
	char d[DIGEST_STR_LEN + 1];
	struct stat st;
	_cleanup_free_ char *key = NULL;

	if (stat(path, &st) < 0)
		return NULL;
	key = xasprintf("%s\n%lld\n%lld", path, (long long)st.st_size, (long long)st.st_mtime);
	digest_buf(key, strlen(key), d);
	return xasprintf("runtime/checked-%.16s", digest_hex(d));
}

void
runtime_check_version(const struct state *st, const char *path)
{
	const char *skip = getenv("CTR_RUNTIME_NO_VERSION_CHECK");
	_cleanup_free_ char *marker = marker_name(path), *out = NULL;
	char *argv[] = {(char *)path, "--version", NULL};
	struct spawn_opts o = SPAWN_OPTS_INIT;
	int pfd[2];
	struct err e;
	pid_t pid;

	if ((skip && !strcmp(skip, "1")) || !marker || faccessat(st->runfd, marker, F_OK, 0) == 0)
		return;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return;
	o.stdout_fd = pfd[1];
	o.stderr_fd = pfd[1];
	int r = spawn_start(argv, &o, &pid, &e);
	close(pfd[1]);
	if (r == 0 && fdio_read_all(pfd[0], 64 << 10, &out, NULL, &e) == 0 &&
	    spawn_wait(pid, &e) == 0 && !runtime_version_fixed(out))
		log_warn("%s is older than runc 1.1.12 and may lack the fix for "
			 "CVE-2024-21626 (container escape); upgrade it",
			 path);
	else if (r == 0 && !out)
		spawn_wait(pid, &e);
	close(pfd[0]);
	/* warn once per binary: the marker names its path, size and mtime */
	if (mkdirat(st->runfd, "runtime", 0700) < 0 && errno != EEXIST)
		return;
	close(openat(st->runfd, marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
}

/* argv (NULL-ended) for c's runtime, stdin /dev/null, stdout to out_fd (-1: ours). */
static int
run_argv(const char *runtime, const struct container *c, const char *const *argv, int out_fd,
	 struct err *e)
{
	const struct ociruntime rt = {runtime, c->runtime_root, NULL, -1};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	int r;

	so.stdout_fd = out_fd;
	so.stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	r = ociruntime_run(&rt, NULL, argv, &so, e);
	if (so.stdin_fd >= 0)
		close(so.stdin_fd);
	return r;
}

int
runtime_run(const char *runtime, const struct container *c, const char *const *args, int out_fd,
	    struct err *e)
{
	const char *argv[16];
	size_t n = 0;

	for (; *args && n < sizeof(argv) / sizeof(argv[0]) - 2; args++)
		argv[n++] = *args;
	argv[n++] = c->id;
	argv[n] = NULL;
	return run_argv(runtime, c, argv, out_fd, e);
}

int
runtime_kill(const char *runtime, const struct container *c, int sig, bool all, struct err *e)
{
	char num[16];
	const char *argv[] = {"kill", all ? "--all" : c->id, all ? c->id : num, all ? num : NULL,
			      NULL};

	snprintf(num, sizeof(num), "%d", sig);
	return run_argv(runtime, c, argv, -1, e);
}

json_t *
runtime_json(const char *runtime, const struct container *c, const char *const *args,
	     const char *what, struct err *e)
{
	_cleanup_close_ int fd = memfd_create("runtime-json", MFD_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "memfd_create"), NULL;
	if (runtime_run(runtime, c, args, fd, e) < 0)
		return NULL;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_set(e, errno, "lseek"), NULL;
	return jsonio_load_fd(fd, 1 << 20, what, e);
}

json_t *
runtime_state(const char *runtime, const struct container *c, struct err *e)
{
	static const char *const args[] = {"state", NULL};

	return runtime_json(runtime, c, args, "the runtime's state", e);
}
