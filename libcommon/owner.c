/* SPDX-License-Identifier: Apache-2.0 */
/* Owners of work in progress: a process's identity, and whether it is gone. */
#include "owner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "proc.h"

int
owner_start_time(pid_t pid, unsigned long long *out)
{
	struct proc_stat ps;

	if (proc_stat_read(pid, &ps) < 0 || ps.state == 'Z' || ps.state == 'X')
		return -1;
	*out = ps.start_time;
	return 0;
}

int
owner_identity(pid_t pid, char *out, size_t max)
{
	unsigned long long start;

	if (owner_start_time(pid, &start) < 0)
		return -1;
	snprintf(out, max, "%d %llu", (int)pid, start);
	return 0;
}

bool
owner_valid(const char *label)
{
	const char *sp = label ? strchr(label, ' ') : NULL;
	size_t a, b;

	if (!sp)
		return false;
	a = (size_t)(sp - label);
	b = strlen(sp + 1);
	/* decimal digits only (sscanf takes signs, spaces, overflows); pid_max is below 2^23 */
	return a >= 1 && a <= 9 && strspn(label, "0123456789") == a && b >= 1 && b <= 20 &&
	       strspn(sp + 1, "0123456789") == b && atoi(label) > 0;
}

bool
owner_gone(const char *label)
{
	char now[64];
	int pid;

	if (!label || sscanf(label, "%d", &pid) != 1 || pid <= 0)
		return false;
	return owner_identity(pid, now, sizeof(now)) < 0 || strcmp(now, label);
}

bool
owner_snapshot_stale(const json_t *rec)
{
	if (strcmp(jsonio_str(rec, "kind") ?: "", "active") ||
	    strncmp(jsonio_str(rec, "name") ?: "", "unpack-", 7))
		return false;
	return owner_gone(jsonio_str(json_object_get(rec, "labels"), OWNER_LABEL_UNPACK));
}
