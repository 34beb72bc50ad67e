/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blob sources: where each blob of the store was seen (pulled from, pushed
 * to, found in), by registry and repository, as containerd's
 * distribution-source labels; ctr-push mounts from them (ctr-state(5)).
 */
#ifndef CTR_BLOBSRC_H
#define CTR_BLOBSRC_H

#include <jansson.h>

#include "content.h"

/* Sources kept per blob, the most recent first. */
#define BLOBSRC_MAX 16

/* Record that digest is in registry/repo (moved first when already known). */
int blobsrc_add(const struct content *c, const char *digest, const char *registry, const char *repo,
		struct err *e);
/*
 * The repositories of registry known to hold digest, the most recent first:
 * a new array of strings, empty when none (an unreadable record is none).
 */
json_t *blobsrc_repos(const struct content *c, const char *digest, const char *registry);
/*
 * Every source of digest, [{"registry","repository"}...], the most recent
 * first: a new array, empty when none.
 */
json_t *blobsrc_all(const struct content *c, const char *digest);
/* Is name (an entry of content/sources) the record of a blob the store lacks? */
bool blobsrc_orphan(const struct content *c, const char *name);

#endif
