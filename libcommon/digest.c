/* SPDX-License-Identifier: Apache-2.0 */
/* Strict digest strings and one-shot sha256 of small buffers, without libcrypto. */
#include "digest.h"

#include <string.h>

#include "err.h"
#include "sha256.h"

bool
digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0)
		return false;
	s += 7;
	for (int i = 0; i < DIGEST_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[DIGEST_HEX_LEN] == '\0';
}

int
digest_check(const char *s, const char *what, struct err *e)
{
	if (digest_valid(s))
		return 0;
	/* %.80s: the bad string is hostile input, so its length is capped in the message */
	return err_code(e, "invalid", "%s: invalid digest '%.80s' (want sha256:<64 lowercase hex>)",
			what, s ? s : "(null)");
}

const char *
digest_hex(const char *s)
{
	return s + 7;
}

void
digest_format(const unsigned char md[32], char out[DIGEST_STR_LEN + 1])
{
	static const char hexd[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hexd[md[i] >> 4];
		out[8 + 2 * i] = hexd[md[i] & 15];
	}
	out[DIGEST_STR_LEN] = '\0';
}

void
digest_buf(const void *buf, size_t n, char out[DIGEST_STR_LEN + 1])
{
	unsigned char md[SHA256_LEN];

	sha256_buf(buf, n, md);
	digest_format(md, out);
}
