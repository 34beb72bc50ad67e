/* SPDX-License-Identifier: Apache-2.0 */
/* The state directory: defaults, overrides and the directories inside it. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "path.h"
#include "xmem.h"

static void
set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = xstrdup(src);
}

void
state_init(struct state *st)
{
	const char *v;

	memset(st, 0, sizeof(*st));
	st->rootfd = st->runfd = st->lockfd = -1;
	v = getenv("CTR_ROOT");
	set_str(&st->root, v && *v ? v : STATE_DEFAULT_ROOT);
	v = getenv("CTR_STATE");
	set_str(&st->run, v && *v ? v : STATE_DEFAULT_RUN);
	v = getenv("CTR_NAMESPACE");
	set_str(&st->ns, v && *v ? v : STATE_DEFAULT_NS);
}

void
state_release(struct state *st)
{
	free(st->root);
	free(st->run);
	free(st->ns);
	if (st->rootfd >= 0)
		close(st->rootfd);
	if (st->runfd >= 0)
		close(st->runfd);
	if (st->lockfd >= 0)
		close(st->lockfd);
	st->root = st->run = st->ns = NULL;
	st->rootfd = st->runfd = st->lockfd = -1;
}

void
state_set_root(struct state *st, const char *dir)
{
	set_str(&st->root, dir);
}

void
state_set_run(struct state *st, const char *dir)
{
	set_str(&st->run, dir);
}

void
state_set_ns(struct state *st, const char *ns)
{
	set_str(&st->ns, ns);
}

static int
open_top(const char *dir, const char *what, struct err *e)
{
	int fd;

	if (dir[0] != '/')
		return err_code(e, "invalid", "%s directory '%s' must be an absolute path", what,
				dir);
	if (path_mkdir_p(AT_FDCWD, dir, 0700, e) < 0)
		return err_prefix(e, "%s directory", what);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "open %s directory '%s'", what, dir);
	return fd;
}

int
state_open(struct state *st, struct err *e)
{
	if (path_check_name(st->ns, 64, e) < 0)
		return err_prefix(e, "namespace");
	if (st->rootfd < 0 && (st->rootfd = open_top(st->root, "root", e)) < 0)
		return -1;
	if (st->runfd < 0 && (st->runfd = open_top(st->run, "state", e)) < 0)
		return -1;
	return 0;
}

int
state_dir(const struct state *st, const char *rel, int in_run, struct err *e)
{
	int base = in_run ? st->runfd : st->rootfd;
	int fd;

	if (base < 0)
		return err_code(e, "system", "state directory not opened");
	if (path_mkdir_p(base, rel, 0700, e) < 0)
		return -1;
	fd = openat(base, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(e, errno, "open '%s/%s'", in_run ? st->run : st->root, rel);
	return fd;
}

int
state_lock_store(const struct state *st, int flags, struct err *e)
{
	if (st->rootfd < 0)
		return err_code(e, "system", "state directory not opened");
	return lock_at(st->rootfd, "gc.lock", flags, e);
}

int
state_open_writer(struct state *st, struct err *e)
{
	if (state_open(st, e) < 0)
		return -1;
	/* one lock for the whole run: what we write is garbage until our record names it */
	if (st->lockfd < 0 && (st->lockfd = state_lock_store(st, LOCK_SHARED, e)) < 0)
		return err_prefix(e, "store lock");
	return 0;
}
