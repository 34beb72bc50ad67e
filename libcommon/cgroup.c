/* SPDX-License-Identifier: Apache-2.0 */
/* A container's cgroup, v1 controllers or the v2 tree: finding its folders, reading its numbers. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

#define V1_N 4
/* The v1 controllers struct cgroup has a folder of, in the order of v1_slots. */
static const char *const v1_names[V1_N] = {"memory", "cpuacct", "pids", "freezer"};

static void
v1_slots(struct cgroup *cg, char **slots[V1_N])
{
	slots[0] = &cg->mem, slots[1] = &cg->cpu, slots[2] = &cg->pids, slots[3] = &cg->freezer;
}

/* want's folder for rel in the hierarchy of controllers (a list, "cpu,cpuacct"), or NULL. */
static char *
v1_path(const char *root, const char *controllers, const char *want, const char *rel)
{
	_cleanup_free_ char *list = xstrdup(controllers);
	char *save = NULL;

	for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (!strcmp(c, want)) {
			/* a co-mounted hierarchy ("cpu,cpuacct") is named by its list */
			char *p = xasprintf("%s/%s%s", root, want, rel);
			if (access(p, F_OK) < 0) {
				free(p);
				p = xasprintf("%s/%s%s", root, controllers, rel);
			}
			return p;
		}
	return NULL;
}

/* Is root a v2 mount (a unified host) rather than a folder of v1 mounts? */
static bool
unified(const char *root)
{
	_cleanup_free_ char *ctl = xasprintf("%s/cgroup.controllers", root);

	return access(ctl, F_OK) == 0;
}

/* One "ID:CONTROLLERS:PATH" line; an empty CONTROLLERS is the v2 tree. */
static void
take_line(struct cgroup *cg, const char *root, char *line)
{
	char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char **slots[V1_N];

	if (!c2)
		return;
	*c1 = *c2 = '\0';
	if (!c1[1] && !cg->v2) {
		/* a hybrid host mounts its v2 tree at root/unified */
		cg->v2 = xasprintf("%s%s%s", root, unified(root) ? "" : "/unified", c2 + 1);
		return;
	}
	v1_slots(cg, slots);
	for (size_t i = 0; i < V1_N; i++)
		if (!*slots[i])
			*slots[i] = v1_path(root, c1 + 1, v1_names[i], c2 + 1);
}

void
cgroup_parse(struct cgroup *cg, const char *root, char *text)
{
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		take_line(cg, root, l);
	/* a hybrid host's v2 tree is empty; v1 controllers hold the numbers then */
	if (cg->v2 && cg->mem) {
		free(cg->v2);
		cg->v2 = NULL;
	}
}

void
cgroup_of_pid(struct cgroup *cg, pid_t pid)
{
	char path[64];
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct err e;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	if (fdio_read_file_at(AT_FDCWD, path, 1u << 16, &buf, &len, &e) == 0)
		cgroup_parse(cg, CGROUP_ROOT, buf);
}

int
cgroup_at(struct cgroup *cg, const char *root, const char *rel, struct err *e)
{
	char **slots[V1_N];
	const char *dir;

	if (unified(root)) {
		dir = cg->v2 = xasprintf("%s/%s", root, rel);
	} else {
		v1_slots(cg, slots);
		for (size_t i = 0; i < V1_N; i++)
			*slots[i] = xasprintf("%s/%s/%s", root, v1_names[i], rel);
		dir = cg->mem;
	}
	if (access(dir, F_OK) == 0)
		return 0;
	err_set(e, errno, "cgroup '%s'", dir);
	cgroup_release(cg);
	return -1;
}

/* rel names a group below the hierarchy's root, not itself or one above it. */
static bool
rel_below(const char *rel)
{
	for (const char *c = rel;; c++) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && !strncmp(c, "..", 2)))
			return false;
		c += n;
		if (!*c)
			return true;
	}
}

/* rmdir of dfd's hierarchy/rel; a group already gone is done. */
static int
remove_in(int dfd, const char *hierarchy, const char *rel, struct err *e)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", hierarchy, rel);

	if (unlinkat(dfd, p, AT_REMOVEDIR) == 0 || errno == ENOENT || errno == ENOTDIR)
		return 0;
	return err_set(e, errno, "remove cgroup '%s'", p);
}

int
cgroup_remove(const char *root, const char *rel, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct err one;
	int r = 0;

	if (!rel_below(rel))
		return err_code(e, "invalid", "cgroup path '%.256s' is not below the root", rel);
	if (unified(root))
		return remove_in(AT_FDCWD, root, rel, e);
	if (!(d = opendir(root)))
		return errno == ENOENT ? 0 : err_set(e, errno, "open '%s'", root);
	while ((de = readdir(d))) {
		/* a link ("cpu" for "cpu,cpuacct") names a hierarchy a folder names too */
		if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) || de->d_name[0] == '.')
			continue;
		if (remove_in(dirfd(d), de->d_name, rel, &one) < 0 && r == 0) {
			*e = one;
			r = -1;
		}
	}
	return r;
}

