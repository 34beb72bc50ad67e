/* SPDX-License-Identifier: Apache-2.0 */
/* The shim's records on disk: shim.json (who we are), exit.json and exec-ID.json, pid files. */
#ifndef CTR_SHIM_EXITFILE_H
#define CTR_SHIM_EXITFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

struct shim;

/* A new exit record {"pid","status","signal","exited_at","oom"} for a wait status. */
json_t *exitfile_record(pid_t pid, int wstatus, bool oom);
/* doc as STATEDIR/NAME, atomically for readers. */
int exitfile_write(struct shim *s, const char *name, const json_t *doc, struct err *e);
/* STATEDIR/shim.json: our pid and start time, and how the container's stdio is served now. */
int exitfile_write_shim(struct shim *s, struct err *e);
/* Read a pid file ("123" or "123\n") under the state dir. */
int exitfile_read_pid(struct shim *s, const char *name, pid_t *pid, struct err *e);

#endif
