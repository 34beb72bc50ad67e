/* SPDX-License-Identifier: Apache-2.0 */
/* A process as /proc tells it: its stat fields, its user and its arguments. */
#ifndef CTR_PROC_H
#define CTR_PROC_H

#include <jansson.h>
#include <sys/types.h>

struct proc_stat {
	char comm[16]; /* the kernel's short name (TASK_COMM_LEN) */
	pid_t ppid;
	char state;		       /* R, S, D, Z, T, ... */
	unsigned long long cpu_ticks;  /* utime + stime, in clock ticks */
	unsigned long long start_time; /* clock ticks since boot: tells a reused pid */
};

/* Fields of /proc/PID/stat (the command name may hold spaces and parentheses). -1 when pid is
 * gone or the file does not parse. */
int proc_stat_read(pid_t pid, struct proc_stat *out);
/* The effective uid of pid, from /proc/PID/status; -1 when pid is gone. */
int proc_uid(pid_t pid, uid_t *out);
/* pid's arguments from /proc/PID/cmdline, as a JSON array of strings (empty for a zombie or a
 * kernel thread); NULL when pid is gone. */
json_t *proc_args(pid_t pid);

#endif
