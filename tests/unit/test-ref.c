/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for image references: Docker's grammar, normalisation and short forms. */
#include "tap.h"

#include "cleanup.h"
#include "ref.h"
#include "xmem.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D "sha256:" HEX

struct valid_case {
	const char *in;
	const char *norm;
	const char *fam;
};

static const struct valid_case valid[] = {
    {"alpine", "docker.io/library/alpine:latest", "alpine:latest"},
    {"alpine:3.20", "docker.io/library/alpine:3.20", "alpine:3.20"},
    {"library/alpine", "docker.io/library/alpine:latest", "alpine:latest"},
    {"docker.io/alpine", "docker.io/library/alpine:latest", "alpine:latest"},
    {"docker.io/library/alpine:edge", "docker.io/library/alpine:edge", "alpine:edge"},
    {"index.docker.io/alpine", "docker.io/library/alpine:latest", "alpine:latest"},
    {"index.docker.io/user/app:v1", "docker.io/user/app:v1", "user/app:v1"},
    {"user/app", "docker.io/user/app:latest", "user/app:latest"},
    {"docker.io/user/app", "docker.io/user/app:latest", "user/app:latest"},
    {"docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"},
    {"a/b/c/d/e", "docker.io/a/b/c/d/e:latest", "a/b/c/d/e:latest"},
    {"localhost/foo", "localhost/foo:latest", "localhost/foo:latest"},
    /* found by fuzz-ref: a first component that names a host keeps "docker.io/" */
    {"index.docker.io/1ex.docker.io/1", "docker.io/1ex.docker.io/1:latest",
     "docker.io/1ex.docker.io/1:latest"},
    {"docker.io/localhost/a", "docker.io/localhost/a:latest", "docker.io/localhost/a:latest"},
    {"localhost:5000/foo/bar:tag", "localhost:5000/foo/bar:tag", "localhost:5000/foo/bar:tag"},
    /* a single component is never a domain: these are docker.io names */
    {"localhost", "docker.io/library/localhost:latest", "localhost:latest"},
    {"localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"},
    {"foo.com", "docker.io/library/foo.com:latest", "foo.com:latest"},
    {"docker.io", "docker.io/library/docker.io:latest", "docker.io:latest"},
    {"a:5000", "docker.io/library/a:5000", "a:5000"},
    {"example.com/a", "example.com/a:latest", "example.com/a:latest"},
    {"example.com:8443/ns/repo:1.0", "example.com:8443/ns/repo:1.0",
     "example.com:8443/ns/repo:1.0"},
    {"127.0.0.1:5000/x", "127.0.0.1:5000/x:latest", "127.0.0.1:5000/x:latest"},
    {"1.2.3.4/a", "1.2.3.4/a:latest", "1.2.3.4/a:latest"},
    {"[::1]:5000/x:y", "[::1]:5000/x:y", "[::1]:5000/x:y"},
    {"[::1]/x", "[::1]/x:latest", "[::1]/x:latest"},
    {"[2001:db8::1]:5000/a", "[2001:db8::1]:5000/a:latest", "[2001:db8::1]:5000/a:latest"},
    {"[2001:DB8::1]/a", "[2001:DB8::1]/a:latest", "[2001:DB8::1]/a:latest"},
    /* an uppercase first component is a host, as in distribution/reference */
    {"Foo/bar", "Foo/bar:latest", "Foo/bar:latest"},
    {"Registry.Example.COM/a", "Registry.Example.COM/a:latest", "Registry.Example.COM/a:latest"},
    {"xn--bcher-kva.example/x", "xn--bcher-kva.example/x:latest", "xn--bcher-kva.example/x:latest"},
    {"my-registry.local:5000/team/app:2024.01", "my-registry.local:5000/team/app:2024.01",
     "my-registry.local:5000/team/app:2024.01"},
    {"host-1.example/a", "host-1.example/a:latest", "host-1.example/a:latest"},
    {"a:Latest_1.0-rc", "docker.io/library/a:Latest_1.0-rc", "a:Latest_1.0-rc"},
    {"a:_x", "docker.io/library/a:_x", "a:_x"},
    {"a:0", "docker.io/library/a:0", "a:0"},
    {"ns/c_d.e__f-g---h", "docker.io/ns/c_d.e__f-g---h:latest", "ns/c_d.e__f-g---h:latest"},
    {"a-b", "docker.io/library/a-b:latest", "a-b:latest"},
    {"0/1", "docker.io/0/1:latest", "0/1:latest"},
    {"a:b@" D, "docker.io/library/a:b@" D, "a:b@" D},
    {"a@" D, "docker.io/library/a@" D, "a@" D},
    {"quay.io/org/app@" D, "quay.io/org/app@" D, "quay.io/org/app@" D},
    {"localhost:5000/x:1@" D, "localhost:5000/x:1@" D, "localhost:5000/x:1@" D},
    {"localhost:65535/x", "localhost:65535/x:latest", "localhost:65535/x:latest"},
    {"[::1]:1/x", "[::1]:1/x:latest", "[::1]:1/x:latest"},
    /* only a bare 64-hex string is ambiguous with an image id */
    {HEX ":tag", "docker.io/library/" HEX ":tag", HEX ":tag"},
    {"docker.io/" HEX, "docker.io/library/" HEX ":latest", HEX ":latest"},
    {"user/" HEX, "docker.io/user/" HEX ":latest", "user/" HEX ":latest"},
};

