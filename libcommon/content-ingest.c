/* SPDX-License-Identifier: Apache-2.0 */
/* Resumable blob downloads: data, a status file and the saved sha256 state. */

/*
 * The raw SHA256_CTX is the only OpenSSL interface that lets a hash state
 * be saved and restored, which is what resuming without re-reading the
 * partial data needs. It is deprecated (not removed) in OpenSSL 3.
 */
#define OPENSSL_API_COMPAT 0x10100000L
#include "content.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "lock.h"
#include "path.h"
#include "xmem.h"

/*
 * Saving the hash state after every write cost a pwrite per 16 KiB received;
 * it is saved every INGEST_SAVE_EVERY bytes instead, and a resume hashes the
 * data written after the last save (at most this much) before going on.
 */
#define INGEST_SAVE_EVERY (1 << 20)

/*
 * ingest/<hex>/sha256state, rewritten in place every INGEST_SAVE_EVERY bytes:
 * magic "CTRSHA1\n", the offset (bytes hashed), the raw SHA256_CTX, and the
 * sha256 of all that. It is trusted only when the checksum matches and the
 * context agrees with the offset (bit count, block fill); otherwise the data
 * file is re-hashed from byte 0.
 */
struct saved_state {
	char magic[8];
	uint64_t offset;
	SHA256_CTX ctx;
	unsigned char check[SHA256_DIGEST_LENGTH];
};
static const char MAGIC[8] = "CTRSHA1\n";

static void
state_seal(struct saved_state *s)
{
	SHA256((const unsigned char *)s, offsetof(struct saved_state, check), s->check);
}

static bool
state_ok(struct saved_state *s, int64_t size)
{
	unsigned char want[SHA256_DIGEST_LENGTH];
	uint64_t bits = ((uint64_t)s->ctx.Nh << 32) | s->ctx.Nl;

	SHA256((const unsigned char *)s, offsetof(struct saved_state, check), want);
	return !memcmp(s->magic, MAGIC, 8) && !memcmp(want, s->check, sizeof(want)) &&
	       s->offset <= (uint64_t)size && bits == s->offset * 8 &&
	       s->ctx.num == s->offset % SHA256_CBLOCK && s->ctx.md_len == SHA256_DIGEST_LENGTH;
}

static int
state_save(struct content_ingest *in, struct err *e)
{
	struct saved_state s;

	memset(&s, 0, sizeof(s));
	memcpy(s.magic, MAGIC, 8);
	s.offset = (uint64_t)in->offset;
	s.ctx = *(SHA256_CTX *)in->sha;
	state_seal(&s);
	if (pwrite(in->statefd, &s, sizeof(s), 0) != (ssize_t)sizeof(s))
		return err_set(e, errno ? errno : EIO, "save hash state of %s", in->digest);
	in->saved = in->offset;
	return 0;
}

