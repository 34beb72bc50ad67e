/* SPDX-License-Identifier: Apache-2.0 */
/* Container records and directories, and what files say about a container's state. */
#include "eventlog.h"
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "cgroup.h"
#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "lock.h"
#include "owner.h"
#include "path.h"
#include "snapshot.h"
#include "spawn.h"
#include "xmem.h"

void
container_init(struct container *c, const struct state *st, const char *id)
{
	memset(c, 0, sizeof(*c));
	c->id = xstrdup(id);
	c->dir = xasprintf("%s/containers/%s/%s", st->root, st->ns, id);
	c->bundle = xasprintf("%s/bundle", c->dir);
	c->rootfs = xasprintf("%s/rootfs", c->bundle);
	c->statedir = xasprintf("%s/%s/%s", st->run, st->ns, id);
	c->runtime_root = xasprintf("%s/runtime/%s", st->run, st->ns);
	c->dirfd = -1;
	c->statefd = -1;
}

void
container_release(struct container *c)
{
	free(c->id);
	free(c->dir);
	free(c->bundle);
	free(c->rootfs);
	free(c->statedir);
	free(c->runtime_root);
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->statefd >= 0)
		close(c->statefd);
	json_decref(c->rec);
	json_decref(c->sync_exit);
	memset(c, 0, sizeof(*c));
	c->dirfd = c->statefd = -1;
}

static int
open_dir(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return err_set(e, errno, "open '%s'", path);
	return fd;
}

int
container_make(struct container *c, const struct state *st, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s", st->ns);
	_cleanup_close_ int nsfd = state_dir(st, rel, 0, e);

	if (nsfd < 0)
		return -1;
	/* mkdir is the atomic claim of the id: two creates of one id cannot both win */
	if (mkdirat(nsfd, c->id, 0700) < 0) {
		if (errno == EEXIST)
			return err_code(e, "exists", "container '%s' already exists", c->id);
		return err_set(e, errno, "mkdir '%s'", c->dir);
	}
	c->dirfd = open_dir(c->dir, e);
	if (c->dirfd < 0)
		return -1;
	if (mkdirat(c->dirfd, "bundle", 0711) < 0 || mkdirat(c->dirfd, "bundle/rootfs", 0755) < 0)
		return err_set(e, errno, "mkdir '%s'", c->rootfs);
	/* a stale state dir of an earlier container of this id (host crash) is replaced */
	_cleanup_free_ char *srel = xasprintf("%s/%s", st->ns, c->id);
	if (path_rm_rf(st->runfd, srel, e) < 0)
		return -1;
	c->statefd = state_dir(st, srel, 1, e);
	return c->statefd < 0 ? -1 : 0;
}

int
container_open(struct container *c, const struct state *st, struct err *e)
{
	_cleanup_free_ char *srel = xasprintf("%s/%s", st->ns, c->id);

	(void)st;
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->dirfd < 0 && errno == ENOENT)
		return err_code(e, "no-container", "no such container '%s'", c->id);
	if (c->dirfd < 0)
		return err_set(e, errno, "open '%s'", c->dir);
	/* the state dir is volatile (tmpfs): after a reboot it is simply gone */
	c->statefd = openat(st->runfd, srel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	c->rec = jsonio_load_at(c->dirfd, "record.json", 1 << 20, e);
	if (!c->rec)
		return err_prefix(e, "container '%s'", c->id);
	return 0;
}

int
container_save(struct container *c, struct err *e)
{
	/*
	 * The record of a run --rm container only matters after a host crash, for
	 * delete -f, which also copes with a missing or torn record (the orphan
	 * path): no fsync for it.
	 */
	int flags = json_is_true(json_object_get(c->rec, "auto_remove")) ? AFILE_NOSYNC : 0;

	return afile_write_json_flags(c->dirfd, "record.json", c->rec, flags, e);
}

int
container_remove_dirs(struct container *c, const struct state *st, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s/%s", st->ns, c->id);
	_cleanup_free_ char *srel = xasprintf("%s/%s", st->ns, c->id);

	if (path_rm_rf(st->runfd, srel, e) < 0)
		return -1;
	/*
	 * Out of sight in one rename, then removed: a gc that meets the
	 * directory meets it whole (its record and lock with it), and a delete
	 * killed half-way leaves .gone-ID, which the next gc finishes.
	 */
	return path_rm_rf_hidden(st->rootfd, rel, e);
}

int
container_lock(struct container *c, struct err *e)
{
	int fd = lock_at(c->dirfd, "lock", 0, e);

	/* "open lock 'lock'" alone does not say whose */
	if (fd < 0)
		err_prefix(e, "container '%s'", c->id);
	return fd;
}

bool
container_shim_alive(const struct container *c, int *pid)
{
	struct err e;
	json_auto_t *j = NULL;
	json_int_t p, st;
	unsigned long long now;

	if (c->statefd < 0 || !(j = jsonio_load_at(c->statefd, "shim.json", 4096, &e)))
		return false;
	if (json_unpack(j, "{s:I, s:I}", "pid", &p, "start_time", &st) < 0 || p <= 0)
		return false;
	if (pid)
		*pid = (int)p;
	/* the same process as the one that wrote it, not one that took its pid since */
	return owner_start_time((pid_t)p, &now) == 0 && now == (unsigned long long)st;
}