/* The input for a TAP line: control bytes escaped so that one test point stays one line. */
static const char *
show(const char *s)
{
	static char buf[512];
	size_t n = 0;

	for (; *s && n + 5 < sizeof(buf); s++) {
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			buf[n++] = *s;
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x",
					      (unsigned char)*s);
	}
	buf[n] = '\0';
	return buf;
}

struct invalid_case {
	const char *in;
	const char *err; /* a part of the message */
};

static const struct invalid_case invalid[] = {
    {"", "empty"},
    {"Alpine", "must be lowercase"},
    {"ALPINE:latest", "must be lowercase"},
    {"library/Alpine", "must be lowercase"},
    {"example.com/Foo", "must be lowercase"},
    {"alpine:", "invalid tag"},
    {"alpine:.x", "invalid tag"},
    {"alpine:-x", "invalid tag"},
    {"a:b:c", "invalid tag"},
    {"alpine:3.20 junk", "invalid tag"},
    {"alpine:t\x7f", "invalid tag"},
    {"alpine@", "invalid digest"},
    {"alpine@sha256:short", "invalid digest"},
    {"alpine@sha256:" HEX "0", "invalid digest"},
    {"alpine@sha256:"
     "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
     "invalid digest"},
    {"alpine@sha256:../../../etc/passwd", "invalid registry host"}, /* '/' splits first */
    {"alpine@sha256:..", "invalid digest"},
    {"alpine@sha512:" HEX HEX, "unsupported digest algorithm"},
    {"alpine@md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm"},
    {"alpine@" HEX, "invalid digest"},
    {"a@" D "@" D, "invalid digest"},
    {"a@" D " ", "invalid digest"},
    {HEX, "ambiguous"},
    {" alpine", "invalid reference format"},
    {"alpine ", "invalid reference format"},
    {"alpine\n", "invalid reference format"},
    {"a b", "invalid reference format"},
    {"a\tb", "invalid reference format"},
    {"a//b", "invalid reference format"},
    {"/a", "invalid reference format"},
    {"a/", "invalid reference format"},
    {"a..b", "invalid reference format"},
    {"a_-b", "invalid reference format"},
    {"a-_b", "invalid reference format"},
    {"a___b", "invalid reference format"},
    {"a._b", "invalid reference format"},
    {"-a", "invalid reference format"},
    {"a-", "invalid reference format"},
    {"_a", "invalid reference format"},
    {"a.", "invalid reference format"},
    {"example.com/a/../b", "invalid reference format"},
    {"example.com/a/./b", "invalid reference format"},
    {"example.com/", "invalid reference format"},
    {"ns/é", "invalid reference format"},
    {"localhost:abc/x", "invalid registry host"},
    {"example.com:/x", "invalid registry host"},
    {"-example.com/x", "invalid registry host"},
    {"example-.com/x", "invalid registry host"},
    {"example..com/x", "invalid registry host"},
    {"exa_mple.com/x", "invalid registry host"},
    {"[::1/x", "invalid registry host"},
    {"[]:5000/x", "invalid registry host"},
    {"[zz::1]/x", "invalid registry host"},
    {"[::1]5000/x", "invalid registry host"},
    {"ftp://example.com/a", "invalid registry host"},
    {"alpine:a/b", "invalid registry host"},
    {"user@example.com/a", "invalid registry host"},
    {"127.0.0.1:99999/x:1", "registry port out of range (1-65535)"},
    {"localhost:0/x", "registry port out of range (1-65535)"},
    {"[::1]:65536/x", "registry port out of range (1-65535)"},
    {"example.com:99999999999999999999999/x", "registry port out of range (1-65535)"},
};

