/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs of ctr-run and the option parsing they share. */
#ifndef CTR_RUN_CMD_H
#define CTR_RUN_CMD_H

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
int cmd_reopen_log(int argc, char **argv, struct state *st);

struct detachkeys;

/*
 * Attach to c (its stdio held by the shim) and relay until its output ends
 * (then its exit status) or we detach (0); with start, start it once
 * attached (start -a). keys, on a terminal of ours, detach (NULL: none).
 * With stdin_once, the end of our stdin or a detach closes the container's.
 * Dies on failure.
 */
int attach_container(struct container *c, bool want_stdin, bool start,
		     const struct detachkeys *keys, bool stdin_once);

/* The verbs' option tables, synopses and summaries (opt.h), for main.c's verb table. */
extern const struct opt_cmd cmd_create_spec, cmd_run_spec, cmd_start_spec, cmd_exec_spec,
    cmd_kill_spec, cmd_stop_spec, cmd_wait_spec, cmd_ps_spec, cmd_ls_spec, cmd_state_spec,
    cmd_pause_spec, cmd_resume_spec, cmd_update_spec, cmd_stats_spec, cmd_events_spec,
    cmd_delete_spec, cmd_attach_spec, cmd_logs_spec, cmd_reopen_log_spec;

/* --json of a verb that prints no listing: its failures as ctr-json(7) errors too. */
enum { CMD_OPT_JSON = 0x1ff };
extern const struct opt cmd_opt_json_errors[];

/* --detach-keys of attach, exec and start (run's is in create's table); see cmd_detach_keys. */
enum { CMD_OPT_DETACH_KEYS = 0x1fe };
extern const struct opt cmd_opt_detach_keys[];
/* Parse --detach-keys arg (NULL: the default) into k, or die with spec's usage error. */
void cmd_detach_keys(const struct opt_cmd *spec, const char *arg, struct detachkeys *k);

/* The one operand left after the options (a container ID), or die with spec's usage error. */
const char *cmd_one_id(const struct opt_cmd *spec, int argc, char **argv);
/* Open the container id, state opened first; failures exit ucode when it is 125. */
void cmd_open(struct state *st, const char *id, struct container *c, int ucode);
/*
 * Run by a user: join the user namespace of c's live shim, else (no shim,
 * or c NULL: a new container) enter a new one. Nothing for root.
 */
int cmd_userns(const struct container *c, struct err *e);

#endif
