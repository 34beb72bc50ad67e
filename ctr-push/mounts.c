/* SPDX-License-Identifier: Apache-2.0 */
/* Cross-repository mounts: which repositories of the registry may lend each blob. */
#include <string.h>

#include "blobsrc.h"
#include "cleanup.h"
#include "jsonio.h"
#include "log.h"
#include "push.h"
#include "xmem.h"

/*
 * Bounds: every repository named goes into the token's scope (one URL), and
 * a refused mount costs a round trip (and leaves the registry an empty upload).
 */
#define MOUNT_REPOS_MAX 8
#define MOUNT_TRIES_MAX 3

/* The index of repo in r->mount_from, adding it while there is room; -1 when full. */
static int
repo_slot(struct registry *r, const char *repo)
{
	for (size_t i = 0; i < r->nmount_from; i++)
		if (!strcmp(r->mount_from[i], repo))
			return (int)i;
	if (r->nmount_from == MOUNT_REPOS_MAX)
		return -1;
	r->mount_from = xrealloc(r->mount_from, (r->nmount_from + 1) * sizeof(*r->mount_from));
	r->mount_from[r->nmount_from] = xstrdup(repo);
	return (int)r->nmount_from++;
}

static void
add_candidate(struct registry *r, struct upload *u, const char *repo)
{
	int slot;

	if (!strcmp(repo, r->repo) || u->nfrom == MOUNT_TRIES_MAX ||
	    (slot = repo_slot(r, repo)) < 0)
		return;
	for (size_t i = 0; i < u->nfrom; i++)
		if (!strcmp(u->from[i], repo))
			return;
	u->from[u->nfrom++] = r->mount_from[slot];
}

void
push_mounts_plan(struct registry *r, const struct content *c, const char *src_repo,
		 struct push_plan *p)
{
	for (size_t i = 0; i < p->nblobs; i++) {
		struct upload *u = &p->blobs[i];
		json_auto_t *seen = blobsrc_repos(c, u->digest, r->domain);
		json_t *v;
		size_t k;

		u->from = xcalloc(MOUNT_TRIES_MAX, sizeof(*u->from));
		/* the image's own repository first: it holds every blob when it came from there */
		if (src_repo)
			add_candidate(r, u, src_repo);
		json_array_foreach(seen, k, v)
			add_candidate(r, u, json_string_value(v));
	}
}

void
push_mounts_record(const struct registry *r, const struct content *c, const struct push_plan *p)
{
	struct err e;

	for (size_t i = 0; i < p->nblobs; i++) {
		if (blobsrc_add(c, p->blobs[i].digest, r->domain, r->repo, &e) < 0)
			log_warn("%s (the next push may upload it again)", e.msg);
	}
}

void
push_mounts_release(struct push_plan *p)
{
	for (size_t i = 0; i < p->nblobs; i++) {
		free(p->blobs[i].from);
		p->blobs[i].from = NULL;
		p->blobs[i].nfrom = 0;
	}
}
