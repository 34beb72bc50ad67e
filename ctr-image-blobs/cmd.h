/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs of ctr-image-blobs (check, export, import), and what they share. */
#ifndef CTR_IMAGE_BLOBS_CMD_H
#define CTR_IMAGE_BLOBS_CMD_H

#include <jansson.h>

#include "content.h"
#include "opt.h"
#include "prog.h"
#include "state.h"

int cmd_check(int argc, char **argv, struct state *st);
int cmd_export(int argc, char **argv, struct state *st);
int cmd_import(int argc, char **argv, struct state *st);

/* The verbs' option tables, synopses and summaries (opt.h), for main.c's verb table. */
extern const struct opt_cmd cmd_check_spec, cmd_export_spec, cmd_import_spec;
/* The --json row; O_JSON its key. */
enum { O_JSON = 0x100, O_OWN };
extern const struct opt cmd_json_opt[];

#endif
