/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the strict tar reader: headers built byte by byte here, one per malformation. */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tarread.h"
#include "xmem.h"

/* ---- building tars by hand --------------------------------------------- */

struct tar {
	unsigned char *b;
	size_t len, cap;
};

static unsigned char *
grow(struct tar *t, size_t n)
{
	xgrow((void **)&t->b, &t->cap, t->len + n, 1);
	memset(t->b + t->len, 0, n);
	t->len += n;
	return t->b + t->len - n;
}

/* A ustar header of name, type and size: fields octal, checksum not yet set. */
static unsigned char *
hdr(struct tar *t, const char *name, char type, size_t size)
{
	unsigned char *h = grow(t, 512);

	memcpy(h, name, strnlen(name, 100));
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size & 077777777777ull);
	memcpy(h + 136, "14400000000", 12);
	h[156] = (unsigned char)type;
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	return h;
}

static void
sum(unsigned char *h)
{
	unsigned s = 0;

	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		s += h[i];
	snprintf((char *)h + 148, 8, "%06o", s);
}

static void
data(struct tar *t, const void *p, size_t n)
{
	unsigned char *at = grow(t, (n + 511) / 512 * 512);

	if (n)
		memcpy(at, p, n);
}

/* A whole entry: header (checksummed) and its data. */
static void
ent(struct tar *t, const char *name, char type, const char *body)
{
	size_t n = body ? strlen(body) : 0;

	sum(hdr(t, name, type, n));
	data(t, body, n);
}

/* An 'x' header of the given records, raw. */
static void
pax_raw(struct tar *t, const char *records, size_t n)
{
	sum(hdr(t, "PaxHeaders/x", 'x', n));
	data(t, records, n);
}

/* An 'x' header of "key=value" records, lengths computed (Go's formatPAXRecord). */
static void
pax(struct tar *t, const char *kv1, const char *kv2)
{
	char buf[512];
	size_t n = 0;

	for (const char *kv = kv1; kv; kv = kv == kv1 ? kv2 : NULL) {
		size_t len = strlen(kv) + 2, digits = len < 8 ? 1 : len < 98 ? 2 : 3;

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%zu %s\n", len + digits, kv);
	}
	pax_raw(t, buf, n);
}

static void
end(struct tar *t)
{
	grow(t, 1024);
}

/* ---- reading them ------------------------------------------------------ */

struct mem {
	const unsigned char *p;
	size_t len, pos, chunk;
};

