/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-cri's records, $ROOT/cri/KIND/<id>/record.json: one directory per pod or container, written atomically. */
#include "record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "jsonio.h"
#include "lock.h"
#include "log.h"
#include "path.h"
#include "pbmap.h"
#include "prog.h"
#include "xmem.h"

#define RECORD_FILE "record.json"
#define RECORD_MAX (1 << 20)

int
record_dir(const struct state *st, const char *kind, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("cri/%s", kind);

	return state_dir(st, rel, 0, e);
}

char *
record_path(const struct state *st, const char *kind, const char *id)
{
	return xasprintf("%s/cri/%s/%s", st->root, kind, id);
}

void
record_new_id(char id[RECORD_ID_LEN + 1])
{
	unsigned char b[RECORD_ID_LEN / 2];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		die(EXIT_SYS, "getrandom: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
}

static bool
is_id(const char *s)
{
	return strlen(s) == RECORD_ID_LEN && strspn(s, "0123456789abcdef") == RECORD_ID_LEN;
}

int
record_resolve(int dirfd, const char *what, const char *noun, char **out, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	size_t n = strlen(what);
	struct dirent *de;
	int fd;

	*out = NULL;
	if (n == 0 || n > RECORD_ID_LEN || strspn(what, "0123456789abcdef") != n)
		return err_code(e, "not-found", "no %s '%.80s'", noun, what);
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_set(e, errno, "open the records");
	}
	while ((de = readdir(d))) {
		if (!is_id(de->d_name) || strncmp(de->d_name, what, n) != 0)
			continue;
		if (*out) {
			free(*out);
			*out = NULL;
			return err_code(e, "invalid", "%s id '%s' is ambiguous", noun, what);
		}
		*out = xstrdup(de->d_name);
	}
	return *out ? 0 : err_code(e, "not-found", "no %s '%.80s'", noun, what);
}

json_t *
record_load(int dirfd, const char *id, const char *noun, struct err *e)
{
	_cleanup_free_ char *rel = NULL;

	if (!is_id(id)) {
		err_code(e, "not-found", "no %s '%.80s'", noun, id);
		return NULL;
	}
	rel = xasprintf("%s/" RECORD_FILE, id);
	if (faccessat(dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		err_code(e, "not-found", "no %s '%s'", noun, id);
		return NULL;
	}
	return jsonio_load_at(dirfd, rel, RECORD_MAX, e);
}

/*
 * A new record appears whole: made in .new-PID-ID and renamed, so a
 * creator killed half-way leaves no directory List cannot see but ls can,
 * only a dot name that record_list reclaims once PID is gone.
 */
static int
record_create(int dirfd, const char *id, const json_t *rec, struct err *e)
{
	_cleanup_free_ char *tmp = xasprintf(".new-%d-%s", (int)getpid(), id);
	_cleanup_close_ int fd = -1;
	struct err ignored;

	if (mkdirat(dirfd, tmp, 0700) < 0)
		return err_set(e, errno, "mkdir '%s'", tmp);
	if ((fd = openat(dirfd, tmp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err_set(e, errno, "open '%s'", tmp);
	} else if (afile_write_json(fd, RECORD_FILE, rec, e) == 0) {
		if (renameat(dirfd, tmp, dirfd, id) == 0)
			return 0;
		err_set(e, errno, "rename '%s' to '%s'", tmp, id);
	}
	path_rm_rf(dirfd, tmp, &ignored);
	return -1;
}

/*
 * What a killed ctr-cri left: .gone-ID (a removal decided, anyone may
 * finish it) and .new-PID-ID of a creator no longer alive.
 */
static bool
record_leftover(const char *name)
{
	int pid;

	if (path_is_gone(name))
		return true;
	if (sscanf(name, ".new-%d-", &pid) != 1 || pid <= 0)
		return false;
	return kill(pid, 0) < 0 && errno == ESRCH;
}

int
record_store(int dirfd, const json_t *rec, struct err *e)
{
	const char *id = jsonio_str(rec, "id");
	_cleanup_close_ int fd = -1;

	if (!id || !is_id(id))
		return err_code(e, "invalid", "record without an id");
	/*
	 * Refused rather than written: a record record_load would not read
	 * back is a pod or container nobody could list, stop or remove.
	 */
	if (json_dumpb(rec, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS) >= RECORD_MAX)
		return err_code(e, "too-large",
				"the record (names, labels, annotations) would take more than %d "
				"bytes",
				RECORD_MAX - 1);
	fd = openat(dirfd, id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return afile_write_json(fd, RECORD_FILE, rec, e);
	if (errno != ENOENT)
		return err_set(e, errno, "open '%s'", id);
	return record_create(dirfd, id, rec, e);
}

static int
by_created(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "created_at"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "created_at"));

	return (x > y) - (x < y);
}

json_t *
record_list(int dirfd, struct err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ json_t **recs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	json_t *out, *rec;
	int fd;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		err_set(e, errno, "open the records");
		return NULL;
	}
	while ((de = readdir(d))) {
		struct err le;

		if (record_leftover(de->d_name) && path_rm_rf(dirfd, de->d_name, &le) < 0)
			log_warn("%s", le.msg);
		if (!is_id(de->d_name))
			continue;
		if ((rec = record_load(dirfd, de->d_name, "record", &le))) {
			xgrow((void **)&recs, &cap, n + 1, sizeof(*recs));
			recs[n++] = rec;
		} else if (strcmp(le.code ? le.code : "", "not-found") != 0)
			log_warn("record %s: %s", de->d_name, le.msg);
	}
	if (n)
		qsort(recs, n, sizeof(recs[0]), by_created);
	out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, recs[i]);
	return out;
}

int
record_remove(int dirfd, const char *id, struct err *e)
{
	if (!is_id(id))
		return err_code(e, "invalid", "bad id '%.80s'", id);
	/* never an ID directory whose record went first: record_list finishes a .gone-ID */
	return path_rm_rf_hidden(dirfd, id, e);
}

json_t *
record_find(const struct state *st, const char *kind, const char *noun, const char *what,
	    int *dirfd, int *lk, struct err *e)
{
	_cleanup_free_ char *id = NULL;

	if ((*dirfd = record_dir(st, kind, e)) < 0)
		return NULL;
	if (lk && (*lk = lock_at(*dirfd, ".lock", 0, e)) < 0)
		return NULL;
	if (record_resolve(*dirfd, what ? what : "", noun, &id, e) < 0)
		return NULL;
	return record_load(*dirfd, id, noun, e);
}

static bool
prefix_of(const char *have, const char *want)
{
	return !want || !want[0] || !strncmp(have ? have : "", want, strlen(want));
}

bool
record_match(const json_t *rec, const char *id, const char *pod_sandbox_id, void **label_selector,
	     size_t n_label_selector)
{
	return prefix_of(jsonio_str(rec, "id"), id) &&
	       prefix_of(jsonio_str(rec, "pod_sandbox_id"), pod_sandbox_id) &&
	       pbmap_match(json_object_get(rec, "labels"), label_selector, n_label_selector);
}
