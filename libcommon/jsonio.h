/* SPDX-License-Identifier: Apache-2.0 */
/* Strict JSON input (duplicate keys rejected, size capped) and line output. */
#ifndef CTR_JSONIO_H
#define CTR_JSONIO_H

#include <jansson.h>
#include <stdio.h>

#include "err.h"

#define JSONIO_MAX (16u << 20) /* a stage document larger than 16 MiB is refused */

/* Parse buf (len bytes); what names the source in errors ("stdin", a path). New reference. */
json_t *jsonio_parse(const char *buf, size_t len, const char *what, struct err *e);
/* Read and parse all of fd, at most max bytes. New reference or NULL. */
json_t *jsonio_load_fd(int fd, size_t max, const char *what, struct err *e);
/* Read and parse the regular file name under dirfd (no symlink, no FIFO). */
json_t *jsonio_load_at(int dirfd, const char *name, size_t max, struct err *e);
/*
 * One compact JSON document and a newline on f, flushed. A write error (a
 * closed pipe, a full disk) is fatal: exit 111.
 */
void jsonio_write(FILE *f, const json_t *doc);
/* Same, pretty-printed with sorted keys, for humans (inspect verbs). */
void jsonio_write_pretty(FILE *f, const json_t *doc);
/* Borrowed string member or NULL when absent or not a string. */
const char *jsonio_str(const json_t *obj, const char *key);
/*
 * The objects of list sorted by their string member key (jansson has no
 * sort of its own): a new array of the same objects. Takes list.
 */
json_t *jsonio_sorted_by(json_t *list, const char *key);

#endif
