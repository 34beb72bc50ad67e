/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs of ctr-run and the option parsing they share. */
#ifndef CTR_RUN_CMD_H
#define CTR_RUN_CMD_H

#include <getopt.h>

#include "container.h"
#include "prog.h"

int cmd_create(int argc, char **argv, struct state *st);
int cmd_run(int argc, char **argv, struct state *st);
int cmd_start(int argc, char **argv, struct state *st);
int cmd_exec(int argc, char **argv, struct state *st);
int cmd_kill(int argc, char **argv, struct state *st);
int cmd_stop(int argc, char **argv, struct state *st);
int cmd_wait(int argc, char **argv, struct state *st);
int cmd_ps(int argc, char **argv, struct state *st);
int cmd_ls(int argc, char **argv, struct state *st);
int cmd_state(int argc, char **argv, struct state *st);
int cmd_pause(int argc, char **argv, struct state *st);
int cmd_resume(int argc, char **argv, struct state *st);
int cmd_update(int argc, char **argv, struct state *st);
int cmd_stats(int argc, char **argv, struct state *st);
int cmd_events(int argc, char **argv, struct state *st);
int cmd_delete(int argc, char **argv, struct state *st);
int cmd_attach(int argc, char **argv, struct state *st);
int cmd_logs(int argc, char **argv, struct state *st);

/*
 * Attach to c (its stdio held by the shim) and relay until its output ends
 * (then its exit status) or we detach (0); with start, start it once
 * attached (start -a). Dies on failure.
 */
int attach_container(struct container *c, bool want_stdin, bool start);

/*
 * getopt_long over argv with the verb's options plus the global ones and
 * --help (which prints usage and exits 0). fn gets each of the verb's
 * options. Returns optind; bad options die with usage (exit code ucode).
 */
int cmd_getopt(int argc, char **argv, const char *usage, const char *shorts,
	       const struct option *opts, void (*fn)(int c, const char *arg, void *ctx), void *ctx,
	       struct state *st, int ucode);
/* argv[i], which must be the last argument: exactly one ID after the options. */
const char *cmd_one_id(int argc, char **argv, int i, const char *usage);
/* Open the container argv[i] (exactly one more argument when last), state opened first. */
void cmd_open(struct state *st, const char *id, struct container *c, int ucode);

#endif
