/* SPDX-License-Identifier: Apache-2.0 */
/* Detach keys in docker's format, and the matcher that finds them in what is typed. */
#include "detachkeys.h"

#include <ctype.h>
#include <string.h>

/* ctrl-X as a terminal sends it: @ A-Z [ \ ] ^ _ are 0x40-0x5f, their control codes 0-0x1f */
static int
ctrl_code(const char *name, size_t len)
{
	int c;

	if (len != 6 || strncmp(name, "ctrl-", 5))
		return -1;
	c = toupper((unsigned char)name[5]);
	return c >= '@' && c <= '_' ? c - '@' : -1;
}

int
detachkeys_parse(struct detachkeys *k, const char *spec, struct err *e)
{
	const char *p = spec;

	memset(k, 0, sizeof(*k));
	if (!*spec)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		int c = len == 1 ? (unsigned char)*p : ctrl_code(p, len);

		if (c < 0)
			return err_code(e, "usage",
					"--detach-keys '%.64s': bad key '%.*s'; want one character "
					"or ctrl-X (X a letter or one of @[\\]^_), comma-separated",
					spec, (int)(len > 16 ? 16 : len), p);
		if (k->len == DETACHKEYS_MAX)
			return err_code(e, "usage", "--detach-keys '%.64s': more than %d keys",
					spec, DETACHKEYS_MAX);
		k->key[k->len++] = (unsigned char)c;
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}

bool
detachkeys_feed(struct detachkeys *k, const char *in, size_t n, char *out, size_t *outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (!k->len) {
			out[o++] = (char)c;
			continue;
		}
		if (c == k->key[k->held]) {
			if (++k->held < k->len)
				continue;
			k->held = 0;
			*outlen = o;
			return true;
		}
		/*
		 * Not the next key: of what was held and c, the longest end that
		 * begins the keys is held still ("a,a,b" typed "aaab"), the rest
		 * was input after all.
		 */
		unsigned char b[DETACHKEYS_MAX + 1];
		size_t t = k->held + 1, m;

		memcpy(b, k->key, k->held);
		b[k->held] = c;
		for (m = k->held; m > 0 && memcmp(b + t - m, k->key, m); m--)
			;
		memcpy(out + o, b, t - m);
		o += t - m;
		k->held = m;
	}
	*outlen = o;
	return false;
}
