/* SPDX-License-Identifier: Apache-2.0 */
/* Registry credentials from flags and auth files, and WWW-Authenticate parsing. */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "credhelper.h"
#include "jsonio.h"
#include "xmem.h"

#define AUTHFILE_MAX (1u << 20)

/* "https://index.docker.io/v1/" -> "index.docker.io": auth file keys come in both forms. */
static bool
key_matches(const char *key, const char *domain)
{
	const char *k = strstr(key, "://") ? strstr(key, "://") + 3 : key;
	size_t n = strcspn(k, "/");

	if (!strcmp(domain, "docker.io") && ((n == 15 && !strncmp(k, "index.docker.io", n)) ||
					     (n == 20 && !strncmp(k, "registry-1.docker.io", n))))
		return true;
	return n == strlen(domain) && !strncmp(k, domain, n);
}

static int
split_creds(const char *s, char **user, char **pass, const char *what, struct err *e)
{
	const char *colon = strchr(s, ':');

	if (!colon || colon == s)
		return err_code(e, "invalid", "%s: credentials are not USER:PASS", what);
	*user = xstrndup(s, (size_t)(colon - s));
	*pass = xstrdup(colon + 1);
	return 0;
}

int
auth_decode(const char *b64, char **user, char **pass, const char *what, struct err *e)
{
	size_t n = strlen(b64);
	_cleanup_free_ char *out = xmalloc(n + 4);
	int len;

	if (n % 4 ||
	    (len = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)b64, (int)n)) < 0)
		return err_code(e, "invalid", "%s: \"auth\" is not base64", what);
	/* EVP_DecodeBlock counts the padding as zero bytes */
	for (size_t i = n; i > 0 && b64[i - 1] == '='; i--)
		len--;
	out[len] = '\0';
	if (strlen(out) != (size_t)len)
		return err_code(e, "invalid", "%s: \"auth\" holds a NUL byte", what);
	return split_creds(out, user, pass, what, e);
}

/* The helper that holds domain's credentials: its credHelpers entry, else credsStore, else NULL. */
static const char *
helper_for(const json_t *doc, const char *domain)
{
	const char *k, *store = jsonio_str(doc, "credsStore");
	json_t *v;

	json_object_foreach(json_object_get(doc, "credHelpers"), k, v)
		if (key_matches(k, domain) && json_is_string(v))
			return json_string_value(v);
	return store && *store ? store : NULL;
}

/* Ask the helper for domain's credentials, under the name docker gives the server. */
static int
from_helper(const char *helper, const char *domain, long helper_secs, char **user, char **pass,
	    const char *path, struct err *e)
{
	const char *server = strcmp(domain, "docker.io") ? domain : "https://index.docker.io/v1/";

	if (credhelper_get(helper, server, helper_secs, user, pass, e) < 0)
		return err_prefix(e, "%s", path);
	return *user ? 1 : 0;
}

/* 1 when path had an entry for domain, 0 when not (or no file), -1 on a bad file. */
static int
from_file(const char *path, const char *domain, long helper_secs, char **user, char **pass,
	  bool must_exist, struct err *e)
{
	json_auto_t *doc = NULL;
	json_t *auths, *v;
	const char *k, *helper;

	doc = jsonio_load_at(AT_FDCWD, path, AUTHFILE_MAX, e);
	if (!doc)
		return (e->sys == ENOENT && !must_exist) ? 0 : err_prefix(e, "auth file");
	if ((helper = helper_for(doc, domain)))
		return from_helper(helper, domain, helper_secs, user, pass, path, e);
	auths = json_object_get(doc, "auths");
	json_object_foreach(auths, k, v) {
		const char *a = jsonio_str(v, "auth");

		if (!key_matches(k, domain))
			continue;
		if (a && *a)
			return auth_decode(a, user, pass, path, e) < 0 ? -1 : 1;
		if ((a = jsonio_str(v, "identitytoken")) && *a) {
			*user = xstrdup(CREDHELPER_TOKEN_USER);
			*pass = xstrdup(a);
			return 1;
		}
		if (jsonio_str(v, "username") && jsonio_str(v, "password")) {
			*user = xstrdup(jsonio_str(v, "username"));
			*pass = xstrdup(jsonio_str(v, "password"));
			return 1;
		}
	}
	return 0;
}

