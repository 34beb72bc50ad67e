/* SPDX-License-Identifier: Apache-2.0 */
/* A process as /proc tells it: its stat fields, its user and its arguments. */
#include "proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"

/* /proc/PID/NAME into buf (NUL-terminated, at most max - 1 bytes); its length, or -1. */
static ssize_t
proc_read(pid_t pid, const char *name, char *buf, size_t max)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = fdio_read_full(fd, buf, max - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int
proc_stat_read(pid_t pid, struct proc_stat *out)
{
	unsigned long long utime, stime;
	char buf[1024], *p, *q;
	size_t len;
	int ppid;

	if (proc_read(pid, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	if (!(q = strchr(buf, '(')) || !(p = strrchr(buf, ')')) || p < q)
		return -1;
	len = (size_t)(p - q - 1) < sizeof(out->comm) - 1 ? (size_t)(p - q - 1)
							  : sizeof(out->comm) - 1;
	memcpy(out->comm, q + 1, len);
	out->comm[len] = '\0';
	/* after "(comm)": state is field 3, ppid 4, utime 14, stime 15, starttime 22 */
	if (sscanf(p + 1,
		   " %c %d %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s %*s %*s %*s %*s "
		   "%llu",
		   &out->state, &ppid, &utime, &stime, &out->start_time) != 5)
		return -1;
	out->ppid = ppid;
	out->cpu_ticks = utime + stime;
	return 0;
}

int
proc_uid(pid_t pid, uid_t *out)
{
	char buf[4096], *p;
	unsigned real, eff;

	if (proc_read(pid, "status", buf, sizeof(buf)) <= 0 || !(p = strstr(buf, "\nUid:")) ||
	    sscanf(p + 5, "%u %u", &real, &eff) != 2)
		return -1;
	*out = eff;
	return 0;
}

json_t *
proc_args(pid_t pid)
{
	char buf[8192];
	ssize_t n, i = 0;
	json_t *a;

	/* a longer command line is cut: what ps shows of it is enough */
	if ((n = proc_read(pid, "cmdline", buf, sizeof(buf))) < 0 || !(a = json_array()))
		return NULL;
	while (i < n) {
		size_t len = strnlen(buf + i, (size_t)(n - i)), k;
		json_t *s = json_stringn(buf + i, len);

		/* not UTF-8: shown with '?' for every byte past ASCII */
		for (k = 0; !s && k < len; k++)
			if ((unsigned char)buf[i + (ssize_t)k] >= 0x80)
				buf[i + (ssize_t)k] = '?';
		json_array_append_new(a, s ?: json_stringn(buf + i, len));
		i += (ssize_t)len + 1;
	}
	return a;
}
