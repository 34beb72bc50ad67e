/* SPDX-License-Identifier: Apache-2.0 */
/* One OCI layout per namespace over the shared blobs, and the split of a store made before them. */
#include "content.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "jsonio.h"
#include "state.h"
#include "xmem.h"

#define INDEX_MAX (64u << 20)
#define RECORD_MAX (1u << 20)
#define REF_NAME "org.opencontainers.image.ref.name"

static bool
is_default(const char *ns)
{
	return !strcmp(ns, STATE_DEFAULT_NS);
}

/* Has content/index.json been split (or made split)? 1, 0, or -1. */
static int
split_done(const struct content *c, json_t **idx, struct err *e)
{
	*idx = jsonio_load_at(c->dirfd, "index.json", INDEX_MAX, e);
	if (!*idx)
		return err_prefix(e, "content/index.json");
	return jsonio_str(json_object_get(*idx, "annotations"), CONTENT_NS_ANNOTATION) != NULL;
}

static int
mkdir_or_there(int dirfd, const char *name, struct err *e)
{
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "mkdir '%s'", name);
	return 0;
}

static int
symlink_or_there(const char *target, int dirfd, const char *name, struct err *e)
{
	if (symlinkat(target, dirfd, name) < 0 && errno != EEXIST)
		return err_set(e, errno, "symlink '%s'", name);
	return 0;
}

/* layouts/NS with its oci-layout, index.json and blobs link; its fd. Caller holds the lock. */
static int
make_layout(const struct content *c, const char *ns, struct err *e)
{
	_cleanup_free_ char *rel = xasprintf("layouts/%s", ns);
	_cleanup_close_ int fd = -1;
	json_auto_t *idx = json_pack("{s:i, s:[], s:{s:s}}", "schemaVersion", 2, "manifests",
				     "annotations", CONTENT_NS_ANNOTATION, ns);
	_cleanup_free_ char *text = json_dumps(idx, JSON_COMPACT | JSON_SORT_KEYS);
	struct stat sb;

	/* one path for every namespace: layouts/default is content/ itself */
	if (mkdir_or_there(c->rootfd, "layouts", e) < 0 ||
	    symlink_or_there("../content", c->rootfd, "layouts/" STATE_DEFAULT_NS, e) < 0 ||
	    mkdir_or_there(c->rootfd, rel, e) < 0)
		return -1;
	fd = openat(c->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "open '%s'", rel);
	/* the blobs are the store's: a layout is only names */
	if (symlink_or_there("../../content/blobs", fd, "blobs", e) < 0 ||
	    (fstatat(fd, "blobs/sha256", &sb, 0) < 0 && err_set(e, errno, "'%s/blobs'", rel)) ||
	    content_ensure_file(fd, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n", e) < 0 ||
	    content_ensure_file(fd, "index.json", text, e) < 0)
		return err_prefix(e, "layout of namespace '%s'", ns);
	return steal_fd(fd);
}

int
content_layout_open(const struct content *c, bool create, struct err *e)
{
	_cleanup_free_ char *rel = NULL;
	json_auto_t *idx = NULL;
	int fd, done;

	if (create && content_layout_migrate(c, e) < 0)
		return -1;
	if (is_default(c->ns))
		return fcntl(c->dirfd, F_DUPFD_CLOEXEC, 3);
	if (create)
		return make_layout(c, c->ns, e);
	rel = xasprintf("layouts/%s", c->ns);
	fd = openat(c->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : err_set(e, errno, "open '%s'", rel);
	/* an old store not split yet: its one index holds every namespace's names */
	if ((done = split_done(c, &idx, e)) < 0)
		return -1;
	if (!done)
		return fcntl(c->dirfd, F_DUPFD_CLOEXEC, 3);
	return err_code(e, "not-found", "namespace '%s' has no layout", c->ns);
}

/* owners[name] = [namespaces whose records name it], from images/NS/ *.json. */
static void
add_owners(int nsfd, const char *ns, json_t *owners)
{
	_cleanup_close_ int dup = fcntl(nsfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	struct dirent *de;

	if (!d)
		return;
	dup = -1;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct err ignored;
		json_auto_t *rec = NULL;
		const char *name;

		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		rec = jsonio_load_at(nsfd, de->d_name, RECORD_MAX, &ignored);
		if (!(name = jsonio_str(rec, "name")))
			continue;
		if (!json_object_get(owners, name))
			json_object_set_new(owners, name, json_array());
		json_array_append_new(json_object_get(owners, name), json_string(ns));
	}
	closedir(d);
}

static json_t *
record_owners(const struct content *c)
{
	_cleanup_close_ int fd = openat(c->rootfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	json_t *owners = json_object();
	struct dirent *de;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd)))
		return owners;
	fd = -1;
	while ((de = readdir(d))) {
		_cleanup_close_ int nsfd = -1;

		if (de->d_name[0] == '.')
			continue;
		nsfd =
		    openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nsfd >= 0)
			add_owners(nsfd, de->d_name, owners);
	}
	closedir(d);
	return owners;
}

/* Write each namespace's entries (per[ns]) into its layout. */
static int
write_layouts(const struct content *c, json_t *per, struct err *e)
{
	const char *ns;
	json_t *list;

	json_object_foreach(per, ns, list) {
		_cleanup_close_ int fd = make_layout(c, ns, e);
		json_auto_t *idx = NULL;

		if (fd < 0)
			return -1;
		idx = json_pack("{s:i, s:O, s:{s:s}}", "schemaVersion", 2, "manifests", list,
				"annotations", CONTENT_NS_ANNOTATION, ns);
		if (afile_write_json(fd, "index.json", idx, e) < 0)
			return -1;
	}
	return 0;
}

int
content_layout_migrate(const struct content *c, struct err *e)
{
	json_auto_t *idx = NULL, *owners = NULL, *per = json_object(), *keep = json_array();
	json_t *m, *nss, *ns, *ann;
	size_t i, j;
	int done = split_done(c, &idx, e);

	if (done != 0)
		return done < 0 ? -1 : 0;
	owners = record_owners(c);
	json_array_foreach(json_object_get(idx, "manifests"), i, m) {
		const char *r = jsonio_str(json_object_get(m, "annotations"), REF_NAME);
		bool kept = false;

		/* what no record names (skopeo wrote it) stays where its writer put it */
		if (!r || !(nss = json_object_get(owners, r))) {
			json_array_append(keep, m);
			continue;
		}
		json_array_foreach(nss, j, ns) {
			const char *n = json_string_value(ns);

			if (is_default(n) && !kept)
				kept = true, json_array_append(keep, m);
			if (is_default(n))
				continue;
			if (!json_object_get(per, n))
				json_object_set_new(per, n, json_array());
			json_array_append(json_object_get(per, n), m);
		}
	}
	if (write_layouts(c, per, e) < 0)
		return err_prefix(e, "split of content/index.json by namespace");
	json_object_set(idx, "manifests", keep);
	if (!json_is_object(ann = json_object_get(idx, "annotations")))
		json_object_set_new(idx, "annotations", ann = json_object());
	json_object_set_new(ann, CONTENT_NS_ANNOTATION, json_string(STATE_DEFAULT_NS));
	return afile_write_json(c->dirfd, "index.json", idx, e);
}