int
auth_lookup(const char *domain, const char *creds, const char *authfile, long helper_secs,
	    char **user, char **pass, struct err *e)
{
	const char *env[3] = {getenv("REGISTRY_AUTH_FILE"), getenv("XDG_RUNTIME_DIR"),
			      getenv("DOCKER_CONFIG")};
	_cleanup_free_ char *xdg = NULL, *dock = NULL;
	const char *files[3];

	*user = *pass = NULL;
	if (creds)
		return split_creds(creds, user, pass, "--creds", e);
	if (authfile)
		return from_file(authfile, domain, helper_secs, user, pass, true, e) < 0 ? -1 : 0;
	xdg = env[1] ? xasprintf("%s/containers/auth.json", env[1]) : NULL;
	dock = env[2]		? xasprintf("%s/config.json", env[2])
	       : getenv("HOME") ? xasprintf("%s/.docker/config.json", getenv("HOME"))
				: NULL;
	files[0] = env[0];
	files[1] = xdg;
	files[2] = dock;
	for (int i = 0; i < 3; i++) {
		int r =
		    files[i] ? from_file(files[i], domain, helper_secs, user, pass, false, e) : 0;

		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	return 0;
}

/* One auth-param value, quoted or a token; advances *p. New string. */
static char *
param_value(const char **p)
{
	const char *s = *p;
	char *out = xmalloc(strlen(s) + 1), *o = out;

	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			*o++ = *s;
		}
		if (*s == '"')
			s++;
	} else {
		while (*s && *s != ',' && !isspace((unsigned char)*s))
			*o++ = *s++;
	}
	*o = '\0';
	*p = s;
	return out;
}

static void
set_param(struct challenge *c, const char *key, size_t klen, char *val)
{
	char **slot = NULL;

	if (klen == 5 && !strncasecmp(key, "realm", 5))
		slot = &c->realm;
	else if (klen == 7 && !strncasecmp(key, "service", 7))
		slot = &c->service;
	else if (klen == 5 && !strncasecmp(key, "scope", 5))
		slot = &c->scope;
	if (slot && !*slot)
		*slot = val;
	else
		free(val);
}

int
auth_parse_challenge(const char *hdr, struct challenge *c, struct err *e)
{
	const char *p = hdr ? hdr : "";
	size_t n;

	memset(c, 0, sizeof(*c));
	while (isspace((unsigned char)*p))
		p++;
	n = strcspn(p, " \t");
	if (n == 6 && !strncasecmp(p, "bearer", 6))
		c->scheme = xstrdup("bearer");
	else if (n == 5 && !strncasecmp(p, "basic", 5))
		c->scheme = xstrdup("basic");
	else
		return err_code(e, "invalid", "401 without a usable challenge ('%.60s')", p);
	for (p += n; *p;) {
		const char *key;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		key = p;
		n = strcspn(p, "=, \t");
		if (!n || p[n] != '=')
			break;
		p += n + 1;
		set_param(c, key, n, param_value(&p));
	}
	if (!strcmp(c->scheme, "bearer") &&
	    (!c->realm || (strncmp(c->realm, "https://", 8) && strncmp(c->realm, "http://", 7)))) {
		auth_challenge_release(c);
		return err_code(e, "invalid",
				"401 with a Bearer challenge without an http(s) realm");
	}
	return 0;
}

void
auth_challenge_release(struct challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

char *
auth_basic_header(const char *user, const char *pass)
{
	_cleanup_free_ char *plain = xasprintf("%s:%s", user, pass);
	size_t n = strlen(plain);
	_cleanup_free_ char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain, (int)n);
	return xasprintf("Authorization: Basic %s", b64);
}
