/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The owner of a piece of work in progress: "PID STARTTIME" of a process,
 * which tells a reused pid from the first. A label holding it makes an
 * object garbage once that process is gone (ctr-unpack's active snapshots).
 */
#ifndef CTR_OWNER_H
#define CTR_OWNER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The ctr.unpack/owner label of the active snapshots ctr-unpack makes. */
#define OWNER_LABEL_UNPACK "ctr.unpack/owner"

/*
 * Field 22 of /proc/PID/stat, the start time in clock ticks since boot, which
 * tells a reused pid from the first. -1 when pid is gone (or a zombie).
 */
int owner_start_time(pid_t pid, unsigned long long *out);
/*
 * "PID STARTTIME" of pid (STARTTIME: owner_start_time) into out.
 * Returns -1 when pid is gone (or a zombie).
 */
int owner_identity(pid_t pid, char *out, size_t max);
/* Is label "PID STARTTIME", both decimal, PID above 0, nothing else? */
bool owner_valid(const char *label);
/* Is the process a label names ("PID STARTTIME") gone? A malformed label is not. */
bool owner_gone(const char *label);

/*
 * Is the snapshot record rec an active unpack-* snapshot whose owner is
 * gone? Nobody will commit it: ctr-unpack and gc remove it.
 */
bool owner_snapshot_stale(const json_t *rec);

#endif
