/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pod sandbox records: $ROOT/cri/sandboxes/<id>/sandbox.json (ctr-state(5)),
 * beside the pod's cni.json (libcommon/cni-attach.h) and resolv.conf. The record is
 * the pod: there is no pause process, the namespace is pinned by ctr-netns.
 */
#ifndef CTR_CRI_SANDBOX_H
#define CTR_CRI_SANDBOX_H

#include <jansson.h>

#include "err.h"
#include "state.h"

/* An id: 64 lowercase hexadecimal digits. */
#define SANDBOX_ID_LEN 64

/*
 * {"id":ID,"metadata":{"name","uid","namespace","attempt"},"hostname":S,
 *  "log_directory":S,"labels":{},"annotations":{},"created_at":NS,
 *  "state":"ready"|"notready","network":"pod"|"node","netns":NAME|null,
 *  "runtime_handler":S}
 */

/* The directory $ROOT/cri/sandboxes (created), an O_DIRECTORY fd. */
int sandbox_dir(const struct state *st, struct err *e);
/* The absolute path of id's directory. New string. */
char *sandbox_path(const struct state *st, const char *id);
/* A new random id (SANDBOX_ID_LEN + 1 bytes). */
void sandbox_new_id(char id[SANDBOX_ID_LEN + 1]);
/*
 * The full id that what names: the id or a unique prefix of it. 0 and
 * *out (new string), or -1: code "not-found", or "invalid" when ambiguous.
 */
int sandbox_resolve(int dirfd, const char *what, char **out, struct err *e);
/* id's record (a new reference), or NULL (code "not-found" when absent). */
json_t *sandbox_load(int dirfd, const char *id, struct err *e);
/* Write id's record (its directory made when needed). */
int sandbox_store(int dirfd, const json_t *rec, struct err *e);
/* Every record, sorted by creation (a new array); unreadable ones skipped with a warning. */
json_t *sandbox_list(int dirfd, struct err *e);
/* Remove id's directory and all in it. */
int sandbox_remove(int dirfd, const char *id, struct err *e);

#endif
