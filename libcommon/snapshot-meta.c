/* SPDX-License-Identifier: Apache-2.0 */
/* Snapshot metadata records: one atomic JSON file per key under meta/. */
#include "snapshot-driver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "digest.h"
#include "jsonio.h"
#include "path.h"
#include "xmem.h"

#define META_MAX (1u << 20) /* a record with labels stays far below 1 MiB */

/* meta/<hex>.json: the key hashed, since a key may be 255 bytes or start with '.' */
static void
meta_name(const char *key, char out[DIGEST_HEX_LEN + 6])
{
	char d[DIGEST_STR_LEN + 1];

	digest_buf(key, strlen(key), d);
	snprintf(out, DIGEST_HEX_LEN + 6, "%s.json", digest_hex(d));
}

json_t *
snapshot_meta_load(struct snapshot_store *s, const char *key, struct err *e)
{
	char name[DIGEST_HEX_LEN + 6];
	json_t *rec;
	const char *got;

	meta_name(key, name);
	rec = jsonio_load_at(s->metafd, name, META_MAX, e);
	if (!rec) {
		if (e->sys == ENOENT)
			err_code(e, "not-found", "snapshot '%s' does not exist", key);
		return NULL;
	}
	got = jsonio_str(rec, "name");
	if (!got || strcmp(got, key) || !jsonio_str(rec, "id") || !jsonio_str(rec, "kind")) {
		json_decref(rec);
		err_code(e, "invalid", "record of snapshot '%s' (meta/%s) is corrupt", key, name);
		return NULL;
	}
	return rec;
}

int
snapshot_meta_save(struct snapshot_store *s, const json_t *rec, struct err *e)
{
	char name[DIGEST_HEX_LEN + 6];

	meta_name(jsonio_str(rec, "name"), name);
	return afile_write_json(s->metafd, name, rec, e);
}

int
snapshot_meta_delete(struct snapshot_store *s, const char *key, struct err *e)
{
	char name[DIGEST_HEX_LEN + 6];

	meta_name(key, name);
	if (unlinkat(s->metafd, name, 0) < 0)
		return err_set(e, errno, "remove record of '%s'", key);
	/* the removal must survive a crash as much as the creation did */
	if (fsync(s->metafd) < 0)
		return err_set(e, errno, "fsync snapshot records");
	return 0;
}

static bool
is_record_name(const char *n)
{
	size_t len = strlen(n);

	return len == DIGEST_HEX_LEN + 5 && !strcmp(n + DIGEST_HEX_LEN, ".json") &&
	       strspn(n, "0123456789abcdef") == DIGEST_HEX_LEN;
}

json_t *
snapshot_meta_all(struct snapshot_store *s, struct err *e)
{
	_cleanup_free_ char *what = xasprintf("%s/meta", s->path);
	_cleanup_closedir_ DIR *d = path_opendir(s->metafd, ".", what, e);
	json_t *all;
	struct dirent *de;

	if (!d)
		return NULL;
	all = json_array();
	while ((errno = 0, de = readdir(d))) {
		json_t *rec;

		if (!is_record_name(de->d_name))
			continue;
		rec = jsonio_load_at(s->metafd, de->d_name, META_MAX, e);
		/* a record removed between readdir and open is simply gone */
		if (!rec && e->sys == ENOENT)
			continue;
		if (!rec || !jsonio_str(rec, "name") || !jsonio_str(rec, "id")) {
			json_decref(rec);
			json_decref(all);
			err_code(e, "invalid", "corrupt snapshot record meta/%s", de->d_name);
			return NULL;
		}
		json_array_append_new(all, rec);
	}
	return all;
}
