/* SPDX-License-Identifier: Apache-2.0 */
/* A CNI container's /etc/resolv.conf and /etc/hosts: their text, their files, their mounts. */
#include "netfiles.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "xmem.h"

#define HOST_RESOLV "/etc/resolv.conf"
#define TEXT_MAX (64u << 10)
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-."

void
netfiles_opts_release(struct netfiles_opts *o)
{
	free(o->dns);
	free(o->search);
	free(o->hosts);
	memset(o, 0, sizeof(*o));
}

/* Append printf-style text to the string *s (NULL: empty). */
__attribute__((format(printf, 2, 3))) static void
add(char **s, const char *fmt, ...)
{
	size_t old = *s ? strlen(*s) : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*s = xrealloc(*s, old + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(*s + old, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

static void
push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static bool
is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool
is_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 253 && strspn(s, NAME_CHARS) == n;
}

int
netfiles_add_dns(struct netfiles_opts *o, const char *ip, struct err *e)
{
	if (!is_ip(ip))
		return err_code(e, "invalid", "--dns '%.64s': want an IPv4 or IPv6 address", ip);
	push(&o->dns, &o->ndns, ip);
	o->any = true;
	return 0;
}

int
netfiles_add_search(struct netfiles_opts *o, const char *domain, struct err *e)
{
	if (strcmp(domain, ".") && !is_name(domain))
		return err_code(e, "invalid", "--dns-search '%.64s': want a domain name, or '.'",
				domain);
	push(&o->search, &o->nsearch, domain);
	o->any = true;
	return 0;
}

int
netfiles_add_host(struct netfiles_opts *o, const char *entry, struct err *e)
{
	const char *colon = strchr(entry, ':');
	_cleanup_free_ char *name = colon ? xstrndup(entry, (size_t)(colon - entry)) : NULL;

	if (!colon || !is_name(name) || !is_ip(colon + 1))
		return err_code(e, "invalid", "--add-host '%.64s': want NAME:IP", entry);
	push(&o->hosts, &o->nhosts, entry);
	o->any = true;
	return 0;
}

/* Each string of key's array in every result's dns, appended to out as "PREFIX VALUE\n". */
static void
from_results(char **out, const json_t *results, const char *key, const char *prefix, size_t *n)
{
	size_t i, j;
	json_t *r, *v;

	json_array_foreach(results, i, r) {
		json_t *dns = json_object_get(json_object_get(r, "result"), "dns");

		json_array_foreach(json_object_get(dns, key), j, v)
			if (json_is_string(v) && strspn(json_string_value(v), NAME_CHARS ":") ==
						     strlen(json_string_value(v))) {
				add(out, "%s %s\n", prefix, json_string_value(v));
				(*n)++;
			}
	}
}

/* The host's lines starting with word (without 127.x and ::1 nameservers). */
static void
from_host(char **out, const char *host, const char *word, size_t *n)
{
	_cleanup_free_ char *copy = xstrdup(host ? host : "");
	size_t len = strlen(word);
	char *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *v = l + len + strspn(l + len, " \t");

		if (strncmp(l, word, len) || (l[len] != ' ' && l[len] != '\t'))
			continue;
		if (!strcmp(word, "nameserver") && (!strncmp(v, "127.", 4) || !strcmp(v, "::1")))
			continue;
		add(out, "%s\n", l);
		(*n)++;
	}
}

static void
search_line(char **out, const char *host, const json_t *results, const struct netfiles_opts *o)
{
	size_t n = 0;

	if (o->nsearch) {
		if (strcmp(o->search[0], ".")) {
			add(out, "search");
			for (size_t i = 0; i < o->nsearch; i++)
				add(out, " %s", o->search[i]);
			add(out, "\n");
		}
		return;
	}
	from_results(out, results, "search", "search", &n);
	if (!n)
		from_host(out, host, "search", &n);
	if (!n)
		from_host(out, host, "domain", &n);
}

char *
netfiles_resolv(const char *host, const json_t *results, const struct netfiles_opts *o)
{
	char *text = NULL, **out = &text;
	size_t n = 0;

	search_line(out, host, results, o);
	for (size_t i = 0; i < o->ndns; i++, n++)
		add(out, "nameserver %s\n", o->dns[i]);
	if (!n)
		from_results(out, results, "nameservers", "nameserver", &n);
	if (!n)
		from_host(out, host, "nameserver", &n);
	if (!n) /* nothing left to ask: podman's choice */
		add(out, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	n = 0;
	from_results(out, results, "options", "options", &n);
	if (!n)
		from_host(out, host, "options", &n);
	return text;
}

char *
netfiles_hosts(const json_t *results, const char *hostname, const char *id,
	       const struct netfiles_opts *o)
{
	char *text = NULL, **out = &text;
	size_t i;
	json_t *r;

	add(out, "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
		 "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n");
	for (i = 0; i < o->nhosts; i++) {
		const char *colon = strchr(o->hosts[i], ':');

		add(out, "%s\t%.*s\n", colon + 1, (int)(colon - o->hosts[i]), o->hosts[i]);
	}
	json_array_foreach(results, i, r) {
		json_t *ip =
		    json_array_get(json_object_get(json_object_get(r, "result"), "ips"), 0);
		const char *addr = jsonio_str(ip, "address");
		size_t alen = addr ? strcspn(addr, "/") : 0;

		if (!alen || alen > 45)
			continue;
		add(out, "%.*s\t%s", (int)alen, addr, hostname);
		if (strcmp(hostname, id))
			add(out, " %s", id);
		add(out, "\n");
	}
	return text;
}

/* Does so mount something at dst already (-v, --mount, --tmpfs)? */
static bool
mounted(const struct spec_opts *so, const char *dst)
{
	for (size_t i = 0; i < so->nmounts; i++)
		if (!strcmp(so->mounts[i].dst, dst))
			return true;
	return false;
}

/* Write text to the bundle's name and bind it at dst. */
static int
place(const struct container *c, struct spec_opts *so, const char *name, const char *dst,
      const char *text, struct err *e)
{
	_cleanup_close_ int dfd = open(c->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct spec_mount m = {0};

	if (dfd < 0)
		return err_set(e, errno, "open '%s'", c->bundle);
	if (afile_write_flags(dfd, name, text, strlen(text), 0644, AFILE_NOSYNC, e) < 0)
		return -1;
	m.src = xasprintf("%s/%s", c->bundle, name);
	m.dst = xstrdup(dst);
	so->mounts = xrealloc(so->mounts, (so->nmounts + 1) * sizeof(m));
	so->mounts[so->nmounts++] = m;
	return 0;
}

/* The host's resolver file: systemd-resolved's real one when ours names only its stub. */
static char *
host_resolv(void)
{
	const char *path = getenv("CTR_RESOLV_CONF");
	_cleanup_free_ char *text = NULL;
	char *real = NULL;
	size_t len, n = 0;
	struct err ignored;

	if (!path || !*path)
		path = HOST_RESOLV;
	if (fdio_read_file_at(AT_FDCWD, path, TEXT_MAX, &text, &len, &ignored) < 0)
		return NULL;
	from_host(&real, text, "nameserver", &n);
	free(real);
	if (!n && !strcmp(path, HOST_RESOLV) &&
	    fdio_read_file_at(AT_FDCWD, "/run/systemd/resolve/resolv.conf", TEXT_MAX, &real, &len,
			      &ignored) == 0)
		return real;
	return steal_ptr(text);
}

int
netfiles_setup(const struct container *c, struct spec_opts *so, const json_t *results,
	       const struct netfiles_opts *o, struct err *e)
{
	_cleanup_free_ char *host = NULL, *resolv = NULL, *hosts = NULL;

	if (!mounted(so, "/etc/resolv.conf")) {
		host = host_resolv();
		resolv = netfiles_resolv(host, results, o);
		if (place(c, so, "resolv.conf", "/etc/resolv.conf", resolv, e) < 0)
			return -1;
	}
	if (o->no_hosts || mounted(so, "/etc/hosts"))
		return 0;
	hosts = netfiles_hosts(results, so->hostname ? so->hostname : so->id, so->id, o);
	return place(c, so, "hosts", "/etc/hosts", hosts, e);
}
