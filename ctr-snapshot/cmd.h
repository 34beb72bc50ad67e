/* SPDX-License-Identifier: Apache-2.0 */
/* What the verbs of ctr-snapshot share: options, opening the store, dying. */
#ifndef CTR_SNAPSHOT_CMD_H
#define CTR_SNAPSHOT_CMD_H

#include <getopt.h>
#include <jansson.h>

#include "prog.h"
#include "snapshot.h"

enum {
	OPT_SNAPSHOTTER = 0x2000,
	OPT_HELP,
	OPT_JSON,
	OPT_PARENT,
	OPT_LABEL,
	OPT_COMPRESSION,
	OPT_ALL,
};

/* Every verb's getopt table starts with these. */
/* (an initializer list, which the formatter takes for a block) */
/* clang-format off */
#define CMD_LONGOPTS \
	PROG_GLOBAL_LONGOPTS, \
	{"snapshotter", required_argument, NULL, OPT_SNAPSHOTTER}, \
	{"help", no_argument, NULL, OPT_HELP}
/* clang-format on */

extern const struct verb cmd_verbs[];

/* Choose the driver (--snapshotter); the default is $CTR_SNAPSHOTTER, else SNAP_DEFAULT. */
void cmd_set_driver(const char *name);
/* Handle an option every verb takes (global, --snapshotter, --help, errors); dies on others. */
void cmd_common_opt(int c, const char *arg, struct state *st, const char *verb);
/* Open the state and the chosen store, or die. */
struct snapshot_store *cmd_open(struct state *st);
/* Die with e: "not-found" exits 1, other bad input 100, system failures 111. */
void cmd_die(const struct err *e) __attribute__((noreturn));
/* Add "k=v" to the labels object *labels (created on first use); dies on a bad one. */
void cmd_add_label(json_t **labels, const char *kv);
/*
 * Every snapshot the namespace sees (ns.h), or every one with --all, as
 * snapshot_list's array (new reference); dies on errors.
 */
json_t *cmd_list(struct snapshot_store *s, const struct state *st);
/* Add the namespace's label (ns.h) to *labels unless it has one. */
void cmd_label_ns(json_t **labels, const struct state *st);
/* Die with usage unless exactly n operands remain. */
void cmd_operands(int argc, char **argv, int n, const char *verb);

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
