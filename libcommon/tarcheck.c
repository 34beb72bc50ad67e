/* SPDX-License-Identifier: Apache-2.0 */
/* The tar framing as Go's archive/tar reads it, checked over the raw stream beside libarchive. */
#include "tarcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

/*
 * Why a second look at bytes libarchive parses anyway: libarchive reads
 * leniently (a number stops at its first non-octal byte, a bad pax record
 * is skipped with a warning, a single zero block ends the archive, the size
 * of a hard link is a guess), where Go's archive/tar, which containerd and
 * podman use, refuses or reads otherwise. A layer two readers read two ways
 * is an attack on whoever checked it with the other one. So every header is
 * held to the rules below, each as strict as Go's or stricter, and what
 * libarchive then reports must agree with what we framed (tarread.c).
 *
 *  - checksum: the octal field equals the unsigned or signed sum (as Go);
 *  - magic: "ustar\0" "00", "ustar " " \0" or none (V7); star headers and
 *    any other magic are refused (Go reads them as V7, libarchive as ustar);
 *  - numbers: octal after trimming NULs and spaces, or base-256, fitting an
 *    int64 (as Go; libarchive stops at the first bad byte);
 *  - types: 0-6, x, g, L, K, S; others (V, M, N, D, A, X, 7, ...) are
 *    read as files by Go and as metadata by libarchive: refused;
 *  - links, devices, directories and FIFOs carry no data: a size there is
 *    refused (Go skips 0 bytes, libarchive guesses);
 *  - pax records: "%d %s=%s\n" with a decimal length that fits (as Go),
 *    no key given twice for one entry (Go and libarchive keep the last:
 *    refused), numeric values decimal, no NUL in a path or a name, and
 *    not SCHILY.devmajor/devminor (libarchive's device numbers, which Go
 *    ignores). LIBARCHIVE.xattr.* stays: libarchive's own writer puts it
 *    beside SCHILY.xattr.*, and the applier keeps user.* and
 *    security.capability only, whichever record named them;
 *  - GNU long names: one of each per entry, not both with a pax path;
 *    special header data at most TARCHECK_SPECIAL_MAX (Go's limit);
 *  - the end: EOF at a block boundary, after or without end blocks (as
 *    Go); a zero block followed by a header (Go: error, libarchive: the
 *    end) and anything but zeros after the end blocks are refused; a
 *    special header with no entry after it is refused (Go drops it).
 */

enum { TC_HEADER, TC_EXT, TC_DATA, TC_END1, TC_TRAILER };

#define BLK 512u

static int __attribute__((format(printf, 3, 4)))
fail(struct tarcheck *c, struct err *e, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c->cur.name && *c->cur.name)
		return err_code(e, "invalid", "tar entry '%.200s': %s", c->cur.name, why);
	return err_code(e, "invalid", "tar stream at byte %llu: %s", (unsigned long long)c->offset,
			why);
}

void
tarcheck_init(struct tarcheck *c)
{
	memset(c, 0, sizeof(*c));
	c->state = TC_HEADER;
}

static void
clear_pending(struct tarcheck *c)
{
	free(c->pax_path);
	free(c->pax_link);
	free(c->long_name);
	free(c->long_link);
	free(c->sparse_name);
	c->pax_path = c->pax_link = c->long_name = c->long_link = c->sparse_name = NULL;
	c->keys_len = 0;
	c->pax_size_set = c->pax_sparse = c->pax_sparse10 = false;
}

static void
entry_free(struct tarcheck_entry *en)
{
	free(en->name);
	free(en->link);
	en->name = en->link = NULL;
}

void
tarcheck_release(struct tarcheck *c)
{
	clear_pending(c);
	while (tarcheck_peek(c))
		tarcheck_pop(c);
	entry_free(&c->cur);
	free(c->q);
	free(c->keys);
	free(c->sdata);
	memset(c, 0, sizeof(*c));
}

const struct tarcheck_entry *
tarcheck_peek(const struct tarcheck *c)
{
	return c->qhead < c->qlen ? &c->q[c->qhead] : NULL;
}

void
tarcheck_pop(struct tarcheck *c)
{
	entry_free(&c->q[c->qhead++]);
	if (c->qhead == c->qlen)
		c->qhead = c->qlen = 0;
}

