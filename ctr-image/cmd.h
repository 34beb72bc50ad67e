/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs of ctr-image, and what they share. */
#ifndef CTR_IMAGE_CMD_H
#define CTR_IMAGE_CMD_H

#include <jansson.h>

#include "prog.h"
#include "content.h"
#include "opt.h"
#include "state.h"

int cmd_ls(int argc, char **argv, struct state *st);
int cmd_inspect(int argc, char **argv, struct state *st);
int cmd_tag(int argc, char **argv, struct state *st);
int cmd_rm(int argc, char **argv, struct state *st);
int cmd_gc(int argc, char **argv, struct state *st);
int cmd_commit(int argc, char **argv, struct state *st);

/*
 * Parse a verb's options by spec, whose table has no more than --json and -q
 * (into json and quiet, which may be NULL then), and want min to max (-1: no
 * limit) operands.
 */
void cmd_opts(const struct opt_cmd *spec, int argc, char **argv, struct state *st, bool *json,
	      bool *quiet, int min, int max);

/* The verbs' option tables, synopses and summaries (opt.h), for main.c's verb table. */
extern const struct opt_cmd cmd_ls_spec, cmd_inspect_spec, cmd_tag_spec, cmd_rm_spec,
    cmd_commit_spec, cmd_gc_spec;
/* The --json row; O_JSON its key. */
enum { O_JSON = 0x100, O_OWN };
extern const struct opt cmd_json_opt[];
/* lease ls, lease rm (cmd-lease.c) */
extern const struct verb cmd_lease_verbs[];

#endif
