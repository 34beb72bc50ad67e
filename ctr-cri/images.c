/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ImageService. Reads come from the records (imagedb); a pull runs
 * ctr-pull --unpack and a removal ctr-image rm, the stages that own them,
 * so that what ctr-image -n k8s.io ls shows is what the kubelet sees.
 */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "cleanup.h"
#include "ctr-cri/api.pb-c.h"
#include "du.h"
#include "imagedb.h"
#include "images.h"
#include "jsonio.h"
#include "ref.h"
#include "tool.h"
#include "xmem.h"

/* "1000" or "1000:1000" is a uid, anything else a user name, as containerd reads it. */
static void
image_user(struct arena *a, Runtime__V1__Image *img, const char *user)
{
	size_t n = strcspn(user, ":");
	char *end;
	long long uid;

	if (n == 0)
		return;
	errno = 0;
	uid = strtoll(user, &end, 10);
	if (isdigit((unsigned char)user[0]) && end == user + n && errno == 0) {
		img->uid = arena_alloc(a, sizeof(*img->uid));
		runtime__v1__int64_value__init(img->uid);
		img->uid->value = uid;
		return;
	}
	img->username = arena_printf(a, "%.*s", (int)n, user);
}

/* Add s to the list unless it is there already. */
static void
add_unique(char **list, size_t *n, char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(list[i], s) == 0)
			return;
	list[(*n)++] = s;
}

/* A record's names as CRI lists them: its tag (when it has one), and repository@digest. */
static void
image_names(struct arena *a, Runtime__V1__Image *img, const struct imagedb_rec *r)
{
	_cleanup_free_ char *repo = NULL;
	struct ref ref;
	struct err e;

	if (ref_parse(r->name, &ref, &e) < 0)
		return;
	repo = ref_name(&ref);
	if (ref.tag && !ref.digest)
		add_unique(img->repo_tags, &img->n_repo_tags, arena_strdup(a, r->name));
	add_unique(img->repo_digests, &img->n_repo_digests,
		   arena_printf(a, "%s@%s", repo, r->target));
	ref_release(&ref);
}

/* The Image message of id: every record that resolves to it names it. */
static Runtime__V1__Image *
image_msg(struct arena *a, const struct imagedb *db, const char *id)
{
	Runtime__V1__Image *img = arena_alloc(a, sizeof(*img));
	bool first = true;

	runtime__v1__image__init(img);
	img->id = arena_strdup(a, id);
	img->repo_tags = arena_array(a, db->n, sizeof(char *));
	img->repo_digests = arena_array(a, db->n, sizeof(char *));
	for (size_t i = 0; i < db->n; i++) {
		const struct imagedb_rec *r = &db->recs[i];

		if (strcmp(r->id, id) != 0)
			continue;
		if (first) {
			img->size = r->size;
			image_user(a, img, r->user);
			first = false;
		}
		image_names(a, img, r);
	}
	return img;
}

/* The image the spec names; *id NULL when there is none. -1: no such name can exist. */
static int
spec_find(const struct imagedb *db, const Runtime__V1__ImageSpec *spec, const char **id,
	  struct cri_status *s)
{
	struct err e;

	if (!spec || !spec->image || !spec->image[0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"no image named (ImageSpec.image)");
	if (imagedb_find(db, spec->image, id, &e) < 0)
		return cri_fail_err(s, &e);
	return 0;
}

static int
load(struct imagedb *db, struct cri *c, struct cri_status *s)
{
	struct err e;

	return imagedb_load(db, c->st, &e) < 0 ? cri_fail_err(s, &e) : 0;
}

int
images_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	    struct cri_status *s)
{
	const Runtime__V1__ListImagesRequest *q = (const Runtime__V1__ListImagesRequest *)req;
	Runtime__V1__ListImagesResponse *r = (Runtime__V1__ListImagesResponse *)resp;
	struct imagedb db;
	const char *only = NULL;
	const char **ids;
	size_t n = 0;

	if (load(&db, c, s) < 0)
		return -1;
	if (q->filter && q->filter->image && q->filter->image->image &&
	    q->filter->image->image[0] && spec_find(&db, q->filter->image, &only, s) < 0) {
		imagedb_release(&db);
		return -1;
	}
	ids = arena_array(arena, db.n, sizeof(*ids));
	for (size_t i = 0; i < db.n; i++)
		if (!only || strcmp(only, db.recs[i].id) == 0)
			add_unique((char **)ids, &n, db.recs[i].id);
	r->images = arena_array(arena, n, sizeof(*r->images));
	for (size_t i = 0; i < n; i++)
		r->images[r->n_images++] = image_msg(arena, &db, ids[i]);
	imagedb_release(&db);
	return 0;
}

/* No image by that name is no error: the answer has no image, and the kubelet pulls. */
int
images_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	      struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__ImageStatusRequest *q = (const Runtime__V1__ImageStatusRequest *)req;
	Runtime__V1__ImageStatusResponse *r = (Runtime__V1__ImageStatusResponse *)resp;
	struct imagedb db;
	const char *id;
	int rc;

	if (load(&db, c, s) < 0)
		return -1;
	rc = spec_find(&db, q->image, &id, s);
	if (rc == 0 && id)
		r->image = image_msg(arena, &db, id);
	imagedb_release(&db);
	return rc;
}