/* Hash the data file from in->offset up to len, moving the offset there. */
static int
hash_to(struct content_ingest *in, int64_t len, struct err *e)
{
	char buf[1 << 16];
	int64_t off = in->offset;

	while (off < len) {
		size_t want = len - off < (int64_t)sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ssize_t r = pread(in->datafd, buf, want, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return err_set(e, r < 0 ? errno : EIO, "re-read partial %s", in->digest);
		SHA256_Update(in->sha, buf, (size_t)r);
		off += r;
	}
	in->offset = len;
	return 0;
}

/* Hash the first len bytes of the data file: the fallback when no saved state is usable. */
static int
rehash(struct content_ingest *in, int64_t len, struct err *e)
{
	SHA256_Init(in->sha);
	in->offset = 0;
	in->rehashed = len > 0;
	return hash_to(in, len, e);
}

static int
pwrite_all(int fd, const void *buf, size_t n, int64_t off)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/*
 * Find where the partial data ends and how it hashes: from the saved state,
 * the data written after it (less than INGEST_SAVE_EVERY bytes) is hashed
 * again, so the download resumes at the exact byte where it stopped.
 */
static int
resume_point(struct content_ingest *in, struct err *e)
{
	struct saved_state s;
	struct stat sb;

	if (fstat(in->datafd, &sb) < 0)
		return err_set(e, errno, "stat ingest of %s", in->digest);
	if (sb.st_size > in->size)
		return content_ingest_reset(in, e);
	if (pread(in->statefd, &s, sizeof(s), 0) == (ssize_t)sizeof(s) && state_ok(&s, in->size) &&
	    (int64_t)s.offset <= sb.st_size) {
		*(SHA256_CTX *)in->sha = s.ctx;
		in->offset = in->saved = (int64_t)s.offset;
		if (hash_to(in, sb.st_size, e) < 0)
			return -1;
		return in->offset > in->saved ? state_save(in, e) : 0;
	}
	if (rehash(in, sb.st_size, e) < 0)
		return -1;
	return state_save(in, e);
}

static int
write_status(struct content_ingest *in, const char *url, struct err *e)
{
	json_auto_t *st = json_pack("{s:s, s:I, s:I, s:s?, s:I}", "digest", in->digest, "size",
				    (json_int_t)in->size, "offset", (json_int_t)in->offset, "url",
				    url, "updated", (json_int_t)time(NULL));

	return afile_write_json(in->dirfd, "status", st, e);
}

static int
open_files(const struct content *c, struct content_ingest *in, struct err *e)
{
	_cleanup_free_ char *dir = xasprintf("ingest/%s", digest_hex(in->digest));

	if (mkdirat(c->dirfd, dir, 0700) < 0 && errno != EEXIST)
		return err_set(e, errno, "create ingest for %s", in->digest);
	in->dirfd = openat(c->dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in->dirfd < 0)
		return err_set(e, errno, "open ingest for %s", in->digest);
	in->datafd = openat(in->dirfd, "data", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	in->statefd =
	    openat(in->dirfd, "sha256state", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (in->datafd < 0 || in->statefd < 0)
		return err_set(e, errno, "open ingest files for %s", in->digest);
	return 0;
}

static int
nodata_open(const struct content *c, const char *digest, int64_t size, struct content_ingest *in)
{
	if (content_has(c, digest, size))
		return 1;
	memcpy(in->digest, digest, sizeof(in->digest));
	in->size = size;
	in->nodata = true;
	in->sha = xmalloc(sizeof(SHA256_CTX));
	SHA256_Init(in->sha);
	return 0;
}

int
content_ingest_open(const struct content *c, const char *digest, int64_t size, const char *url,
		    int flags, struct content_ingest *in, struct err *e)
{
	_cleanup_free_ char *lk = NULL;

	memset(in, 0, sizeof(*in));
	in->dirfd = in->datafd = in->statefd = in->lockfd = -1;
	if (digest_check(digest, "blob", e) < 0)
		return -1;
	if (size < 0)
		return err_code(e, "invalid", "blob %s: negative size", digest);
	if (flags & CONTENT_NODATA)
		return nodata_open(c, digest, size, in);
	lk = xasprintf("ingest/%s.lock", digest_hex(digest));
	in->lockfd = lock_at(c->dirfd, lk, (flags & CONTENT_TRY) ? LOCK_TRY : 0, e);
	if (in->lockfd < 0)
		return -1;
	/* whoever held the lock before us may have finished the blob */
	if (content_has(c, digest, size)) {
		content_ingest_close(c, in, false);
		return 1;
	}
	memcpy(in->digest, digest, sizeof(in->digest));
	in->size = size;
	in->sha = xmalloc(sizeof(SHA256_CTX));
	SHA256_Init(in->sha);
	if (open_files(c, in, e) < 0 || resume_point(in, e) < 0 || write_status(in, url, e) < 0) {
		content_ingest_close(c, in, false);
		return -1;
	}
	in->resumed = in->offset;
	return 0;
}

int
content_ingest_write(struct content_ingest *in, const void *buf, size_t n, struct err *e)
{
	if ((int64_t)n > in->size - in->offset)
		return err_code(e, "invalid", "blob %s: body longer than its size %lld", in->digest,
				(long long)in->size);
	if (in->nodata) {
		SHA256_Update(in->sha, buf, n);
		in->offset += (int64_t)n;
		return 0;
	}
	/* data first, then the state: a crash between leaves data the state does not cover */
	if (pwrite_all(in->datafd, buf, n, in->offset) < 0)
		return err_set(e, errno, "write ingest of %s", in->digest);
	SHA256_Update(in->sha, buf, n);
	in->offset += (int64_t)n;
	if (in->offset - in->saved < INGEST_SAVE_EVERY && in->offset < in->size)
		return 0;
	return state_save(in, e);
}

int
content_ingest_reset(struct content_ingest *in, struct err *e)
{
	if (in->nodata) {
		SHA256_Init(in->sha);
		in->offset = 0;
		return 0;
	}
	if (ftruncate(in->datafd, 0) < 0)
		return err_set(e, errno, "truncate ingest of %s", in->digest);
	SHA256_Init(in->sha);
	in->offset = 0;
	in->rehashed = false;
	return state_save(in, e);
}

static void
hex_digest(unsigned char md[SHA256_DIGEST_LENGTH], char out[DIGEST_STR_LEN + 1])
{
	static const char hexd[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[7 + 2 * i] = hexd[md[i] >> 4];
		out[8 + 2 * i] = hexd[md[i] & 15];
	}
	out[DIGEST_STR_LEN] = '\0';
}

static int
publish(const struct content *c, struct content_ingest *in, struct err *e)
{
	_cleanup_free_ char *src = xasprintf("ingest/%s/data", digest_hex(in->digest));

	return content_publish(c, in->datafd, c->dirfd, src, in->digest, e);
}

int
content_ingest_commit(const struct content *c, struct content_ingest *in, struct err *e)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char got[DIGEST_STR_LEN + 1];
	int r;

	if (in->offset != in->size) {
		r = err_code(e, "invalid", "blob %s: body shorter (%lld bytes) than its size %lld",
			     in->digest, (long long)in->offset, (long long)in->size);
		content_ingest_close(c, in, false);
		return r;
	}
	SHA256_Final(md, in->sha);
	hex_digest(md, got);
	if (strcmp(got, in->digest)) {
		/* a whole body with the wrong digest: no prefix of it can be trusted */
		r = err_code(e, "invalid", "blob %s: digest mismatch (got %s)", in->digest, got);
		content_ingest_close(c, in, true);
		return r;
	}
	r = in->nodata ? 0 : publish(c, in, e);
	content_ingest_close(c, in, r == 0);
	return r;
}

void
content_ingest_close(const struct content *c, struct content_ingest *in, bool discard)
{
	if (discard && in->dirfd >= 0) {
		struct err ignored;
		_cleanup_free_ char *dir = xasprintf("ingest/%s", digest_hex(in->digest));

		path_rm_rf(c->dirfd, dir, &ignored);
	}
	for (int *fd = &in->dirfd; fd <= &in->lockfd; fd++)
		if (*fd >= 0) {
			close(*fd);
			*fd = -1;
		}
	free(in->sha);
	in->sha = NULL;
}