bool
cgroup_busy(const char *root, const char *rel)
{
	struct cgroup cg = {0};
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	struct err e;
	char c;

	if (!rel_below(rel) || cgroup_at(&cg, root, rel, &e) < 0)
		return false;
	path = xasprintf("%s/cgroup.procs", cg.v2 ? cg.v2 : cg.mem);
	cgroup_release(&cg);
	/* one byte is enough: a pid */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd >= 0 && read(fd, &c, 1) == 1;
}

const char *
cgroup_root(void)
{
	const char *root = getenv("CTR_CGROUP_ROOT");

	return root && *root ? root : CGROUP_ROOT;
}

void
cgroup_release(struct cgroup *cg)
{
	free(cg->mem);
	free(cg->cpu);
	free(cg->pids);
	free(cg->freezer);
	free(cg->v2);
	*cg = (struct cgroup){0};
}

int
cgroup_read_ll(const char *dir, const char *file, const char *key, long long *out)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t len, klen = key ? strlen(key) : 0;
	struct err e;
	char *p;

	if (!dir)
		return -1;
	path = xasprintf("%s/%s", dir, file);
	/* cgroup files are not regular-sized: read with a cap instead of fstat */
	if (fdio_read_file_at(AT_FDCWD, path, 1u << 16, &buf, &len, &e) < 0)
		return -1;
	for (p = buf; key && p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			break;
	if (!p)
		return -1;
	p += klen + (key ? 1 : 0);
	*out = strncmp(p, "max", 3) ? strtoll(p, NULL, 10) : -1;
	return 0;
}

bool
cgroup_frozen(const struct cgroup *cg)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t len;
	struct err e;
	long long v;

	if (cg->v2)
		return cgroup_read_ll(cg->v2, "cgroup.events", "frozen", &v) == 0 && v == 1;
	if (!cg->freezer)
		return false;
	path = xasprintf("%s/freezer.state", cg->freezer);
	if (fdio_read_file_at(AT_FDCWD, path, 64, &buf, &len, &e) < 0)
		return false;
	return !strncmp(buf, "FROZEN", 6) || !strncmp(buf, "FREEZING", 8);
}

/* dir/file (its line key), or CGROUP_NONE. */
static long long
num(const char *dir, const char *file, const char *key)
{
	long long v;

	return cgroup_read_ll(dir, file, key, &v) == 0 ? v : CGROUP_NONE;
}

long long
cgroup_oom_kills(const struct cgroup *cg)
{
	long long n = num(cg->v2, "memory.events", "oom_kill");

	return n != CGROUP_NONE ? n : num(cg->mem, "memory.oom_control", "oom_kill");
}

/* memory.stat's numbers: v1's total_* lines count the sub-cgroups too, as v2's always do. */
static void
memory_stat(const struct cgroup *cg, struct cgroup_stats *st)
{
	const char *dir = cg->v2 ? cg->v2 : cg->mem;
	bool v2 = cg->v2 != NULL;

	st->mem_inactive_file =
	    num(dir, "memory.stat", v2 ? "inactive_file" : "total_inactive_file");
	st->mem_rss = num(dir, "memory.stat", v2 ? "anon" : "total_rss");
	st->pgfault = num(dir, "memory.stat", v2 ? "pgfault" : "total_pgfault");
	st->pgmajfault = num(dir, "memory.stat", v2 ? "pgmajfault" : "total_pgmajfault");
	st->mem_working_set = CGROUP_NONE;
	if (st->mem_usage != CGROUP_NONE && st->mem_inactive_file != CGROUP_NONE)
		st->mem_working_set = st->mem_usage > st->mem_inactive_file
					  ? st->mem_usage - st->mem_inactive_file
					  : 0;
}

void
cgroup_stats(const struct cgroup *cg, struct cgroup_stats *st)
{
	const char *v2 = cg->v2;

	st->version = v2 ? 2 : 1;
	st->mem_usage =
	    v2 ? num(v2, "memory.current", NULL) : num(cg->mem, "memory.usage_in_bytes", NULL);
	st->mem_max_usage =
	    v2 ? num(v2, "memory.peak", NULL) : num(cg->mem, "memory.max_usage_in_bytes", NULL);
	st->mem_limit =
	    v2 ? num(v2, "memory.max", NULL) : num(cg->mem, "memory.limit_in_bytes", NULL);
	st->oom_kills = cgroup_oom_kills(cg);
	st->cpu_ns = v2 ? num(v2, "cpu.stat", "usage_usec") : num(cg->cpu, "cpuacct.usage", NULL);
	if (v2 && st->cpu_ns != CGROUP_NONE)
		st->cpu_ns *= 1000; /* one unit for both versions */
	st->pids = num(v2 ? v2 : cg->pids, "pids.current", NULL);
	st->pids_limit = num(v2 ? v2 : cg->pids, "pids.max", NULL);
	memory_stat(cg, st);
}