static bool
is_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Go's parseNumeric: base-256 when the high bit is set, else octal padded with NULs and spaces. */
static bool
num_parse(const unsigned char *p, size_t n, int64_t *out)
{
	uint64_t x = 0;
	size_t a = 0, b = n;

	if (n && (p[0] & 0x80)) {
		unsigned char inv = (p[0] & 0x40) ? 0xff : 0;

		for (size_t i = 0; i < n; i++) {
			unsigned char ch = p[i] ^ inv;

			if ((x >> 56) > 0)
				return false;
			x = x << 8 | (i ? ch : ch & 0x7f);
		}
		if (x >> 63)
			return false;
		*out = inv ? ~(int64_t)x : (int64_t)x;
		return true;
	}
	while (a < b && (p[a] == ' ' || !p[a]))
		a++;
	while (b > a && (p[b - 1] == ' ' || !p[b - 1]))
		b--;
	for (size_t i = a; i < b && p[i]; i++) {
		if (p[i] < '0' || p[i] > '7' || (x >> 61) > 0)
			return false;
		x = x << 3 | (uint64_t)(p[i] - '0');
	}
	if (x >> 63)
		return false;
	*out = (int64_t)x;
	return true;
}

static bool
checksum_ok(const unsigned char *h)
{
	const unsigned char *f = h + 148;
	int64_t given, us = 0, ss = 0;
	size_t a = 0, b = 8;

	/* octal only, never base-256 (Go's parseOctal) */
	while (a < b && (f[a] == ' ' || !f[a]))
		a++;
	while (b > a && (f[b - 1] == ' ' || !f[b - 1]))
		b--;
	if (a < b && (f[a] & 0x80))
		return false;
	if (!num_parse(f, 8, &given))
		return false;
	for (unsigned i = 0; i < BLK; i++) {
		unsigned char ch = i >= 148 && i < 156 ? ' ' : h[i];

		us += ch;
		ss += (signed char)ch;
	}
	return given == us || given == ss;
}

struct field {
	const char *what;
	unsigned off, len;
};

static const struct field common_fields[] = {
    {"mode", 100, 8}, {"uid", 108, 8}, {"gid", 116, 8}, {"size", 124, 12}, {"mtime", 136, 12},
};
static const struct field ustar_fields[] = {{"devmajor", 329, 8}, {"devminor", 337, 8}};
static const struct field gnu_fields[] = {{"atime", 345, 12}, {"ctime", 357, 12}};
/* old GNU sparse: four (offset, length) pairs in the header, then the real size */
static const struct field sparse_fields[] = {
    {"sparse offset", 386, 12}, {"sparse length", 398, 12}, {"sparse offset", 410, 12},
    {"sparse length", 422, 12}, {"sparse offset", 434, 12}, {"sparse length", 446, 12},
    {"sparse offset", 458, 12}, {"sparse length", 470, 12}, {"sparse real size", 483, 12},
};

static int
check_fields(struct tarcheck *c, const struct field *f, size_t n, struct err *e)
{
	int64_t v;

	for (size_t i = 0; i < n; i++)
		if (!num_parse(c->blk + f[i].off, f[i].len, &v))
			return fail(c, e, "%s field is not a number that fits", f[i].what);
	return 0;
}

/* Go's strconv.ParseInt for sizes and ids (digits only, here), or a pax time. */
static bool
dec_ok(const char *v, size_t n, bool time)
{
	size_t i = 0, digits = 0;
	uint64_t x = 0;

	if (time && i < n && v[i] == '-')
		i++;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
		if (x > (uint64_t)INT64_MAX / 10)
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (!digits || x > (uint64_t)INT64_MAX)
		return false;
	if (time && i < n && v[i] == '.')
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++)
			;
	return i == n;
}

static bool
key_is(const char *k, size_t kn, const char *want)
{
	return kn == strlen(want) && !memcmp(k, want, kn);
}

static bool
key_seen(struct tarcheck *c, const char *k, size_t kn)
{
	for (size_t i = 0; i < c->keys_len; i += strlen(c->keys + i) + 1)
		if (key_is(k, kn, c->keys + i))
			return true;
	xgrow((void **)&c->keys, &c->keys_cap, c->keys_len + kn + 1, 1);
	memcpy(c->keys + c->keys_len, k, kn);
	c->keys[c->keys_len + kn] = '\0';
	c->keys_len += kn + 1;
	return false;
}