static void
test_ref_valid_table(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct ref r;
		struct err e = {0};
		int rc = ref_parse(valid[i].in, &r, &e);

		if (!ok(rc == 0, "valid '%s' parses", valid[i].in)) {
			printf("#   error: %s\n", e.msg);
			continue;
		}
		_cleanup_free_ char *s = ref_string(&r);
		_cleanup_free_ char *f = ref_familiar(&r);

		is_str(s, valid[i].norm, "'%s' normalises", valid[i].in);
		is_str(f, valid[i].fam, "'%s' familiar form", valid[i].in);
		ref_release(&r);
	}
}

/* The normalised and the familiar strings both parse back to the same reference. */
static void
test_ref_roundtrip(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const char *forms[2] = {valid[i].norm, valid[i].fam};

		for (int k = 0; k < 2; k++) {
			struct ref r;
			struct err e = {0};

			if (!ok(ref_parse(forms[k], &r, &e) == 0, "'%s' parses again", forms[k]))
				continue;
			_cleanup_free_ char *s = ref_string(&r);
			is_str(s, valid[i].norm, "'%s' is stable", forms[k]);
			ref_release(&r);
		}
	}
}

static void
test_ref_invalid_table(void)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct ref r;
		struct err e = {0};
		int rc = ref_parse(invalid[i].in, &r, &e);
		const char *in = show(invalid[i].in);

		ok(rc == -1, "invalid '%s' refused", in);
		if (rc == 0) {
			_cleanup_free_ char *s = ref_string(&r);
			printf("#   parsed as '%s'\n", s);
			ref_release(&r);
			continue;
		}
		if (!ok(strstr(e.msg, invalid[i].err), "'%s': message says '%s'", in,
			invalid[i].err))
			printf("#   message: %s\n", e.msg);
		is_str(e.code, "invalid", "'%s': code", in);
		ok(!r.domain && !r.path && !r.tag && !r.digest, "'%s': ref left empty", in);
	}
}

static void
test_ref_fields(void)
{
	struct ref r;
	struct err e;

	ok(ref_parse("localhost:5000/a/b:t@" D, &r, &e) == 0, "full reference parses");
	is_str(r.domain, "localhost:5000", "domain");
	is_str(r.path, "a/b", "path");
	is_str(r.tag, "t", "tag kept with digest");
	is_str(r.digest, D, "digest");
	_cleanup_free_ char *n = ref_name(&r);
	is_str(n, "localhost:5000/a/b", "name has no tag or digest");
	ref_release(&r);
	ok(!r.domain && !r.path, "release empties the struct");

	ok(ref_parse("busybox@" D, &r, &e) == 0, "digest-only reference parses");
	ok(r.tag == NULL, "no 'latest' is added next to a digest");
	ref_release(&r);
}

