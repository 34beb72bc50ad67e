/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rm -rf of a tree by a few threads, one directory at a time each: a
 * directory is emptied by whichever thread takes it and removed by the one
 * that removes its last subdirectory. Unlinking is most of gc's time (the
 * kernel frees every page of every file) and the directories of a snapshot
 * are independent, so it spreads over the cores.
 */
#include "du.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmem.h"

#define RM_THREADS_MAX 4
#define DENTS_BUF (64 * 1024)

/* A directory to empty: taken from the stack, opened, listed, removed. */
struct rm_dir {
	struct rm_dir *parent; /* NULL for the top, which the caller removes */
	struct rm_dir *next;   /* in the stack of directories nobody has taken */
	struct rm_dir *all;    /* every one made, freed at the end */
	int fd;		       /* open from when it is taken until it is removed */
	int pending;	       /* its own listing, and its subdirectories not yet removed */
	struct stat st;	       /* when counting */
	char name[];
};

struct rm_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rm_dir *todo, *all;
	int active; /* directories taken, being listed or removed */
	int threads, max;
	pthread_t tid[RM_THREADS_MAX];
	dev_t dev;    /* the top's: a directory elsewhere is a mount point */
	struct du *u; /* NULL: nothing counted, no stat of what d_type names */
	bool failed;
	struct err err; /* the first failure */
};

static void *rm_worker(void *arg);

static bool
is_dot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* d's path from the top into buf; its length, at most len - 1. */
static size_t
rm_path_at(const struct rm_dir *d, char *buf, size_t len)
{
	size_t n = d->parent ? rm_path_at(d->parent, buf, len) : 0;
	int w = snprintf(buf + n, len - n, "%s%s", n ? "/" : "", d->name);

	return w < 0 ? n : n + (size_t)w >= len ? len - 1 : n + (size_t)w;
}

/* The path of d's entry name (NULL: d itself) from the top, for messages. */
static const char *
rm_path(const struct rm_dir *d, const char *name, char *buf, size_t len)
{
	size_t n = rm_path_at(d, buf, len);

	if (name)
		snprintf(buf + n, len - n, "/%s", name);
	return buf;
}

/* Record the first failure (under the lock); every thread then stops. */
static void
rm_fail(struct rm_pool *p, const struct err *e)
{
	if (!p->failed)
		p->err = *e;
	p->failed = true;
	pthread_cond_broadcast(&p->cv);
}

static void
rm_count(struct rm_pool *p, const struct stat *st)
{
	pthread_mutex_lock(&p->mu);
	du_count(p->u, st);
	pthread_mutex_unlock(&p->mu);
}

/* Put subdirectory name of d on the stack; another thread takes it if one can start. */
static void
rm_push(struct rm_pool *p, struct rm_dir *d, const char *name)
{
	size_t n = strlen(name) + 1;
	struct rm_dir *c = xcalloc(1, sizeof(*c) + n);

	memcpy(c->name, name, n);
	c->parent = d;
	c->fd = -1;
	c->pending = 1;
	pthread_mutex_lock(&p->mu);
	c->all = p->all, p->all = c;
	c->next = p->todo, p->todo = c;
	d->pending++;
	/* no more tries once one failed: under ctr-unpack's seccomp filter (clone3) all would */
	if (p->threads < p->max) {
		if (pthread_create(&p->tid[p->threads], NULL, rm_worker, p) == 0)
			p->threads++;
		else
			p->max = p->threads;
	}
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* One entry of d: a subdirectory goes on the stack, anything else is unlinked. */
static int
rm_entry(struct rm_pool *p, struct rm_dir *d, const char *name, unsigned char type, struct err *e)
{
	char path[4096];
	struct stat st;

	if (type == DT_UNKNOWN || p->u) {
		if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? 0
					       : err_set(e, errno, "stat '%s'",
							 rm_path(d, name, path, sizeof(path)));
		type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
	}
	if (type != DT_DIR) {
		if (unlinkat(d->fd, name, 0) == 0) {
			if (p->u)
				rm_count(p, &st);
			return 0;
		}
		if (errno == ENOENT)
			return 0;
		/* a directory whose d_type was not believed */
		if (errno != EISDIR || p->u)
			return err_set(e, errno, "unlink '%s'",
				       rm_path(d, name, path, sizeof(path)));
	}
	rm_push(p, d, name);
	return 0;
}

/* Open d (taken from the stack) under its parent; 0 with d->fd -1 if it is gone. */
static int
rm_open(struct rm_pool *p, struct rm_dir *d, struct err *e)
{
	char path[4096];
	struct stat st;

	d->fd = openat(d->parent->fd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->fd < 0)
		return errno == ENOENT
			   ? 0
			   : err_set(e, errno, "open '%s'", rm_path(d, NULL, path, sizeof(path)));
	if (fstat(d->fd, &st) < 0)
		return err_set(e, errno, "stat '%s'", rm_path(d, NULL, path, sizeof(path)));
	/* never descend into a mount point: that would delete someone else's tree */
	if (st.st_dev != p->dev)
		return err_code(e, "busy", "'%s' is a mount point",
				rm_path(d, NULL, path, sizeof(path)));
	d->st = st;
	return 0;
}

/* Unlink what d holds but its subdirectories, which go on the stack. */
static int
rm_list(struct rm_pool *p, struct rm_dir *d, char *buf, struct err *e)
{
	char path[4096];
	ssize_t n;

	if (d->parent && rm_open(p, d, e) < 0)
		return -1;
	while (d->fd >= 0 && (n = getdents64(d->fd, buf, DENTS_BUF)) > 0)
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (!is_dot(de->d_name) && rm_entry(p, d, de->d_name, de->d_type, e) < 0)
				return -1;
		}
	/* ENOENT: another remover (gc, a delete) took the directory meanwhile, as rm_open says */
	return d->fd >= 0 && n < 0 && errno != ENOENT
		   ? err_set(e, errno, "readdir '%s'", rm_path(d, NULL, path, sizeof(path)))
		   : 0;
}