/* The credentials of a PullImage: *user for --creds, *pass for ctr-pull's stdin. */
static int
pull_creds(const Runtime__V1__AuthConfig *a, char **user, char **pass, struct cri_status *s)
{
	struct err e;

	*user = *pass = NULL;
	if (!a)
		return 0;
	if ((a->identity_token && a->identity_token[0]) ||
	    (a->registry_token && a->registry_token[0]))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"AuthConfig: identity_token and registry_token are not supported: "
				"give username and password, or auth");
	if (a->username && a->username[0]) {
		*user = xstrdup(a->username);
		*pass = xstrdup(a->password ? a->password : "");
	} else if (a->auth && a->auth[0]) {
		if (auth_decode(a->auth, user, pass, "AuthConfig.auth", &e) < 0)
			return cri_fail_err(s, &e);
	} else
		return 0;
	/* the password goes to ctr-pull as one line of its stdin, never in its argv */
	if (strpbrk(*user, ":\n") || strchr(*pass, '\n')) {
		free(*user), free(*pass);
		*user = *pass = NULL;
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"AuthConfig: a user name with ':' or a line break, or a password "
				"with a line break");
	}
	return 0;
}

/* Runs ctr-pull --unpack (the layers are ready for containers); answers the image's id. */
int
images_pull(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp, struct arena *arena,
	    struct cri_status *s)
{
	const Runtime__V1__PullImageRequest *q = (const Runtime__V1__PullImageRequest *)req;
	Runtime__V1__PullImageResponse *r = (Runtime__V1__PullImageResponse *)resp;
	_cleanup_free_ char *user = NULL, *pass = NULL, *input = NULL;
	const char *args[8] = {"--unpack", "--quiet", "--json"};
	size_t n = 3;
	struct imagedb db;
	const char *id;
	struct ref ref;
	struct err e;
	int rc;

	if (!q->image || !q->image->image || !q->image->image[0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"no image named (ImageSpec.image)");
	if (ref_parse(q->image->image, &ref, &e) < 0)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "image '%.200s': %s",
				q->image->image, e.msg);
	ref_release(&ref);
	if (pull_creds(q->auth, &user, &pass, s) < 0)
		return -1;
	if (user) {
		args[n++] = "--creds";
		args[n++] = user;
		input = xasprintf("%s\n", pass);
	}
	args[n++] = q->image->image;
	if (tool_run(c, "ctr-pull", "CTR_PULL", args, input, NULL, s) < 0 || load(&db, c, s) < 0)
		return -1;
	rc = spec_find(&db, q->image, &id, s);
	if (rc == 0 && !id)
		rc = cri_fail(s, GRPC_STATUS_INTERNAL, "ctr-pull stored no image '%.200s'",
			      q->image->image);
	if (rc == 0)
		r->image_ref = arena_strdup(arena, id);
	imagedb_release(&db);
	return rc;
}

/* Every name of the image goes, as containerd's CRI removes them: an image is its id here. */
int
images_remove(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	      struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__RemoveImageRequest *q = (const Runtime__V1__RemoveImageRequest *)req;
	struct imagedb db;
	const char **args;
	const char *id;
	size_t n = 0;
	int rc;

	(void)resp;
	if (load(&db, c, s) < 0)
		return -1;
	rc = spec_find(&db, q->image, &id, s);
	if (rc == 0 && id) { /* none: removed already, which is no error */
		args = arena_array(arena, db.n + 2, sizeof(*args));
		args[n++] = "rm";
		for (size_t i = 0; i < db.n; i++)
			if (strcmp(db.recs[i].id, id) == 0)
				args[n++] = db.recs[i].name;
		rc = tool_run(c, "ctr-image", "CTR_IMAGE", args, NULL, NULL, s);
	}
	imagedb_release(&db);
	return rc;
}

Runtime__V1__FilesystemUsage *
images_fs_usage(struct arena *a, const char *mountpoint, long long bytes, long long inodes)
{
	Runtime__V1__FilesystemUsage *u = arena_alloc(a, sizeof(*u));
	struct timespec now;

	runtime__v1__filesystem_usage__init(u);
	clock_gettime(CLOCK_REALTIME, &now);
	u->timestamp = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	u->fs_id = arena_alloc(a, sizeof(*u->fs_id));
	runtime__v1__filesystem_identifier__init(u->fs_id);
	u->fs_id->mountpoint = arena_strdup(a, mountpoint);
	u->used_bytes = arena_alloc(a, sizeof(*u->used_bytes));
	runtime__v1__uint64_value__init(u->used_bytes);
	u->used_bytes->value = (uint64_t)bytes;
	u->inodes_used = arena_alloc(a, sizeof(*u->inodes_used));
	runtime__v1__uint64_value__init(u->inodes_used);
	u->inodes_used->value = (uint64_t)inodes;
	return u;
}

/* The images' bytes are the snapshots' ($ROOT/snapshots), where the kubelet's image gc frees room. */
int
images_fs_info(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	       struct arena *arena, struct cri_status *s)
{
	Runtime__V1__ImageFsInfoResponse *r = (Runtime__V1__ImageFsInfoResponse *)resp;
	long long bytes = 0, inodes = 0;
	struct err e;

	(void)req;
	if (faccessat(c->st->rootfd, "snapshots", F_OK, 0) == 0 &&
	    du_at(c->st->rootfd, "snapshots", &bytes, &inodes, &e) < 0)
		return cri_fail_err(s, &e);
	r->n_image_filesystems = 1;
	r->image_filesystems = arena_alloc(arena, sizeof(*r->image_filesystems));
	r->image_filesystems[0] =
	    images_fs_usage(arena, arena_printf(arena, "%s/snapshots", c->st->root), bytes, inodes);
	return 0;
}