char *
container_rootfs_path(const struct container *c)
{
	int pid;

	if (container_shim_alive(c, &pid))
		return xasprintf("/proc/%d/root%s", pid, c->rootfs);
	return xstrdup(c->rootfs);
}

void
container_wait_shim_gone(const struct container *c, int ms)
{
	_cleanup_close_ int fd = -1;
	struct pollfd p;
	int pid;

	if (!container_shim_alive(c, &pid))
		return;
	fd = spawn_pidfd(pid);
	/* checked again: the pidfd must name the shim, not a process that took its pid */
	if (fd < 0 || !container_shim_alive(c, NULL))
		return;
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	poll(&p, 1, ms);
}

json_t *
container_spec(const struct container *c, struct err *e)
{
	_cleanup_close_ int bfd = open(c->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (bfd < 0)
		return err_set(e, errno, "open '%s'", c->bundle), NULL;
	return jsonio_load_at(bfd, "config.json", 4 << 20, e);
}

char *
container_cgroup_rel(const struct container *c, struct err *e)
{
	json_auto_t *spec = container_spec(c, e);
	const char *cg = jsonio_str(json_object_get(spec, "linux"), "cgroupsPath");

	if (!spec)
		return NULL;
	if (!cg)
		return err_code(e, "not-found", "the spec of '%s' names no cgroup", c->id), NULL;
	return xstrdup(cg + strspn(cg, "/"));
}

int
container_cgroup_remove(const struct container *c, struct err *e)
{
	struct err none;
	_cleanup_free_ char *rel = container_cgroup_rel(c, &none);

	/*
	 * runc deletes the group, but not always: its delete fails on a group
	 * still busy and forgets the container all the same, and a runtime
	 * killed between making the group and saving its state never knew it.
	 * Whoever removes the container removes what is left (ctr-state(5)).
	 * No spec: no runtime ran, none was made.
	 */
	return rel ? cgroup_remove(cgroup_root(), rel, e) : 0;
}

const char *
container_stdio(const struct container *c)
{
	static const char *const names[] = {"pipe", "null", "inherit"};
	struct err e;
	json_auto_t *shim =
	    c->statefd < 0 ? NULL : jsonio_load_at(c->statefd, "shim.json", 4096, &e);
	const char *v = jsonio_str(shim, "stdio");

	/* the shim's word first: a run -it that detached is served as pipe from then on */
	if (!v)
		v = jsonio_str(c->rec, "stdio");
	for (size_t i = 0; v && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i]))
			return names[i];
	return "inherit";
}

json_t *
container_exit(const struct container *c)
{
	struct err e;

	if (c->statefd < 0)
		return NULL;
	return jsonio_load_at(c->statefd, "exit.json", 4096, &e);
}

json_t *
container_proc_exit(const struct container *c, const char *exec)
{
	_cleanup_free_ char *name = NULL;
	struct err e;

	if (!exec)
		return container_exit(c);
	if (c->statefd < 0 || strchr(exec, '/'))
		return NULL;
	name = xasprintf("exec-%s.json", exec);
	return jsonio_load_at(c->statefd, name, 4096, &e);
}

enum container_status
container_status(const struct container *c, json_t **exit)
{
	json_t *x = container_exit(c);

	if (x) {
		if (exit)
			*exit = x;
		else
			json_decref(x);
		return CS_STOPPED;
	}
	if (!container_shim_alive(c, NULL)) {
		/* no shim and no exit record: the state dir vanished, or the shim died */
		return CS_UNKNOWN;
	}
	if (faccessat(c->statefd, "paused", F_OK, 0) == 0)
		return CS_PAUSED;
	return faccessat(c->statefd, "started", F_OK, 0) == 0 ? CS_RUNNING : CS_CREATED;
}

const char *
container_status_name(enum container_status s)
{
	static const char *const names[] = {"created", "running", "paused", "stopped", "unknown"};

	return names[s];
}

void
container_mark(const struct container *c, const char *name, bool on)
{
	if (c->statefd < 0)
		return;
	if (on)
		close(openat(c->statefd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	else
		unlinkat(c->statefd, name, 0);
}

void
container_event(const struct container *c, const char *event, const json_t *extra)
{
	/* the namespace's run directory: statedir is $CTR_STATE/<ns>/<id> */
	_cleanup_free_ char *nsdir = xstrdup(c->statedir);
	json_auto_t *ev = json_pack("{s:s}", "event", event);
	char *slash = strrchr(nsdir, '/');

	if (!slash)
		return;
	*slash = 0;
	if (extra)
		json_object_update_missing(ev, (json_t *)extra);
	eventlog_append(nsdir, c->id, ev);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *
container_list(const struct state *st, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s", st->ns);
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = state_dir(st, rel, 0, e);
	json_t *out;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		xgrow((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (n) /* names is NULL in an empty namespace */
		qsort(names, n, sizeof(*names), cmp_str);
	out = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(out, json_string(names[i]));
		free(names[i]);
	}
	return out;
}

char *
container_snapshot_key(const struct state *st, const char *id)
{
	return snapshot_container_key(st->ns, id);
}

char *
container_random_id(void)
{
	unsigned char b[8];
	char *s = xmalloc(2 * sizeof(b) + 1);

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		abort(); /* never fails for 8 bytes once the pool is up */
	for (size_t i = 0; i < sizeof(b); i++)
		sprintf(s + 2 * i, "%02x", b[i]);
	return s;
}