/* Docker counts domain + '/' + path, after normalisation, against 255. */
static void
test_ref_name_length(void)
{
	char buf[400];
	struct ref r;
	struct err e;

	snprintf(buf, sizeof(buf), "example.com/%0243d", 0);
	ok(ref_parse(buf, &r, &e) == 0, "255-byte name accepted");
	ref_release(&r);
	snprintf(buf, sizeof(buf), "example.com/%0244d", 0);
	ok(ref_parse(buf, &r, &e) == -1 && strstr(e.msg, "255"), "256-byte name refused");
	/* "docker.io/library/" is 18 bytes and counts */
	snprintf(buf, sizeof(buf), "%0237d", 0);
	ok(ref_parse(buf, &r, &e) == 0, "docker.io/library/ + 237 accepted");
	ref_release(&r);
	snprintf(buf, sizeof(buf), "%0238d", 0);
	ok(ref_parse(buf, &r, &e) == -1, "docker.io/library/ + 238 refused");
}

static void
test_ref_tag_length(void)
{
	char buf[200];
	struct ref r;
	struct err e;

	snprintf(buf, sizeof(buf), "a:%0128d", 0);
	ok(ref_parse(buf, &r, &e) == 0, "128-byte tag accepted");
	ok(r.tag && strlen(r.tag) == 128, "tag kept whole");
	ref_release(&r);
	snprintf(buf, sizeof(buf), "a:%0129d", 0);
	ok(ref_parse(buf, &r, &e) == -1 && strstr(e.msg, "invalid tag"), "129-byte tag refused");
}

static void
test_ref_registry_host(void)
{
	static const char *const cases[][2] = {
	    {"alpine", "registry-1.docker.io"},
	    {"index.docker.io/a/b", "registry-1.docker.io"},
	    {"docker.io/a", "registry-1.docker.io"},
	    {"quay.io/a", "quay.io"},
	    {"localhost:5000/a", "localhost:5000"},
	    {"[::1]:5000/a", "[::1]:5000"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ref r;
		struct err e;

		if (!ok(ref_parse(cases[i][0], &r, &e) == 0, "'%s' parses", cases[i][0]))
			continue;
		is_str(ref_registry_host(&r), cases[i][1], "'%s' host", cases[i][0]);
		ref_release(&r);
	}
}

static void
test_ref_loopback(void)
{
	static const struct {
		const char *in;
		int want;
	} cases[] = {
	    {"localhost/a", 1},
	    {"localhost:5000/a", 1},
	    {"LOCALHOST:5000/a", 1},
	    {"127.0.0.1:5000/a", 1},
	    {"127.8.9.10/a", 1},
	    {"[::1]:5000/a", 1},
	    {"[::1]/a", 1},
	    {"[0:0:0:0:0:0:0:1]:5000/a", 1},
	    {"128.0.0.1/a", 0},
	    {"126.255.255.255/a", 0},
	    {"127.1/a", 0},
	    {"127.0.0.1.nip.io/a", 0},
	    {"localhost.example.com/a", 0},
	    {"example.com/a", 0},
	    {"alpine", 0},
	    {"localhost", 0}, /* docker.io/library/localhost */
	    {"[::2]/a", 0},
	    {"[::]/a", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ref r;
		struct err e;

		if (!ok(ref_parse(cases[i].in, &r, &e) == 0, "'%s' parses", cases[i].in))
			continue;
		is_int(ref_is_loopback(&r), cases[i].want, "'%s' loopback", cases[i].in);
		ref_release(&r);
	}
}

/* Hostile input must not put control bytes or unbounded text into the one-line error. */
static void
test_ref_error_sanitised(void)
{
	char big[2000];
	struct ref r;
	struct err e;

	ok(ref_parse("bad\nname\x1b[31m", &r, &e) == -1, "control bytes refused");
	ok(!strchr(e.msg, '\n') && !strchr(e.msg, '\x1b'), "message has no control bytes");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(ref_parse(big, &r, &e) == -1, "2000-byte reference refused");
	ok(strlen(e.msg) < 200, "message is short (%zu bytes)", strlen(e.msg));
	ok(strstr(e.msg, "..."), "message marks the cut");
}

int
main(void)
{
	RUN(test_ref_valid_table);
	RUN(test_ref_roundtrip);
	RUN(test_ref_invalid_table);
	RUN(test_ref_fields);
	RUN(test_ref_name_length);
	RUN(test_ref_tag_length);
	RUN(test_ref_registry_host);
	RUN(test_ref_loopback);
	RUN(test_ref_error_sanitised);
	return tap_done();
}
