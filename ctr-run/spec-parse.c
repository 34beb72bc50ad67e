/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing option values for the spec: bind mounts, sizes, CPU counts. */
#include <errno.h>
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

int
spec_parse_mount(const char *s, struct spec_mount *m, struct err *e)
{
	_cleanup_free_ char *dup = xstrdup(s);
	char *save = NULL, *type = NULL;

	memset(m, 0, sizeof(*m));
	for (char *kv = strtok_r(dup, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');

		if (!v)
			goto bad;
		*v++ = '\0';
		if (!strcmp(kv, "type"))
			type = v;
		else if (!strcmp(kv, "src") || !strcmp(kv, "source"))
			free(m->src), m->src = xstrdup(v);
		else if (!strcmp(kv, "dst") || !strcmp(kv, "destination") || !strcmp(kv, "target"))
			free(m->dst), m->dst = xstrdup(v);
		else if (!strcmp(kv, "options"))
			free(m->options), m->options = xstrdup(v);
		else
			goto bad;
	}
	if (!type || strcmp(type, "bind") || !m->src || !m->dst)
		goto bad;
	if (m->src[0] != '/')
		goto bad;
	if (check_dest(m->dst, e) == 0)
		return 0;
	free(m->src), free(m->dst), free(m->options);
	memset(m, 0, sizeof(*m));
	return -1;
bad:
	free(m->src), free(m->dst), free(m->options);
	memset(m, 0, sizeof(*m));
	return err_code(e, "invalid",
			"bad --mount '%.80s': want type=bind,src=/ABS,dst=/ABS[,options=ro:rbind]",
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
