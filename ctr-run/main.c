/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-run: containers from images, driven through an OCI runtime; the verb table. */
#include "cmd.h"

static const struct verb verbs[] = {
    {"create", cmd_create, NULL, &cmd_create_spec, NULL},
    {"start", cmd_start, NULL, &cmd_start_spec, NULL},
    {"run", cmd_run, NULL, &cmd_run_spec, NULL},
    {"exec", cmd_exec, NULL, &cmd_exec_spec, NULL},
    {"kill", cmd_kill, NULL, &cmd_kill_spec, NULL},
    {"stop", cmd_stop, NULL, &cmd_stop_spec, NULL},
    {"wait", cmd_wait, NULL, &cmd_wait_spec, NULL},
    {"ps", cmd_ps, NULL, &cmd_ps_spec, NULL},
    {"ls", cmd_ls, NULL, &cmd_ls_spec, NULL},
    {"state", cmd_state, NULL, &cmd_state_spec, NULL},
    {"pause", cmd_pause, NULL, &cmd_pause_spec, NULL},
    {"resume", cmd_resume, NULL, &cmd_resume_spec, NULL},
    {"update", cmd_update, NULL, &cmd_update_spec, NULL},
    {"stats", cmd_stats, NULL, &cmd_stats_spec, NULL},
    {"events", cmd_events, NULL, &cmd_events_spec, NULL},
    {"delete", cmd_delete, NULL, &cmd_delete_spec, NULL},
    {"attach", cmd_attach, NULL, &cmd_attach_spec, NULL},
    {"logs", cmd_logs, NULL, &cmd_logs_spec, NULL},
    {"reopen-log", cmd_reopen_log, NULL, &cmd_reopen_log_spec, NULL},
    {NULL},
};

int
main(int argc, char **argv)
{
	/* no PROG_NO_NEW_PRIVS: it is inherited, and containers may rightly run setuid programs */
	return prog_main("ctr-run", 0, verbs, argc, argv);
}
