/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs of ctr-image, and what they share. */
#ifndef CTR_IMAGE_CMD_H
#define CTR_IMAGE_CMD_H

#include <jansson.h>

#include "content.h"
#include "state.h"

int cmd_ls(int argc, char **argv, struct state *st);
int cmd_inspect(int argc, char **argv, struct state *st);
int cmd_tag(int argc, char **argv, struct state *st);
int cmd_rm(int argc, char **argv, struct state *st);
int cmd_check(int argc, char **argv, struct state *st);
int cmd_export(int argc, char **argv, struct state *st);
int cmd_import(int argc, char **argv, struct state *st);
int cmd_gc(int argc, char **argv, struct state *st);
int cmd_commit(int argc, char **argv, struct state *st);
int cmd_lease(int argc, char **argv, struct state *st);

/* A NAME argument as the normalised record name (dies on a bad reference). New string. */
char *cmd_name(const char *arg);
/*
 * The image document of rec for the host platform or, when the store holds
 * another platform of its index only, for the first one it holds. New
 * reference, or NULL with e filled.
 */
json_t *cmd_resolve(const struct content *c, const json_t *rec, struct err *e);
/* Parse a verb's options: only the global ones and those in extra ("json", 'q'). */
void cmd_opts(int argc, char **argv, struct state *st, bool *json, bool *quiet);

#endif
