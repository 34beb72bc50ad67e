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
#include "priv.h"
#include "userns.h"
#include "xmem.h"

static void
set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = xstrdup(src);
}

/* An XDG base directory counts only when absolute (the XDG spec: relative ones are ignored). */
static const char *
xdg_dir(const char *v)
{
	return v && v[0] == '/' ? v : NULL;
}

void
state_user_defaults(const char *data_home, const char *home, const char *runtime_dir, char **root,
		    char **run)
{
	const char *h = home && home[0] == '/' ? home : NULL;

	data_home = xdg_dir(data_home);
	runtime_dir = xdg_dir(runtime_dir);
	*root = data_home ? xasprintf("%s/ctr", data_home)
		: h	  ? xasprintf("%s/.local/share/ctr", h)
			  : NULL;
	*run = runtime_dir ? xasprintf("%s/ctr", runtime_dir) : NULL;
}

/* Defaults by privilege mode; a rootless user's may be NULL, refused by state_open. */
static void
defaults(struct state *st)
{
	if (!priv_rootless()) {
		st->root = xstrdup(STATE_DEFAULT_ROOT);
		st->run = xstrdup(STATE_DEFAULT_RUN);
		return;
	}
	state_user_defaults(getenv("XDG_DATA_HOME"), getenv("HOME"), getenv("XDG_RUNTIME_DIR"),
			    &st->root, &st->run);
}

void
state_init(struct state *st)
{
	const char *v;

	memset(st, 0, sizeof(*st));
	st->rootfd = st->runfd = st->lockfd = -1;
	defaults(st);
	v = getenv("CTR_ROOT");
	if (v && *v)
		set_str(&st->root, v);
	v = getenv("CTR_STATE");
	if (v && *v)
		set_str(&st->run, v);
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

/*
 * A rootless store is ours alone: another user who can write into it could
 * plant links and records that our tools follow with our ids.
 */
static int
check_owner(int fd, const char *dir, const char *what, struct err *e)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return err_set(e, errno, "stat %s directory '%s'", what, dir);
	if (sb.st_uid != geteuid())
		return err_code(e, "permission",
				"%s directory '%s' belongs to uid %u, not to you (%u)", what, dir,
				(unsigned)sb.st_uid, (unsigned)geteuid());
	if (sb.st_mode & 022)
		return err_code(
		    e, "invalid",
		    "%s directory '%s' is writable by others (mode %03o): chmod go-w it", what, dir,
		    (unsigned)(sb.st_mode & 0777));
	return 0;
}

static int
open_top(const char *dir, const char *what, struct err *e)
{
	int fd;

	if (!dir)
		return err_code(
		    e, "invalid", "no %s directory for a rootless user: %s is unset; give %s or %s",
		    what, strcmp(what, "root") ? "XDG_RUNTIME_DIR" : "HOME (or XDG_DATA_HOME)",
		    strcmp(what, "root") ? "--state" : "--root",
		    strcmp(what, "root") ? "CTR_STATE" : "CTR_ROOT");
	if (dir[0] != '/')
		return err_code(e, "invalid", "%s directory '%s' must be an absolute path", what,
				dir);
	if (path_mkdir_p(AT_FDCWD, dir, 0700, e) < 0)
		return err_prefix(e, "%s directory", what);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "open %s directory '%s'", what, dir);
	if (priv_rootless() && check_owner(fd, dir, what, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A namespace is a folder of the state directory ($STATE/NS/ID), beside the
 * state directory's own folders: a namespace of one of their names would
 * have its containers' state directories there, and a create replaces a
 * stale one (ctr-run -n runtime create --name default removed runc's state
 * of every container of namespace default).
 */
static const char *const state_run_own[] = {"runtime", "unpack", "cni", "cri.sock"};

int
state_check_ns(const char *ns, struct err *e)
{
	if (path_check_name(ns, 64, e) < 0)
		return err_prefix(e, "namespace");
	for (size_t i = 0; i < sizeof(state_run_own) / sizeof(state_run_own[0]); i++)
		if (!strcmp(ns, state_run_own[i]))
			return err_code(
			    e, "invalid",
			    "namespace: '%s' is reserved (the state directory's own '%s')", ns, ns);
	return 0;
}

int
state_open(struct state *st, struct err *e)
{
	if (state_check_ns(st->ns, e) < 0)
		return -1;
	if (st->rootfd < 0 && (st->rootfd = open_top(st->root, "root", e)) < 0)
		return -1;
	if (st->runfd < 0 && (st->runfd = open_top(st->run, "state", e)) < 0)
		return -1;
	/* after the checks, so that they name the owners the user knows */
	if (st->userns && userns_ensure(st->userns_nnp, e) < 0)
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