static ssize_t
mem_read(void *ud, void *buf, size_t cap, struct err *e)
{
	struct mem *m = ud;
	size_t n = m->len - m->pos;

	(void)e;
	if (n > cap)
		n = cap;
	if (n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

/* Read every entry and its data; 0, or -1 with e. names gets "a,b,". */
static int
read_tar(const struct tar *t, size_t chunk, char *names, size_t nn, struct err *e)
{
	struct mem m = {.p = t->b, .len = t->len, .chunk = chunk};
	struct tarread tr;
	struct archive_entry *en;
	char buf[700];
	int rc;

	names[0] = '\0';
	if (tarread_open(&tr, mem_read, &m, e) < 0) {
		tarread_release(&tr);
		return -1;
	}
	while ((rc = tarread_next(&tr, &en, e)) > 0) {
		ssize_t n;

		snprintf(names + strlen(names), nn - strlen(names), "%s,",
			 archive_entry_pathname(en));
		while ((n = tarread_data(&tr, buf, sizeof(buf), e)) > 0)
			;
		if (n < 0) {
			rc = -1;
			break;
		}
	}
	tarread_release(&tr);
	return rc;
}

/* ---- the cases --------------------------------------------------------- */

static void
mk_good(struct tar *t)
{
	char long_name[300];

	ent(t, "dir/", '5', NULL);
	ent(t, "dir/file", '0', "hello");
	sum(memcpy(hdr(t, "dir/sym", '2', 0) + 157, "file", 4) - 157);
	pax(t, "path=dir/a-pax-long-name", NULL);
	ent(t, "ignored", '0', "x");
	memset(long_name, 'n', sizeof(long_name));
	long_name[299] = '\0';
	ent(t, "././@LongLink", 'L', long_name);
	ent(t, "short", '0', "");
	end(t);
	grow(t, 4096); /* zeros after the end blocks, as tar pads a record */
}

static void
mk_checksum(struct tar *t)
{
	ent(t, "ok", '0', "1");
	ent(t, "bad", '0', "2");
	t->b[512 + 512 + 150] ^= 1;
	end(t);
}

/* A text file, as /etc/passwd: none of it may be quoted as an entry's name. */
static void
mk_text(struct tar *t)
{
	for (int i = 0; i < 40; i++)
		memcpy(grow(t, 32), "root:x:0:0:secret:/root:/bin/sh\n", 32);
}

static void
mk_type(struct tar *t)
{
	ent(t, "vol", 'V', NULL);
	end(t);
}

static void
mk_link_size(struct tar *t)
{
	unsigned char *h = hdr(t, "l", '1', 512);

	memcpy(h + 157, "target", 6);
	sum(h);
	ent(t, "hidden", '0', "smuggled"); /* data to libarchive, a header to Go */
	end(t);
}

static void
mk_pax_len(struct tar *t)
{
	pax_raw(t, "99 path=x\n", 10);
	ent(t, "f", '0', NULL);
	end(t);
}

static void
mk_pax_dup_headers(struct tar *t)
{
	pax(t, "path=a", NULL);
	pax(t, "path=b", NULL);
	ent(t, "f", '0', NULL);
	end(t);
}

static void
mk_pax_nul(struct tar *t)
{
	pax_raw(t, "12 path=a\0b\n", 12);
	ent(t, "f", '0', NULL);
	end(t);
}

static void
mk_pax_alone(struct tar *t)
{
	pax(t, "path=a", NULL);
	end(t);
}

static void
mk_two_long(struct tar *t)
{
	ent(t, "././@LongLink", 'L', "first");
	ent(t, "././@LongLink", 'L', "second");
	ent(t, "f", '0', NULL);
	end(t);
}

static void
mk_pax_and_long(struct tar *t)
{
	pax(t, "path=a", NULL);
	ent(t, "././@LongLink", 'L', "b");
	ent(t, "f", '0', NULL);
	end(t);
}

static void
mk_special_huge(struct tar *t)
{
	sum(hdr(t, "././@LongLink", 'L', 2u << 20));
	end(t);
}

/* An old GNU sparse header "s" of size bytes of data: its first two map pairs, real size 10. */
static unsigned char *
old_sparse(struct tar *t, size_t size, const char *o1, const char *l1, const char *o2,
	   const char *l2)
{
	unsigned char *h = hdr(t, "s", 'S', size);
	const char *f[4] = {o1, l1, o2, l2};

	memcpy(h + 257, "ustar  ", 8);
	for (int i = 0; i < 4; i++)
		if (f[i])
			memcpy(h + 386 + 12 * i, f[i], 11);
	memcpy(h + 483, "00000000012", 11);
	return h;
}

static void
mk_old_sparse(struct tar *t)
{
	sum(old_sparse(t, 0, "00000000z00", NULL, NULL, NULL));
	end(t);
}

static void
mk_empty_name(struct tar *t)
{
	ent(t, "", '0', NULL);
	end(t);
}

static void
mk_truncated(struct tar *t)
{
	sum(hdr(t, "f", '0', 2000));
	grow(t, 512);
}

static void
mk_partial_block(struct tar *t)
{
	ent(t, "f", '0', NULL);
	ent(t, "g", '0', NULL);
	t->len -= 100;
}

static void
mk_after_one_zero(struct tar *t)
{
	ent(t, "f", '0', NULL);
	grow(t, 512);
	ent(t, "hidden", '0', NULL); /* libarchive ends at one zero block; Go refuses */
	end(t);
}

static void
mk_trailing(struct tar *t)
{
	ent(t, "f", '0', NULL);
	end(t);
	ent(t, "hidden", '0', NULL); /* what a concatenated-archive reader would apply */
	end(t);
}

/* A pax GNU sparse 0.1 entry "f" of real size 10 with map, its 4 bytes of data. */
static void
sparse01(struct tar *t, const char *map)
{
	pax(t, map, "GNU.sparse.realsize=10");
	ent(t, "f", '0', "abcd");
	end(t);
}

static void
mk_sparse_unordered(struct tar *t)
{
	sparse01(t, "GNU.sparse.map=8,2,0,2");
}

static void
mk_sparse_overlap(struct tar *t)
{
	sparse01(t, "GNU.sparse.map=0,3,2,1");
}

static void
mk_sparse_beyond(struct tar *t)
{
	sparse01(t, "GNU.sparse.map=0,2,20,2");
}

/* A map of 4 bytes of data over an entry of 6, and of 4 over 2: the rest read two ways. */
static void
mk_sparse_data_more(struct tar *t)
{
	pax(t, "GNU.sparse.map=0,2,8,2", "GNU.sparse.realsize=10");
	ent(t, "f", '0', "abcdef");
	end(t);
}

static void
mk_sparse_data_less(struct tar *t)
{
	pax(t, "GNU.sparse.map=0,2,8,2", "GNU.sparse.realsize=10");
	ent(t, "f", '0', "ab");
	end(t);
}

/* Old GNU sparse: (8, 2) before (0, 2). */
static void
mk_old_sparse_unordered(struct tar *t)
{
	sum(old_sparse(t, 4, "00000000010", "00000000002", "00000000000", "00000000002"));
	data(t, "abcd", 4);
	end(t);
}

static void
mk_link_not_utf8(struct tar *t)
{
	pax(t, "linkpath=\xff\xfe", NULL);
	ent(t, "l", '2', NULL);
	end(t);
}

static void
mk_uname_not_utf8(struct tar *t)
{
	pax(t, "uname=\xff\xfe", "gname=\xfe\xff");
	ent(t, "f", '0', NULL);
	end(t);
}

/* A case: a builder, or one header "f" with bytes patched in, or an 'x' header before "f". */
static const struct tcase {
	const char *what;
	const char *want; /* in the message */
	void (*mk)(struct tar *t);
	unsigned off;
	const char *patch;
	size_t n;
	const char *kv1, *kv2;
	char type; /* an entry "x" of this type (with data) before "f" */
} cases[] = {
    {"bad checksum", "'bad': bad header checksum", mk_checksum},
    {"a text file", "not a tar archive (its first block is no tar header)", mk_text},
    /* libarchive reads 1 here: it stops at the first byte that is not octal */
    {"non-octal size", "size field", .off = 124, .patch = "0000000001x", .n = 11},
    {"base-256 size overflowing", "size field", .off = 124,
     .patch = "\x80\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", .n = 12},
    {"non-octal mode", "mode field", .off = 100, .patch = "0008644", .n = 7},
    {"space inside a number", "uid field", .off = 108, .patch = "00 1000", .n = 7},
    {"unknown magic", "magic", .off = 263, .patch = "99", .n = 2},
    {"star header", "star", .off = 508, .patch = "tar", .n = 4},
    {"volume header type", "unsupported entry type 'V'", mk_type},
    {"hard link with data", "carries no data", mk_link_size},
    {"pax record longer than its header", "bad length", mk_pax_len},
    {"pax key twice in a header", "'path' given twice", .kv1 = "path=a", .kv2 = "path=b"},
    {"pax key twice across headers", "'path' given twice", mk_pax_dup_headers},
    {"pax size not decimal", "not a decimal", .kv1 = "size=1x"},
    {"pax path with a NUL", "NUL", mk_pax_nul},
    {"pax mtime not a time", "not a time", .kv1 = "mtime=12x"},
    {"pax device numbers", "libarchive only", .kv1 = "SCHILY.devmajor=1"},
    {"pax header without an entry", "without an entry", mk_pax_alone},
    {"unknown GNU sparse format (libarchive warns)", "'f'", .kv1 = "GNU.sparse.major=9",
     .kv2 = "GNU.sparse.minor=9"},
    {"two GNU long names", "two GNU long names", mk_two_long},
    {"pax path and GNU long name", "both", mk_pax_and_long},
    {"GNU long name of 2 MiB", "header of", mk_special_huge},
    {"old GNU sparse map not octal", "sparse offset", mk_old_sparse},
    {"empty name", "empty name", mk_empty_name},
    {"truncated data", "runcated", mk_truncated},
    {"partial last block", "runcated", mk_partial_block},
    {"header after one zero block", "after an end-of-archive block", mk_after_one_zero},
    {"entries after the end blocks", "after the end-of-archive blocks", mk_trailing},
    /* libarchive warns that it cannot convert the name */
    {"pax path not UTF-8", "tar entry", .kv1 = "path=\xff\xfe.txt"},
    /* skipped entries: types libarchive drops or folds into the next entry, Go reads as files */
    {"GNU multivolume continuation", "unsupported entry type 'M'", .type = 'M'},
    {"GNU old long names", "unsupported entry type 'N'", .type = 'N'},
    {"Solaris ACL", "unsupported entry type 'A'", .type = 'A'},
    {"Solaris extended attributes", "unsupported entry type 'X'", .type = 'X'},
    /* sparse maps: out of order, overlapping, past the real size */
    {"pax sparse map out of order", "'f'", mk_sparse_unordered},
    {"pax sparse map overlapping", "'f'", mk_sparse_overlap},
    {"pax sparse map past the end", "'f'", mk_sparse_beyond},
    {"old GNU sparse map out of order", "'s'", mk_old_sparse_unordered},
    {"sparse map of less data than the entry's", "'f'", mk_sparse_data_more},
    {"sparse map of more data than the entry's", "'f'", mk_sparse_data_less},
    /* charset conversion of the other strings */
    {"pax linkpath not UTF-8", "'l'", mk_link_not_utf8},
    {"pax uname and gname not UTF-8", "'f'", mk_uname_not_utf8},
};

static void
build(struct tar *t, const struct tcase *c)
{
	unsigned char *h;

	if (c->mk) {
		c->mk(t);
		return;
	}
	if (c->kv1 || c->type) {
		if (c->kv1)
			pax(t, c->kv1, c->kv2);
		else
			ent(t, "x", c->type, "user::rw-\n");
		ent(t, "f", '0', NULL);
	} else {
		h = hdr(t, "f", '0', 0);
		memcpy(h + c->off, c->patch, c->n);
		sum(h);
	}
	end(t);
}

static void
test_tarread_good(void)
{
	struct tar t = {0};
	char names[1024], want[1024];
	struct err e = {0};

	mk_good(&t);
	snprintf(want, sizeof(want), "dir/,dir/file,dir/sym,dir/a-pax-long-name,");
	memset(want + strlen(want), 'n', 299);
	memcpy(want + strlen("dir/,dir/file,dir/sym,dir/a-pax-long-name,") + 299, ",", 2);
	for (size_t chunk = 1; chunk < 1u << 20; chunk *= 37) {
		ok(read_tar(&t, chunk, names, sizeof(names), &e) == 0,
		   "well-formed tar, chunks of %zu (%s)", chunk, e.msg);
		is_str(names, want, "every entry, pax and GNU names applied");
	}
	t.len -= 4096 + 1024; /* no end blocks at all: Go reads it too */
	ok(read_tar(&t, 4096, names, sizeof(names), &e) == 0, "EOF at a header boundary (%s)",
	   e.msg);
	free(t.b);
}

/* The whole data of the single entry of t, holes as zeros; its length, or -1. */
static ssize_t
read_one(const struct tar *t, char *out, size_t cap, struct err *e)
{
	struct mem m = {.p = t->b, .len = t->len, .chunk = 512};
	struct tarread tr;
	struct archive_entry *en;
	ssize_t n, got = 0;

	if (tarread_open(&tr, mem_read, &m, e) < 0 || tarread_next(&tr, &en, e) != 1) {
		tarread_release(&tr);
		return -1;
	}
	while ((n = tarread_data(&tr, out + got, cap - (size_t)got, e)) > 0)
		got += n;
	if (n < 0 || tarread_next(&tr, &en, e) != 0)
		got = -1;
	tarread_release(&tr);
	return got;
}

/* Sparse maps that cover their data exactly read the same in every GNU format. */
static void
test_tarread_sparse_good(void)
{
	static const char want[10] = "ab\0\0\0\0\0\0cd";
	struct tar t = {0};
	char out[64];
	struct err e = {0};

	pax(&t, "GNU.sparse.map=0,2,8,2", "GNU.sparse.realsize=10");
	ent(&t, "f", '0', "abcd");
	end(&t);
	ok(read_one(&t, out, sizeof(out), &e) == 10 && !memcmp(out, want, 10),
	   "pax sparse 0.1: two fragments, a hole between (%s)", e.msg);
	free(t.b);
	memset(&t, 0, sizeof(t));
	/* a NUL offset ends the map, as in Go: the first pair's is written out */
	sum(old_sparse(&t, 4, "00000000000", "00000000002", "00000000010", "00000000002"));
	data(&t, "abcd", 4);
	end(&t);
	ok(read_one(&t, out, sizeof(out), &e) == 10 && !memcmp(out, want, 10),
	   "old GNU sparse: the same (%s)", e.msg);
	free(t.b);
}

static void
test_tarread_refuses(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t chunk = 5; chunk < 1u << 20; chunk *= 211) {
			struct tar t = {0};
			char names[1024];
			struct err e = {0};
			int rc;

			build(&t, &cases[i]);
			rc = read_tar(&t, chunk, names, sizeof(names), &e);
			ok(rc < 0 && e.code && !strcmp(e.code, "invalid") &&
			       strstr(e.msg, cases[i].want),
			   "%s, chunks of %zu: refused (%s)", cases[i].what, chunk, e.msg);
			ok(!strchr(e.msg, '\n'), "one line");
			ok(!strstr(e.msg, "secret"), "nothing of a text file quoted");
			free(t.b);
		}
	}
}

int
main(void)
{
	/* what ctr-unpack runs in: pax UTF-8 names converted to themselves */
	setlocale(LC_CTYPE, "C.UTF-8");
	RUN(test_tarread_good);
	RUN(test_tarread_sparse_good);
	RUN(test_tarread_refuses);
	return tap_done();
}
