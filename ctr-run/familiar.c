/* SPDX-License-Identifier: Apache-2.0 */
/* create's and run's flags with their docker/podman meaning: -e VAR, --env-file, -v, --tmpfs, --device, -p. */
#include "familiar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cleanup.h"
#include "fdio.h"
#include "xmem.h"

#define ENV_FILE_MAX (1u << 20)

static void
push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* kv, which a keeps until create_args_release. */
static void
add_owned(struct create_args *a, char *kv)
{
	push(&a->so.env, &a->so.nenv, create_args_keep(a, kv));
}

int
familiar_env(struct create_args *a, const char *arg, struct err *e)
{
	const char *val;

	if (strchr(arg, '=')) {
		push(&a->so.env, &a->so.nenv, (char *)arg);
		return spec_check_env(arg, e);
	}
	if (!*arg)
		return err_code(e, "invalid", "environment entry '' has an empty name");
	/* docker's and podman's -e VAR: the caller's value, or nothing when unset */
	if ((val = getenv(arg)))
		add_owned(a, xasprintf("%s=%s", arg, val));
	return 0;
}

int
familiar_env_file(struct create_args *a, const char *path, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, n = 0;
	char *save = NULL;

	if (fdio_read_file_at(AT_FDCWD, path, ENV_FILE_MAX, &buf, &len, e) < 0)
		return err_prefix(e, "--env-file");
	if (memchr(buf, '\0', len))
		return err_code(e, "invalid", "--env-file '%s': not a text file", path);
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		n++;
		l[strcspn(l, "\r")] = '\0';
		l += strspn(l, " \t");
		if (!*l || *l == '#')
			continue;
		if (strchr(l, '=') ? spec_check_env(l, e) < 0 : familiar_env(a, l, e) < 0)
			return err_prefix(e, "--env-file '%s' line %zu", path, n);
		if (strchr(l, '='))
			add_owned(a, xstrdup(l));
	}
	return 0;
}

int
familiar_mount_add(struct spec_opts *so, struct spec_mount *m, struct err *e)
{
	struct stat st;

	if (!m->tmpfs && stat(m->src, &st) < 0) {
		err_set(e, errno, "bind source '%s'", m->src);
		spec_mount_release(m);
		return -1;
	}
	so->mounts = xrealloc(so->mounts, (so->nmounts + 1) * sizeof(*m));
	so->mounts[so->nmounts++] = *m;
	memset(m, 0, sizeof(*m));
	return 0;
}

/* DST of -v or --tmpfs: absolute, no "..". */
static int
check_dst(const char *opt, const char *dst, struct err *e)
{
	if (dst[0] != '/')
		return err_code(e, "invalid",
				"%s: '%.64s' is not an absolute path in the container", opt, dst);
	return spec_check_cwd(dst, e) < 0 ? err_prefix(e, "%s", opt) : 0;
}

/* "a,b" of -v and --tmpfs as the ':' list of a mount's options; NULL for none. */
static char *
options_of(const char *s)
{
	char *o;

	if (!s || !*s)
		return NULL;
	o = xstrdup(s);
	for (char *p = o; *p; p++)
		if (*p == ',')
			*p = ':';
	return o;
}

int
familiar_volume(struct spec_opts *so, const char *arg, struct err *e)
{
	const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct spec_mount m = {0};

	if (arg[0] != '/')
		return err_code(
		    e, "invalid",
		    "-v '%.64s': want /HOST/PATH:/PATH[:ro] (named volumes are a higher "
		    "layer's; use a host directory)",
		    arg);
	if (!c1)
		return err_code(e, "invalid", "-v '%.64s': want /HOST/PATH:/PATH[:ro]", arg);
	m.src = xstrndup(arg, (size_t)(c1 - arg));
	m.dst = c2 ? xstrndup(c1 + 1, (size_t)(c2 - c1 - 1)) : xstrdup(c1 + 1);
	m.options = options_of(c2 ? c2 + 1 : NULL);
	if (check_dst("-v", m.dst, e) < 0) {
		spec_mount_release(&m);
		return -1;
	}
	return familiar_mount_add(so, &m, e);
}

int
familiar_tmpfs(struct spec_opts *so, const char *arg, struct err *e)
{
	const char *c = strchr(arg, ':');
	struct spec_mount m = {.tmpfs = true};

	m.dst = c ? xstrndup(arg, (size_t)(c - arg)) : xstrdup(arg);
	m.options = options_of(c ? c + 1 : NULL);
	if (check_dst("--tmpfs", m.dst, e) < 0) {
		spec_mount_release(&m);
		return -1;
	}
	return familiar_mount_add(so, &m, e);
}

int
familiar_publish(const char *arg, struct err *e)
{
	return err_code(e, "usage",
			"-p '%.32s': port publishing is a higher layer's job: use CNI's portmap "
			"plugin (--net cni:NAME) or the host's firewall",
			arg);
}

/* "rwm" or a part of it, each letter once. */
static bool
is_access(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!strchr("rwm", *p) || strchr(p + 1, *p))
			return false;
	return *s != '\0';
}

int
familiar_device(struct spec_opts *so, const char *arg, struct err *e)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	char *host = copy, *dst = NULL, *access = NULL, *c;
	struct spec_device d = {0};
	struct stat st;

	if ((c = strchr(host, ':'))) {
		*c++ = '\0';
		if (is_access(c)) {
			access = c;
		} else {
			dst = c;
			if ((c = strchr(dst, ':'))) {
				*c++ = '\0';
				access = c;
			}
		}
	}
	if (host[0] != '/' || (dst && check_dst("--device", dst, e) < 0) ||
	    (access && !is_access(access)))
		return err_code(e, "invalid", "--device '%.64s': want /dev/X[:/PATH][:rwm]", arg);
	if (stat(host, &st) < 0)
		return err_set(e, errno, "--device '%.64s'", host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return err_code(e, "invalid", "--device '%.64s': not a device node", host);
	d.path = xstrdup(dst ? dst : host);
	d.type = S_ISCHR(st.st_mode) ? 'c' : 'b';
	d.major = major(st.st_rdev);
	d.minor = minor(st.st_rdev);
	d.mode = st.st_mode & 07777;
	snprintf(d.access, sizeof(d.access), "%s", access ? access : "rwm");
	so->devices = xrealloc(so->devices, (so->ndevices + 1) * sizeof(d));
	so->devices[so->ndevices++] = d;
	return 0;
}