static int
set_once(struct tarcheck *c, char **dst, const char *v, size_t vn, const char *what, struct err *e)
{
	if (!vn || memchr(v, 0, vn))
		return fail(c, e, "%s is empty or holds a NUL byte", what);
	free(*dst);
	*dst = xstrndup(v, vn);
	return 0;
}

/* One record of an 'x' header: what it says about the next entry. */
static int
pax_record(struct tarcheck *c, const char *k, size_t kn, const char *v, size_t vn, struct err *e)
{
	bool sparse = kn > 11 && !memcmp(k, "GNU.sparse.", 11);

	/* GNU sparse 0.0 repeats these two, one pair per fragment */
	if (!key_is(k, kn, "GNU.sparse.offset") && !key_is(k, kn, "GNU.sparse.numbytes") &&
	    key_seen(c, k, kn))
		return fail(c, e, "pax key '%.*s' given twice", (int)(kn > 64 ? 64 : kn), k);
	if (key_is(k, kn, "SCHILY.devmajor") || key_is(k, kn, "SCHILY.devminor"))
		return fail(c, e, "pax key '%.*s' is obeyed by libarchive only",
			    (int)(kn > 64 ? 64 : kn), k);
	c->pax_sparse |= sparse;
	if (key_is(k, kn, "GNU.sparse.major") && vn == 1 && *v == '1')
		c->pax_sparse10 = true;
	if (key_is(k, kn, "path"))
		return set_once(c, &c->pax_path, v, vn, "pax path", e);
	if (key_is(k, kn, "linkpath"))
		return set_once(c, &c->pax_link, v, vn, "pax linkpath", e);
	if (key_is(k, kn, "GNU.sparse.name"))
		return set_once(c, &c->sparse_name, v, vn, "pax GNU.sparse.name", e);
	if ((key_is(k, kn, "uname") || key_is(k, kn, "gname")) && memchr(v, 0, vn))
		return fail(c, e, "pax %.*s holds a NUL byte", (int)kn, k);
	if (key_is(k, kn, "size") || key_is(k, kn, "uid") || key_is(k, kn, "gid") ||
	    (sparse &&
	     (key_is(k, kn, "GNU.sparse.size") || key_is(k, kn, "GNU.sparse.realsize")))) {
		if (!dec_ok(v, vn, false))
			return fail(c, e, "pax %.*s '%.*s' is not a decimal number", (int)kn, k,
				    (int)(vn > 32 ? 32 : vn), v);
	}
	if ((key_is(k, kn, "mtime") || key_is(k, kn, "atime") || key_is(k, kn, "ctime")) &&
	    !dec_ok(v, vn, true))
		return fail(c, e, "pax %.*s '%.*s' is not a time", (int)kn, k,
			    (int)(vn > 32 ? 32 : vn), v);
	if (key_is(k, kn, "size")) {
		c->pax_size = 0;
		for (size_t i = 0; i < vn; i++)
			c->pax_size = c->pax_size * 10 + (v[i] - '0');
		c->pax_size_set = true;
	}
	return 0;
}

/* The records of an 'x' or 'g' header, Go's parsePAXRecord; only 'x' ones apply. */
static int
pax_records(struct tarcheck *c, bool apply, struct err *e)
{
	const char *s = c->sdata;
	size_t left = c->slen;

	while (left) {
		size_t sp = 0, n = 0;
		const char *rec, *eq;
		size_t rn;

		for (; sp < left && s[sp] >= '0' && s[sp] <= '9' && n <= left; sp++)
			n = n * 10 + (size_t)(s[sp] - '0');
		if (!sp || sp >= left || s[sp] != ' ' || n < 5 || n > left || sp + 2 > n ||
		    s[n - 1] != '\n')
			return fail(c, e, "pax record with a bad length");
		rec = s + sp + 1;
		rn = n - sp - 2;
		eq = memchr(rec, '=', rn);
		if (!eq || eq == rec || memchr(rec, 0, (size_t)(eq - rec)))
			return fail(c, e, "pax record without a key");
		if (apply && pax_record(c, rec, (size_t)(eq - rec), eq + 1,
					rn - (size_t)(eq - rec) - 1, e) < 0)
			return -1;
		s += n;
		left -= n;
	}
	return 0;
}

static void enter_data(struct tarcheck *c, uint64_t size);

