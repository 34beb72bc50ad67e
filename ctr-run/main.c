/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-run: containers from images, driven through an OCI runtime; the verb table. */
#include "cmd.h"

static const struct verb verbs[] = {
    {"create", cmd_create,
     "create [--name ID] [--runtime NAME|PATH] [OPTIONS] IMAGE|- [-- CMD ...]"},
    {"start", cmd_start, "start [-a] ID"},
    {"run", cmd_run, "run [--rm] [-d] [-t] [-i] [--name ID] [OPTIONS] IMAGE|- [-- CMD ...]"},
    {"exec", cmd_exec, "exec [-d] [-t] [-i] [--user U] [--cwd D] [-e K=V] ID -- CMD ..."},
    {"kill", cmd_kill, "kill [-s SIG] [--all] ID"},
    {"stop", cmd_stop, "stop [-t SECS] [-s SIG] ID"},
    {"wait", cmd_wait, "wait ID"},
    {"ps", cmd_ps, "ps ID"},
    {"ls", cmd_ls, "ls [--json]"},
    {"state", cmd_state, "state ID"},
    {"pause", cmd_pause, "pause ID"},
    {"resume", cmd_resume, "resume ID"},
    {"update", cmd_update, "update [--memory SIZE] [--cpus N] [--pids-limit N] ID"},
    {"stats", cmd_stats, "stats [--json] ID"},
    {"events", cmd_events, "events [ID]"},
    {"delete", cmd_delete, "delete [-f] ID..."},
    {"attach", cmd_attach, "attach [--no-stdin] ID"},
    {"logs", cmd_logs, "logs [-f] [--tail N] ID"},
    {NULL},
};

int
main(int argc, char **argv)
{
	struct state st;
	int rc;

	/* no PROG_NO_NEW_PRIVS: it is inherited, and containers may rightly run setuid programs */
	prog_init("ctr-run", 0, &argc, &argv, &st);
	rc = prog_dispatch(verbs, argc, argv, &st);
	state_release(&st);
	return rc;
}
