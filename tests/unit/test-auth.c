/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of ctr-pull's credential lookup and WWW-Authenticate parsing. */
#include <stdlib.h>
#include <unistd.h>

#include "auth.h"
#include "cleanup.h"
#include "tap.h"
#include "xmem.h"

static void
test_auth_challenge(void)
{
	struct challenge c;
	struct err e;

	ok(auth_parse_challenge("Bearer realm=\"https://auth.example/token\",service=\"reg\","
				"scope=\"repository:a/b:pull\"",
				&c, &e) == 0,
	   "bearer challenge");
	is_str(c.scheme, "bearer", "scheme");
	is_str(c.realm, "https://auth.example/token", "realm");
	is_str(c.service, "reg", "service");
	is_str(c.scope, "repository:a/b:pull", "scope");
	auth_challenge_release(&c);
	ok(auth_parse_challenge("basic realm=x", &c, &e) == 0 && !strcmp(c.scheme, "basic"),
	   "basic");
	auth_challenge_release(&c);
	ok(auth_parse_challenge("", &c, &e) < 0, "empty is not a challenge");
	ok(auth_parse_challenge("Negotiate abc", &c, &e) < 0, "unknown scheme");
	ok(auth_parse_challenge("Bearer service=\"x\"", &c, &e) < 0, "bearer without realm");
	ok(auth_parse_challenge("Bearer realm=\"file:///etc/passwd\"", &c, &e) < 0,
	   "a realm must be http(s)");
}

static void
test_auth_lookup(void)
{
	char tmpl[] = "/tmp/test-auth.XXXXXX";
	_cleanup_free_ char *file = NULL;
	char *u = NULL, *p = NULL;
	struct err e;
	FILE *f;

	file = xasprintf("%s/auth.json", mkdtemp(tmpl));
	f = fopen(file, "w");
	/* "dXNlcjpwYTpzcw==" is base64 of "user:pa:ss" */
	fputs("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
	      "\"127.0.0.1:5000\":{\"username\":\"a\",\"password\":\"b\"}}}",
	      f);
	fclose(f);
	ok(auth_lookup("docker.io", NULL, file, 5, &u, &p, &e) == 0, "docker.io via index URL key");
	is_str(u, "user", "user");
	is_str(p, "pa:ss", "password keeps its colons");
	free(u), free(p);
	ok(auth_lookup("127.0.0.1:5000", NULL, file, 5, &u, &p, &e) == 0 && u && !strcmp(p, "b"),
	   "username/password entries");
	free(u), free(p);
	ok(auth_lookup("other:1", NULL, file, 5, &u, &p, &e) == 0 && !u, "no entry: anonymous");
	ok(auth_lookup("x", "nocolon", NULL, 5, &u, &p, &e) < 0, "--creds needs USER:PASS here");
	ok(auth_lookup("x", NULL, "/nonexistent/auth.json", 5, &u, &p, &e) < 0,
	   "a named auth file must exist");
	unlink(file);
	*strrchr(file, '/') = '\0';
	rmdir(file);
}

int
main(void)
{
	RUN(test_auth_challenge);
	RUN(test_auth_lookup);
	return tap_done();
}
