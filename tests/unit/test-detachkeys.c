/* SPDX-License-Identifier: Apache-2.0 */
/* Detach keys: docker's format, and the matcher across reads. */
#include <stdio.h>
#include <string.h>

#include "detachkeys.h"
#include "tap.h"

/* Parse spec and render its keys as hex bytes ("10 11"), or "error". */
static const char *
keys_of(const char *spec, char *buf, size_t size)
{
	struct detachkeys k;
	struct err e;
	size_t n = 0;

	buf[0] = '\0';
	if (detachkeys_parse(&k, spec, &e) < 0)
		return strcmp(e.code, "usage") ? "error with a wrong code" : "error";
	for (size_t i = 0; i < k.len; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%02x", i ? " " : "", k.key[i]);
	return buf;
}

static void
test_detachkeys_parse_docker_format(void)
{
	static const struct {
		const char *spec, *want;
	} rows[] = {
	    {"ctrl-p,ctrl-q", "10 11"},
	    {DETACHKEYS_DEFAULT, "10 11"},
	    {"ctrl-a", "01"},
	    {"ctrl-A", "01"},
	    {"ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", "00 1b 1c 1d 1e 1f"},
	    {"a,b", "61 62"},
	    {",", "error"},
	    {"", ""},
	    {"ctrl-p,", "error"},
	    {",ctrl-q", "error"},
	    {"ctrl-", "error"},
	    {"ctrl-1", "error"},
	    {"ctrl-pq", "error"},
	    {"ab", "error"},
	    {"alt-p", "error"},
	    {"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p", "61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70"},
	    {"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", "error"},
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		is_str(keys_of(rows[i].spec, buf, sizeof(buf)), rows[i].want, "'%s'", rows[i].spec);
}

/* Feed the reads of in (split at '|') through k; what passed on, and '!' where it detached. */
static const char *
feed(struct detachkeys *k, const char *in, char *got)
{
	char out[64 + DETACHKEYS_MAX];
	size_t n = 0;

	got[0] = '\0';
	while (*in) {
		size_t len = strcspn(in, "|"), olen;
		bool detached = detachkeys_feed(k, in, len, out, &olen);

		memcpy(got + n, out, olen);
		n += olen;
		if (detached)
			got[n++] = '!';
		in += len + (in[len] == '|');
	}
	got[n] = '\0';
	return got;
}

static void
test_detachkeys_feed_holds_a_prefix_across_reads(void)
{
	static const struct {
		const char *keys, *reads, *want;
	} rows[] = {
	    /* ^P ^Q as P Q, so that the rows read */
	    {"P,Q", "abc", "abc"},
	    {"P,Q", "abPQ", "ab!"},
	    {"P,Q", "abPQtail", "ab!"},
	    {"P,Q", "ab|P|Q", "ab!"},
	    {"P,Q", "abP|Q", "ab!"},
	    {"P,Q", "abP|x", "abPx"},
	    {"P,Q", "Px", "Px"},
	    {"P,Q", "PPQ", "P!"},
	    {"P,Q", "P|P|Q", "P!"},
	    {"P,Q", "Q", "Q"},
	    {"P,Q", "P", ""},
	    {"P,Q", "PQ|PQ", "!!"},
	    {"x", "abxcd", "ab!"},
	    {"", "PQ", "PQ"},
	    /* keys that repeat their own start: the match goes on from the longest end */
	    {"a,a,b", "aaab", "a!"},
	    {"a,a,b", "a|a|a|b", "a!"},
	    {"a,a,b", "aaxaab", "aax!"},
	    {"a,b,a,c", "ababac", "ab!"},
	    {"a,b,a,c", "abab|ac", "ab!"},
	    {"a,b,a,c", "abax", "abax"},
	};
	char got[256];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct detachkeys k;
		struct err e;

		if (detachkeys_parse(&k, rows[i].keys, &e) < 0) {
			ok(0, "parse '%s': %s", rows[i].keys, e.msg);
			continue;
		}
		is_str(feed(&k, rows[i].reads, got), rows[i].want, "keys %s, reads '%s'",
		       rows[i].keys, rows[i].reads);
	}
}

int
main(void)
{
	RUN(test_detachkeys_parse_docker_format);
	RUN(test_detachkeys_feed_holds_a_prefix_across_reads);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
