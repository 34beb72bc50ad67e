/* SPDX-License-Identifier: Apache-2.0 */
/* sha256 through OpenSSL's EVP interface, and strict digest strings. */
#include "digest.h"

#include <openssl/evp.h>
#include <string.h>

#include "err.h"
#include "xmem.h"

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
digester_init(struct digester *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		xmalloc((size_t)-1); /* allocation failure: exits 111 */
	d->ctx = ctx;
}

void
digester_update(struct digester *d, const void *buf, size_t n)
{
	EVP_DigestUpdate(d->ctx, buf, n);
}

void
digester_final(struct digester *d, char out[DIGEST_STR_LEN + 1])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(d->ctx, md, &n);
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < n && i < 32; i++) {
		out[7 + 2 * i] = hexd[md[i] >> 4];
		out[8 + 2 * i] = hexd[md[i] & 15];
	}
	out[DIGEST_STR_LEN] = '\0';
	EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL);
}

void
digester_release(struct digester *d)
{
	EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}

void
digest_buf(const void *buf, size_t n, char out[DIGEST_STR_LEN + 1])
{
	struct digester d;

	digester_init(&d);
	digester_update(&d, buf, n);
	digester_final(&d, out);
	digester_release(&d);
}
