/* SPDX-License-Identifier: Apache-2.0 */
/* Building a container's cgroupsPath from the parent a caller names: checked, slices expanded. */
#include "cgroup-path.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "xmem.h"

static const char name_bytes[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789_.@+=-";

/* One component of a path: not empty, not "." or "..", only name_bytes. */
static int
check_name(const char *s, size_t n, const char *whole, struct err *e)
{
	if (n == 0)
		return err_code(e, "invalid", "--cgroup-parent '%.128s': an empty component",
				whole);
	if ((n == 1 && s[0] == '.') || (n == 2 && !strncmp(s, "..", 2)))
		return err_code(e, "invalid", "--cgroup-parent '%.128s': '.' and '..' are refused",
				whole);
	return 0;
}

static int
parse_path(const char *s, struct cgroup_parent *p, struct err *e)
{
	size_t n = strlen(s);

	/* "/" is the root; a trailing '/' is dropped as runc's filepath.Join does */
	while (n > 1 && s[n - 1] == '/')
		n--;
	for (const char *c = s + 1; c < s + n;) {
		size_t len = strcspn(c, "/");

		if (len > (size_t)(s + n - c))
			len = (size_t)(s + n - c);
		if (check_name(c, len, s, e) < 0)
			return -1;
		c += len + 1;
	}
	p->path = xstrndup(s, n == 1 ? 0 : n);
	p->slice = false;
	return 0;
}

/*
 * systemd's placement of a slice: each '-' opens a level, so a-b-c.slice
 * lives at /a.slice/a-b.slice/a-b-c.slice; -.slice is the root.
 */
static int
parse_slice(const char *s, struct cgroup_parent *p, struct err *e)
{
	size_t n = strlen(s) - strlen(".slice");
	_cleanup_free_ char *out = xstrdup("");

	if (!strcmp(s, "-.slice")) {
		p->path = steal_ptr(out);
		p->slice = true;
		return 0;
	}
	if (check_name(s, n, s, e) < 0)
		return -1;
	if (s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
		return err_code(e, "invalid",
				"--cgroup-parent '%.128s': not a slice name ('-' starts a level: "
				"no leading, trailing or doubled '-')",
				s);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '-')
			continue;
		char *next = xasprintf("%s/%.*s.slice", out, (int)i, s);

		free(out);
		out = next;
	}
	p->path = steal_ptr(out);
	p->slice = true;
	return 0;
}

int
cgroup_parent_parse(const char *s, struct cgroup_parent *p, struct err *e)
{
	size_t n = strlen(s);

	p->path = NULL;
	p->slice = false;
	if (n == 0 || n > CGROUP_PATH_MAX)
		return err_code(e, "invalid", "--cgroup-parent: %s",
				n ? "longer than 2048 bytes" : "empty");
	/* bytes first, so that the lines below may quote s */
	for (size_t i = 0; i < n; i++)
		if (!strchr(name_bytes, s[i]) && s[i] != '/' && s[i] != ':')
			return err_code(e, "invalid",
					"--cgroup-parent: byte %zu (0x%02x) is outside "
					"[A-Za-z0-9_.@+=-]",
					i, (unsigned char)s[i]);
	if (s[0] == '/' && !strchr(s, ':'))
		return parse_path(s, p, e);
	if (strchr(s, ':'))
		return err_code(e, "invalid",
				"--cgroup-parent '%.128s': runc's slice:prefix:name names the "
				"container's own group; give the slice alone (NAME.slice)",
				s);
	if (n > strlen(".slice") && !strchr(s, '/') && !strcmp(s + n - strlen(".slice"), ".slice"))
		return parse_slice(s, p, e);
	return err_code(e, "invalid",
			"--cgroup-parent '%.128s': neither an absolute path nor a systemd slice "
			"(NAME.slice)",
			s);
}

void
cgroup_parent_release(struct cgroup_parent *p)
{
	free(p->path);
	p->path = NULL;
}

char *
cgroup_path_container(const struct cgroup_parent *p, const char *ns, const char *id)
{
	if (!p)
		return xasprintf("/ctr/%s-%s", ns, id);
	if (p->slice)
		return xasprintf("%s/ctr-%s-%s.scope", p->path, ns, id);
	return xasprintf("%s/%s-%s", p->path, ns, id);
}

bool
cgroup_path_within(const char *path, const char *top)
{
	size_t n = strlen(top);

	while (n > 0 && top[n - 1] == '/')
		n--;
	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}
