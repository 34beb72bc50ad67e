/* SPDX-License-Identifier: Apache-2.0 */
/* What the verbs of ctr-snapshot share: options, opening the store, dying. */
#ifndef CTR_SNAPSHOT_CMD_H
#define CTR_SNAPSHOT_CMD_H

#include <jansson.h>

#include "prog.h"
#include "snapshot.h"

enum {
	OPT_SNAPSHOTTER = 0x100,
	OPT_JSON,
	OPT_PARENT,
	OPT_LABEL,
	OPT_COMPRESSION,
	OPT_ALL,
};

/*
 * Every verb's option table includes these (--snapshotter); cmd_json_opts adds
 * --json, cmd_list_opts --json and --all.
 */
extern const struct opt cmd_common_opts[], cmd_json_opts[], cmd_list_opts[];
/* The verbs' option tables, synopses and summaries, for main.c's verb table. */
extern const struct opt_cmd cmd_prepare_spec, cmd_view_spec, cmd_commit_spec, cmd_diff_spec,
    cmd_rm_spec, cmd_mounts_spec, cmd_stat_spec, cmd_ls_spec, cmd_usage_spec, cmd_tree_spec,
    cmd_mount_spec, cmd_umount_spec, cmd_cleanup_spec;

/* Choose the driver (--snapshotter); the default is $CTR_SNAPSHOTTER, else SNAP_DEFAULT. */
void cmd_set_driver(const char *name);
/* Take an option of cmd_common_opts (opt_next's key c). */
void cmd_common_opt(int c, const char *arg);
/* Open the state and the chosen store, or die. */
struct snapshot_store *cmd_open(struct state *st);
/* Add "k=v" to the labels object *labels (created on first use); dies on a bad one. */
void cmd_add_label(json_t **labels, const char *kv);
/* Parse argv by spec (cmd_json_opts or fewer); returns whether --json was given. */
bool cmd_parse(int argc, char **argv, struct state *st, const struct opt_cmd *spec);
/* Die with spec's usage error unless exactly n operands remain. */
void cmd_operands(const struct opt_cmd *spec, int argc, char **argv, int n);
/*
 * Every snapshot the namespace sees (ns.h), or every one with --all, as
 * snapshot_list's array (new reference); dies on errors.
 */
json_t *cmd_list(struct snapshot_store *s, const struct state *st);
/* Add the namespace's label (ns.h) to *labels unless it has one. */
void cmd_label_ns(json_t **labels, const struct state *st);

int cmd_prepare(int argc, char **argv, struct state *st);
int cmd_view(int argc, char **argv, struct state *st);
int cmd_commit(int argc, char **argv, struct state *st);
int cmd_rm(int argc, char **argv, struct state *st);
int cmd_mounts(int argc, char **argv, struct state *st);
int cmd_stat(int argc, char **argv, struct state *st);
int cmd_ls(int argc, char **argv, struct state *st);
int cmd_usage(int argc, char **argv, struct state *st);
int cmd_tree(int argc, char **argv, struct state *st);
int cmd_mount(int argc, char **argv, struct state *st);
int cmd_umount(int argc, char **argv, struct state *st);
int cmd_cleanup(int argc, char **argv, struct state *st);
int cmd_diff(int argc, char **argv, struct state *st);

#endif
