/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctr-cri's records (ctr-state(5)): $ROOT/cri/sandboxes/<id>/ for pods
 * (record.json, cni.json from libcommon/cni-attach.h, resolv.conf) and
 * $ROOT/cri/containers/<id>/ for containers (record.json). The record is
 * the pod: there is no pause process, the namespace is pinned by ctr-netns.
 */
#ifndef CTR_CRI_RECORD_H
#define CTR_CRI_RECORD_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "state.h"

/* An id: 64 lowercase hexadecimal digits. */
#define RECORD_ID_LEN 64
/* The kinds: directories under $ROOT/cri. */
#define RECORD_SANDBOXES "sandboxes"
#define RECORD_CONTAINERS "containers"

/* The directory $ROOT/cri/KIND (created), an O_DIRECTORY fd. */
int record_dir(const struct state *st, const char *kind, struct err *e);
/* The absolute path of id's directory. New string. */
char *record_path(const struct state *st, const char *kind, const char *id);
/* A new random id (RECORD_ID_LEN + 1 bytes). */
void record_new_id(char id[RECORD_ID_LEN + 1]);
/*
 * The full id that what names: the id or a unique prefix of it; noun names
 * the kind in errors. 0 and *out (new string), or -1: code "not-found", or
 * "invalid" when ambiguous.
 */
int record_resolve(int dirfd, const char *what, const char *noun, char **out, struct err *e);
/* id's record (a new reference), or NULL (code "not-found" when absent). */
json_t *record_load(int dirfd, const char *id, const char *noun, struct err *e);
/*
 * Write a record (its directory, named by its "id", made when needed); one
 * that would not be read back (1 MiB or more) is refused, code "too-large".
 */
int record_store(int dirfd, const json_t *rec, struct err *e);
/* Every record, sorted by "created_at" (a new array); unreadable ones skipped with a warning. */
json_t *record_list(int dirfd, struct err *e);
/*
 * The record of kind that what names (an id or a unique prefix): *dirfd
 * gets the kind's directory (the caller closes it), and *lk its lock when
 * lk is not NULL, taken before the record is read so that a removal in
 * between is not undone by the caller's write.
 */
json_t *record_find(const struct state *st, const char *kind, const char *noun, const char *what,
		    int *dirfd, int *lk, struct err *e);
/*
 * The kubelet's filter on a record: id and pod_sandbox_id as prefixes (NULL
 * or "" matches all) and every label of the selector.
 */
bool record_match(const json_t *rec, const char *id, const char *pod_sandbox_id,
		  void **label_selector, size_t n_label_selector);
/* Remove id's directory and all in it. */
int record_remove(int dirfd, const char *id, struct err *e);

#endif