static int
end_data(struct tarcheck *c, struct err *e)
{
	char t = c->special;
	int rc = 0;

	c->state = TC_HEADER;
	c->special = 0;
	if (t == 'x' || t == 'g')
		rc = pax_records(c, t == 'x', e);
	else if (t == 'L' || t == 'K') {
		size_t n = strnlen(c->sdata ? c->sdata : "", c->slen);

		if (!n)
			rc = fail(c, e, "empty GNU long %s", t == 'L' ? "name" : "link");
		else
			*(t == 'L' ? &c->long_name : &c->long_link) = xstrndup(c->sdata, n);
	}
	c->slen = 0;
	return rc;
}

static void
enter_data(struct tarcheck *c, uint64_t size)
{
	c->remain = size;
	c->pad = (BLK - size % BLK) % BLK;
	c->state = TC_DATA;
}

static char *
header_name(const unsigned char *h, bool ustar)
{
	size_t n = strnlen((const char *)h, 100),
	       pn = ustar ? strnlen((const char *)h + 345, 155) : 0;

	if (!pn)
		return xstrndup((const char *)h, n);
	return xasprintf("%.*s/%.*s", (int)pn, (const char *)h + 345, (int)n, (const char *)h);
}

static bool
header_only(char type, const char *name)
{
	return strchr("123456", type) || (type == '0' && *name && name[strlen(name) - 1] == '/');
}

/* A header of a file, link, directory or node: the entry libarchive must report next. */
static int
entry(struct tarcheck *c, char type, int64_t size, bool ustar, struct err *e)
{
	struct tarcheck_entry en = {.type = type, .size = size};

	if (c->pax_path && c->long_name)
		return fail(c, e, "both a pax path and a GNU long name");
	if (c->pax_link && c->long_link)
		return fail(c, e, "both a pax linkpath and a GNU long link");
	entry_free(&c->cur);
	c->cur.name = c->sparse_name ? xstrdup(c->sparse_name)
		      : c->pax_path  ? xstrdup(c->pax_path)
		      : c->long_name ? xstrdup(c->long_name)
				     : header_name(c->blk, ustar);
	if (!*c->cur.name)
		return fail(c, e, "empty name");
	if (size < 0)
		return fail(c, e, "negative size");
	if (header_only(type, c->cur.name) && size)
		return fail(c, e, "type '%c' carries no data, yet its size is %lld", type,
			    (long long)size);
	en.name = xstrdup(c->cur.name);
	en.link = c->pax_link	 ? xstrdup(c->pax_link)
		  : c->long_link ? xstrdup(c->long_link)
				 : xstrndup((const char *)c->blk + 157, 100);
	en.sparse = type == 'S' || c->pax_sparse;
	en.map_in_data = c->pax_sparse10;
	xgrow((void **)&c->q, &c->qcap, c->qlen + 1, sizeof(*c->q));
	c->q[c->qlen++] = en;
	clear_pending(c);
	if (header_only(type, en.name))
		size = 0;
	if (type == 'S' && c->blk[482]) {
		c->remain = (uint64_t)size; /* data after the extension blocks */
		c->state = TC_EXT;
		return 0;
	}
	enter_data(c, (uint64_t)size);
	return c->remain || c->pad ? 0 : end_data(c, e);
}

