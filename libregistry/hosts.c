/* SPDX-License-Identifier: Apache-2.0 */
/* Per-registry TLS files and mirrors from a certs.d-style hosts directory. */
#include "hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "log.h"
#include "xmem.h"

#define TOML_MAX (256u << 10)

static struct endpoint *
add_ep(struct registry *r, const char *url)
{
	size_t n = strlen(url);
	struct endpoint *ep;

	r->eps = xrealloc(r->eps, (r->neps + 1) * sizeof(*r->eps));
	ep = &r->eps[r->neps++];
	memset(ep, 0, sizeof(*ep));
	while (n > 0 && url[n - 1] == '/')
		n--;
	/* containerd's rule: a host URL names the API root unless it already ends in /v2 */
	ep->base = (n >= 3 && !strncmp(url + n - 3, "/v2", 3)) ? xstrndup(url, n)
							       : xasprintf("%.*s/v2", (int)n, url);
	ep->caps = EP_PULL | EP_RESOLVE;
	return ep;
}

static char *
file_if_exists(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);

	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/* The quoted string after '=' (or after the given start); NULL if none. New string. */
static char *
quoted(const char *s)
{
	const char *q = strchr(s, '"'), *end;

	if (!q || !(end = strchr(q + 1, '"')))
		return NULL;
	return xstrndup(q + 1, (size_t)(end - q - 1));
}

/*
 * An endpoint URL: http:// or https://, a host, and no space or control
 * byte (found by fuzz-hosts: "https://" alone became the endpoint "https:/v2").
 */
static bool
valid_url(const char *v)
{
	const char *host;

	if (!strncmp(v, "https://", 8))
		host = v + 8;
	else if (!strncmp(v, "http://", 7))
		host = v + 7;
	else
		return false;
	if (!*host || *host == '/')
		return false;
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || *v == 0x7f)
			return false;
	return true;
}

static unsigned
parse_caps(const char *v)
{
	return (strstr(v, "\"pull\"") ? EP_PULL : 0) | (strstr(v, "\"resolve\"") ? EP_RESOLVE : 0) |
	       (strstr(v, "\"push\"") ? EP_PUSH : 0);
}

static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* "key = true" or "key = false"; -1 for anything else. */
static int
toml_bool(const char *line)
{
	const char *v = strchr(line, '=') + 1;

	v += strspn(v, " \t");
	if (!strncmp(v, "true", 4) && (!v[4] || strchr(" \t#", v[4])))
		return 1;
	if (!strncmp(v, "false", 5) && (!v[5] || strchr(" \t#", v[5])))
		return 0;
	return -1;
}

/* skip_verify, of a mirror or of the server: as containerd, certificates unchecked, and we say so. */
static int
skip_verify(const char *key, bool *slot, const char *url, const char *file, int lineno,
	    struct err *e)
{
	int b = toml_bool(key);

	if (b < 0)
		return err_code(e, "invalid", "%s:%d: skip_verify wants true or false", file,
				lineno);
	*slot = b;
	if (b)
		log_warn("%s:%d: skip_verify: TLS certificates of %s are not verified", file,
			 lineno, url ? url : "the registry");
	return 0;
}

/* One line of hosts.toml; *mirror is the [host."..."] section being read, or NULL. */
static int
toml_line(struct registry *r, char *line, struct endpoint **mirror, struct hosts_server *server,
	  const char *file, int lineno, struct err *e)
{
	_cleanup_free_ char *v = NULL;
	char *key = trim(line);
	size_t klen;

	if (!*key || *key == '#')
		return 0;
	if (!strncmp(key, "[host.", 6)) {
		if (!(v = quoted(key)) || !valid_url(v))
			return err_code(e, "invalid", "%s:%d: bad [host.\"URL\"] section", file,
					lineno);
		*mirror = add_ep(r, v);
		return 0;
	}
	klen = strcspn(key, " =\t");
	if (!strchr(key, '='))
		return err_code(e, "invalid", "%s:%d: expected key = value", file, lineno);
	if (klen == 12 && !strncmp(key, "capabilities", 12) && *mirror) {
		(*mirror)->caps = parse_caps(key);
	} else if (klen == 2 && !strncmp(key, "ca", 2) && *mirror) {
		free((*mirror)->cafile);
		(*mirror)->cafile = quoted(key);
	} else if (klen == 6 && !strncmp(key, "server", 6) && !*mirror) {
		free(server->url);
		server->url = quoted(key);
		if (!server->url || !valid_url(server->url))
			return err_code(e, "invalid", "%s:%d: bad server URL", file, lineno);
	} else if (klen == 11 && !strncmp(key, "skip_verify", 11)) {
		return *mirror
			   ? skip_verify(key, &(*mirror)->skip_verify, (*mirror)->base, file,
					 lineno, e)
			   : skip_verify(key, &server->skip_verify, server->url, file, lineno, e);
	} else {
		log_warn("%s:%d: ignoring unsupported setting '%.*s'", file, lineno, (int)klen,
			 key);
	}
	return 0;
}

int
hosts_parse_toml(struct registry *r, char *buf, const char *file, struct hosts_server *server,
		 struct err *e)
{
	struct endpoint *mirror = NULL;
	char *next = buf, *line;
	int lineno = 0;

	/* strsep, not strtok: an empty line counts, so errors name the right one */
	while ((line = strsep(&next, "\n")))
		if (toml_line(r, line, &mirror, server, file, ++lineno, e) < 0)
			return -1;
	return 0;
}

static int
read_toml(struct registry *r, const char *path, struct hosts_server *server, struct err *e)
{
	_cleanup_free_ char *buf = NULL;

	if (fdio_read_file_at(AT_FDCWD, path, TOML_MAX, &buf, NULL, e) < 0)
		return e->sys == ENOENT ? 0 : -1;
	return hosts_parse_toml(r, buf, path, server, e);
}

int
hosts_load(struct registry *r, const char *dir, const char *domain, const char *deflt,
	   bool try_plain, struct err *e)
{
	_cleanup_free_ char *hdir = NULL, *toml = NULL, *alt = NULL;
	struct hosts_server server = {0};
	struct endpoint *ep;
	struct stat sb;

	if (dir) {
		hdir = xasprintf("%s/%s", dir, domain);
		/* "host:port" is not a valid file name everywhere; accept "host_port" too */
		if (stat(hdir, &sb) < 0 && strchr(domain, ':')) {
			alt = xstrdup(hdir);
			*strrchr(alt, ':') = '_';
			if (stat(alt, &sb) == 0) {
				free(hdir);
				hdir = steal_ptr(alt);
			}
		}
		toml = xasprintf("%s/hosts.toml", hdir);
		if (read_toml(r, toml, &server, e) < 0) {
			free(server.url);
			return -1;
		}
	}
	ep = add_ep(r, server.url ? server.url : deflt);
	ep->try_plain = try_plain && !server.url;
	ep->skip_verify = server.skip_verify;
	free(server.url);
	ep->caps |=
	    EP_PUSH; /* mirrors are for pulls unless they say "push"; the server takes all */
	if (hdir) {
		ep->cafile = file_if_exists(hdir, "ca.crt");
		ep->cert = file_if_exists(hdir, "client.cert");
		ep->key = file_if_exists(hdir, "client.key");
	}
	return 0;
}
