/* SPDX-License-Identifier: Apache-2.0 */
/* Strict JSON input and flushed line output. */
#include "jsonio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fdio.h"
#include "prog.h"
#include "xmem.h"

json_t *
jsonio_parse(const char *buf, size_t len, const char *what, struct err *e)
{
	json_error_t je;
	/* JSON_ALLOW_NUL is not set: a NUL inside a string is an error, as it should be */
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);

	if (!j) {
		err_code(e, "invalid", "%s:%d:%d: %s", what, je.line, je.column, je.text);
		return NULL;
	}
	return j;
}

json_t *
jsonio_load_fd(int fd, size_t max, const char *what, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (fdio_read_all(fd, max, &buf, &len, e) < 0) {
		err_prefix(e, "%s", what);
		return NULL;
	}
	if (len == 0) {
		err_code(e, "invalid", "%s: empty input, expected a JSON document", what);
		return NULL;
	}
	return jsonio_parse(buf, len, what, e);
}

json_t *
jsonio_load_at(int dirfd, const char *name, size_t max, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (fdio_read_file_at(dirfd, name, max, &buf, &len, e) < 0)
		return NULL;
	return jsonio_parse(buf, len, name, e);
}

static void
write_flags(FILE *f, const json_t *doc, size_t flags)
{
	if (json_dumpf(doc, f, flags) < 0 || fputc('\n', f) == EOF || fflush(f) == EOF)
		die(EXIT_SYS, "write JSON output: %s", strerror(errno ? errno : EIO));
}

void
jsonio_write(FILE *f, const json_t *doc)
{
	write_flags(f, doc, JSON_COMPACT);
}

void
jsonio_write_pretty(FILE *f, const json_t *doc)
{
	write_flags(f, doc, JSON_INDENT(2) | JSON_SORT_KEYS);
}

const char *
jsonio_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int
by_member(const void *a, const void *b, void *key)
{
	return strcmp(jsonio_str(*(json_t *const *)a, key) ?: "",
		      jsonio_str(*(json_t *const *)b, key) ?: "");
}

json_t *
jsonio_sorted_by(json_t *list, const char *key)
{
	size_t n = json_array_size(list);
	_cleanup_free_ json_t **v = xcalloc(n + 1, sizeof(*v));
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	qsort_r(v, n, sizeof(*v), by_member, (void *)key);
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	json_decref(list);
	return out;
}