/*
 * d's listing or one of its subdirectories is done (lock held): the last
 * one removes d, and so on up, the top excepted.
 */
static int
rm_done(struct rm_pool *p, struct rm_dir *d, struct err *e)
{
	char path[4096];

	while (d->parent && --d->pending == 0) {
		if (d->fd >= 0) {
			close(d->fd);
			d->fd = -1;
			if (unlinkat(d->parent->fd, d->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
				return err_set(e, errno, "rmdir '%s'",
					       rm_path(d, NULL, path, sizeof(path)));
			if (p->u)
				du_count(p->u, &d->st);
		}
		d = d->parent;
	}
	if (!d->parent)
		d->pending--;
	return 0;
}

static void *
rm_worker(void *arg)
{
	struct rm_pool *p = arg;
	char *buf = xmalloc(DENTS_BUF);
	struct rm_dir *d;
	struct err e;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->failed && !p->todo && p->active)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->failed || !p->todo)
			break;
		d = p->todo;
		p->todo = d->next;
		p->active++;
		pthread_mutex_unlock(&p->mu);
		int r = rm_list(p, d, buf, &e);
		pthread_mutex_lock(&p->mu);
		/* rmdir under the lock: one a directory, few beside the unlinks */
		if (r < 0 || rm_done(p, d, &e) < 0)
			rm_fail(p, &e);
		if (--p->active == 0 && !p->todo)
			pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	free(buf);
	return NULL;
}

/* Threads beside the caller's: one a core, up to RM_THREADS_MAX. */
static int
rm_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > RM_THREADS_MAX ? RM_THREADS_MAX : (int)n;
}

/* Empty directory fd (the top, named name, on device dev). */
static int
rm_tree(struct du *u, int fd, const char *name, dev_t dev, struct err *e)
{
	struct rm_pool p = {.u = u, .dev = dev, .threads = 1, .max = rm_threads()};
	size_t n = strlen(name) + 1;
	struct rm_dir *top = xcalloc(1, sizeof(*top) + n), *d;

	memcpy(top->name, name, n);
	top->fd = fd;
	top->pending = 1;
	p.todo = p.all = top;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	rm_worker(&p);
	for (int i = 1; i < p.threads; i++)
		pthread_join(p.tid[i], NULL);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	while ((d = p.all)) {
		p.all = d->all;
		if (d->fd >= 0 && d != top)
			close(d->fd);
		free(d);
	}
	if (p.failed)
		*e = p.err;
	return p.failed ? -1 : 0;
}

int
du_remove(struct du *u, int dirfd, const char *name, struct err *e)
{
	struct stat parent, st;
	int fd, r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "stat '%s'", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return err_set(e, errno, "unlink '%s'", name);
		if (u)
			du_count(u, &st);
		return 0;
	}
	if (fstat(dirfd, &parent) == 0 && parent.st_dev != st.st_dev)
		return err_code(e, "busy", "'%s' is a mount point", name);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "open '%s'", name);
	r = rm_tree(u, fd, name, st.st_dev, e);
	close(fd);
	if (r < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_set(e, errno, "rmdir '%s'", name);
	if (u)
		du_count(u, &st);
	return 0;
}