static int
header(struct tarcheck *c, struct err *e)
{
	const unsigned char *h = c->blk;
	bool ustar = !memcmp(h + 257,
			     "ustar\0"
			     "00",
			     8),
	     gnu = !memcmp(h + 257, "ustar  \0", 8);
	char type = h[156] ? (char)h[156] : '0';
	int64_t size;

	entry_free(&c->cur);
	/*
	 * A first block that fails its checksum: the input was never a tar
	 * archive, and nothing of it is quoted (a text file's first line would
	 * be the "name"). Later, a corrupt header of an archive read so far is
	 * named, which says where it broke.
	 */
	if (c->offset == BLK && !checksum_ok(h))
		return err_code(e, "invalid",
				"not a tar archive (its first block is no tar header)");
	c->cur.name = xstrndup((const char *)h, 100);
	if (!checksum_ok(h))
		return fail(c, e, "bad header checksum");
	if (!ustar && !gnu && !is_zero(h + 257, 8))
		return fail(c, e, "unknown header magic");
	if (ustar && !memcmp(h + 508, "tar\0", 4))
		return fail(c, e, "star headers are not supported");
	if (check_fields(c, common_fields, 5, e) < 0 ||
	    ((ustar || gnu) && check_fields(c, ustar_fields, 2, e) < 0) ||
	    (gnu && check_fields(c, gnu_fields, 2, e) < 0) ||
	    (type == 'S' && check_fields(c, sparse_fields, 9, e) < 0))
		return -1;
	if (!strchr("0123456xgLKS", type))
		return fail(c, e, "unsupported entry type '%c'",
			    type > 32 && type < 127 ? type : '?');
	num_parse(h + 124, 12, &size);
	if (strchr("xgLK", type)) {
		if (size < 0 || size > (int64_t)TARCHECK_SPECIAL_MAX)
			return fail(c, e, "type '%c' header of %lld bytes", type, (long long)size);
		if ((type == 'L' && c->long_name) || (type == 'K' && c->long_link))
			return fail(c, e, "two GNU long %ss for one entry",
				    type == 'L' ? "name" : "link");
		c->special = type;
		xgrow((void **)&c->sdata, &c->scap, (size_t)size + 1, 1);
		enter_data(c, (uint64_t)size);
		return c->remain ? 0 : end_data(c, e);
	}
	if (c->pax_size_set)
		size = c->pax_size;
	return entry(c, type, size, ustar, e);
}

/* An old GNU sparse extension block: 21 (offset, length) pairs, then "more follow". */
static int
ext_block(struct tarcheck *c, struct err *e)
{
	int64_t v;

	for (unsigned i = 0; i < 42; i++)
		if (!num_parse(c->blk + i * 12, 12, &v))
			return fail(c, e, "sparse extension field is not a number that fits");
	if (c->blk[504])
		return 0;
	enter_data(c, c->remain);
	return c->remain || c->pad ? 0 : end_data(c, e);
}

static bool
pending(const struct tarcheck *c)
{
	return c->keys_len || c->long_name || c->long_link || c->pax_path || c->pax_link;
}

static int
block(struct tarcheck *c, struct err *e)
{
	bool zero = is_zero(c->blk, BLK);

	switch (c->state) {
	case TC_EXT:
		return ext_block(c, e);
	case TC_END1:
		if (!zero)
			return fail(c, e, "a header after an end-of-archive block");
		c->state = TC_TRAILER;
		return 0;
	default:
		if (!zero)
			return header(c, e);
		if (pending(c))
			return fail(c, e, "extended header without an entry");
		entry_free(&c->cur);
		c->state = TC_END1;
		return 0;
	}
}

static size_t
feed_data(struct tarcheck *c, const unsigned char *p, size_t len)
{
	size_t d = len < c->remain ? len : (size_t)c->remain, take = d;

	if (c->special) {
		memcpy(c->sdata + c->slen, p, d);
		c->slen += d;
	}
	c->remain -= d;
	if (!c->remain) {
		size_t pd = len - d < c->pad ? len - d : (size_t)c->pad;

		c->pad -= pd;
		take += pd;
	}
	return take;
}

int
tarcheck_feed(struct tarcheck *c, const void *buf, size_t len, struct err *e)
{
	const unsigned char *p = buf;

	while (len) {
		size_t take;

		if (c->state == TC_TRAILER) {
			if (!is_zero(p, len))
				return fail(c, e, "data after the end-of-archive blocks");
			c->offset += len;
			return 0;
		}
		if (c->state == TC_DATA) {
			take = feed_data(c, p, len);
			c->offset += take;
			p += take;
			len -= take;
			if (!c->remain && !c->pad && end_data(c, e) < 0)
				return -1;
			continue;
		}
		take = BLK - c->have < len ? BLK - c->have : len;
		memcpy(c->blk + c->have, p, take);
		c->have += take;
		c->offset += take;
		p += take;
		len -= take;
		if (c->have == BLK) {
			c->have = 0;
			if (block(c, e) < 0)
				return -1;
		}
	}
	return 0;
}

int
tarcheck_end(struct tarcheck *c, struct err *e)
{
	if (c->have || c->state == TC_DATA || c->state == TC_EXT)
		return fail(c, e, "truncated archive");
	if (pending(c))
		return fail(c, e, "extended header without an entry");
	return 0;
}
