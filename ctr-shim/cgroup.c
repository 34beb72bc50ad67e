/* SPDX-License-Identifier: Apache-2.0 */
/* Finding the container's cgroups (v1 controllers and the v2 tree) and reading numbers from them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "shim.h"
#include "xmem.h"

#define CG "/sys/fs/cgroup"

static char *
v1_path(const char *controllers, const char *want, const char *rel)
{
	_cleanup_free_ char *list = xstrdup(controllers);
	char *save = NULL;

	for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (!strcmp(c, want)) {
			/* a co-mounted hierarchy ("cpu,cpuacct") is named by its list */
			char *p = xasprintf(CG "/%s%s", want, rel);
			if (access(p, F_OK) < 0) {
				free(p);
				p = xasprintf(CG "/%s%s", controllers, rel);
			}
			return p;
		}
	return NULL;
}

/* The v2 mount: /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one. */
static const char *
v2_root(void)
{
	return access(CG "/cgroup.controllers", F_OK) == 0 ? CG : CG "/unified";
}

static void
take_line(struct shim *s, char *line)
{
	char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char **slots[] = {&s->cg.mem, &s->cg.cpu, &s->cg.pids, &s->cg.freezer};
	const char *names[] = {"memory", "cpuacct", "pids", "freezer"};

	if (!c2)
		return;
	*c1 = *c2 = '\0';
	if (!c1[1] && !s->cg.v2) {
		s->cg.v2 = xasprintf("%s%s", v2_root(), c2 + 1);
		return;
	}
	for (size_t i = 0; i < 4; i++)
		if (!*slots[i])
			*slots[i] = v1_path(c1 + 1, names[i], c2 + 1);
}

void
cgroup_find(struct shim *s, pid_t pid)
{
	char path[64];
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct err e;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	if (fdio_read_file_at(AT_FDCWD, path, 1u << 16, &buf, &len, &e) < 0)
		return;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		take_line(s, l);
	/* a hybrid host's v2 tree is empty; v1 controllers hold the numbers then */
	if (s->cg.v2 && s->cg.mem) {
		free(s->cg.v2);
		s->cg.v2 = NULL;
	}
}

/*
 * Read a number from dir/file: the whole file, or the value after "key " on
 * one of its lines when key is set. "max" reads as -1.
 */
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
cgroup_frozen(const struct shim *s)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t len;
	struct err e;
	long long v;

	if (s->cg.v2)
		return cgroup_read_ll(s->cg.v2, "cgroup.events", "frozen", &v) == 0 && v == 1;
	if (!s->cg.freezer)
		return false;
	path = xasprintf("%s/freezer.state", s->cg.freezer);
	if (fdio_read_file_at(AT_FDCWD, path, 64, &buf, &len, &e) < 0)
		return false;
	return !strncmp(buf, "FROZEN", 6) || !strncmp(buf, "FREEZING", 8);
}
