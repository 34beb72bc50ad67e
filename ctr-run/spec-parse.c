/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing option values for the spec: bind and tmpfs mounts, sizes, CPU counts. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "spec.h"
#include "xmem.h"

static int
check_dest(const char *dst, struct err *e)
{
	if (spec_check_cwd(dst, e) < 0)
		return err_prefix(e, "mount destination");
	return 0;
}

/* Append option t to m's ':'-separated list. */
static void
add_option(struct spec_mount *m, const char *t)
{
	char *o = m->options ? xasprintf("%s:%s", m->options, t) : xstrdup(t);

	free(m->options);
	m->options = o;
}

/* One KEY=VALUE (or bare ro/readonly) of --mount into m; false for an unknown one. */
static bool
mount_key(struct spec_mount *m, char *kv, const char **type)
{
	char *v = strchr(kv, '=');

	if (!v) {
		if (strcmp(kv, "ro") && strcmp(kv, "readonly"))
			return false;
		add_option(m, "ro");
		return true;
	}
	*v++ = '\0';
	if (!strcmp(kv, "type"))
		*type = v;
	else if (!strcmp(kv, "src") || !strcmp(kv, "source"))
		free(m->src), m->src = xstrdup(v);
	else if (!strcmp(kv, "dst") || !strcmp(kv, "destination") || !strcmp(kv, "target"))
		free(m->dst), m->dst = xstrdup(v);
	else if (!strcmp(kv, "options"))
		add_option(m, v);
	else if (!strcmp(kv, "tmpfs-size") || !strcmp(kv, "tmpfs-mode")) {
		_cleanup_free_ char *o = xasprintf("%s=%s", kv + 6, v);

		add_option(m, o);
	} else
		return false;
	return true;
}

void
spec_mount_release(struct spec_mount *m)
{
	free(m->src), free(m->dst), free(m->options);
	memset(m, 0, sizeof(*m));
}

int
spec_parse_mount(const char *s, struct spec_mount *m, struct err *e)
{
	_cleanup_free_ char *dup = xstrdup(s);
	char *save = NULL;
	const char *type = NULL;

	memset(m, 0, sizeof(*m));
	for (char *kv = strtok_r(dup, ",", &save); kv; kv = strtok_r(NULL, ",", &save))
		if (!mount_key(m, kv, &type))
			goto bad;
	m->tmpfs = type && !strcmp(type, "tmpfs");
	if (!type || (!m->tmpfs && strcmp(type, "bind")) || !m->dst)
		goto bad;
	if (m->tmpfs ? m->src != NULL : !m->src || m->src[0] != '/')
		goto bad;
	if (check_dest(m->dst, e) == 0)
		return 0;
	spec_mount_release(m);
	return -1;
bad:
	spec_mount_release(m);
	return err_code(e, "invalid",
			"bad --mount '%.80s': want type=bind,src=/ABS,dst=/ABS[,ro] or "
			"type=tmpfs,dst=/ABS[,tmpfs-size=SIZE][,tmpfs-mode=OCTAL]",
			s);
}

int
spec_parse_bytes(const char *s, int64_t *out, struct err *e)
{
	char *end;
	unsigned long long v, mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || s[0] == '-')
		goto bad;
	switch (*end) {
	case 'k':
	case 'K':
		mul = 1ull << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1ull << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1ull << 30;
		end++;
		break;
	case 'b':
	case 'B':
		end++;
		break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v == 0 || v > (unsigned long long)INT64_MAX / mul)
		goto bad;
	*out = (int64_t)(v * mul);
	return 0;
bad:
	return err_code(e, "invalid", "bad size '%.32s' (want N, Nk, Nm or Ng)", s);
}

int
spec_parse_cpus(const char *s, int64_t *quota, struct err *e)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v <= 0 || v > 4096)
		return err_code(e, "invalid", "bad --cpus '%.32s' (want a number like 1.5)", s);
	*quota = (int64_t)(v * 100000.0 + 0.5);
	if (*quota < 1000)
		*quota = 1000; /* the kernel's floor for cpu.cfs_quota_us */
	return 0;
}

/* A decimal integer in [min, max], else -1. */
static int
parse_range(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return end == s || *end || errno || *out < min || *out > max ? -1 : 0;
}

int
spec_parse_shares(const char *s, int64_t *shares, struct err *e)
{
	long long v;

	/* the kernel's MIN_SHARES and MAX_SHARES; outside them it would clamp silently */
	if (parse_range(s, 2, 262144, &v) < 0)
		return err_code(e, "invalid", "bad --cpu-shares '%.32s' (want 2 to 262144)", s);
	*shares = v;
	return 0;
}

int
spec_parse_oom_adj(const char *s, int *adj, struct err *e)
{
	long long v;

	if (parse_range(s, -1000, 1000, &v) < 0)
		return err_code(e, "invalid", "bad --oom-score-adj '%.32s' (want -1000 to 1000)",
				s);
	*adj = (int)v;
	return 0;
}
