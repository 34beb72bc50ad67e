/* SPDX-License-Identifier: Apache-2.0 */
/* Active unpack-* snapshots whose owner died: recognised by an owner label, removed. */
#include "stale.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "jsonio.h"
#include "log.h"

int
stale_identity(pid_t pid, char *out, size_t max)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	char state;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = fdio_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* after "(comm)", which may hold spaces: state is field 3, starttime field 22 */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 1,
		   " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
		   "%*s %llu",
		   &state, &start) != 2 ||
	    state == 'Z' || state == 'X')
		return -1;
	snprintf(out, max, "%d %llu", (int)pid, start);
	return 0;
}

static bool
kept(const json_t *keep, const char *key)
{
	const json_t *k;
	size_t i;

	json_array_foreach(keep, i, k)
		if (!strcmp(jsonio_str(k, "key") ?: "", key))
			return true;
	return false;
}

/* A snapshot of ours whose owner is gone; one without the label is left alone. */
static bool
is_stale(const json_t *snap)
{
	const char *owner = jsonio_str(json_object_get(snap, "labels"), "ctr.unpack/owner");
	char now[64];
	int pid;

	if (strcmp(jsonio_str(snap, "kind") ?: "", "active") ||
	    strncmp(jsonio_str(snap, "name") ?: "", "unpack-", 7) || !owner ||
	    sscanf(owner, "%d", &pid) != 1 || pid <= 0)
		return false;
	return stale_identity(pid, now, sizeof(now)) < 0 || strcmp(now, owner);
}

void
stale_sweep(struct snapshot_store *s, const json_t *keep)
{
	struct err e;
	json_auto_t *all = snapshot_list(s, &e);
	const json_t *snap;
	size_t i;

	if (!all) {
		log_warn("cannot list snapshots: %s", e.msg);
		return;
	}
	json_array_foreach(all, i, snap) {
		const char *name = jsonio_str(snap, "name");

		if (!is_stale(snap) || kept(keep, name))
			continue;
		if (snapshot_remove(s, name, &e) < 0)
			log_warn("cannot remove stale snapshot '%s': %s", name, e.msg);
		else
			log_info("removed '%s': the process that made it is gone", name);
	}
}
