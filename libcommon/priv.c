/* SPDX-License-Identifier: Apache-2.0 */
/* The privilege mode: euid and the user namespace, read once for every tool. */
#include "priv.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fdio.h"

static int mode = -1;

bool
priv_uid_map_is_initial(const char *text)
{
	unsigned long inside, outside, count;
	int n = -1;

	/* exactly one line, the whole 32-bit range mapped onto itself */
	if (sscanf(text, " %lu %lu %lu %n", &inside, &outside, &count, &n) != 3 || n < 0 ||
	    text[n] != '\0')
		return false;
	return inside == 0 && outside == 0 && count == 4294967295UL;
}

/* The initial namespace when the map cannot be read: /proc is not mounted, so nothing joined one. */
static bool
in_initial_userns(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return true;
	n = fdio_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return true;
	buf[n] = '\0';
	return priv_uid_map_is_initial(buf);
}

enum priv_mode
priv_mode(void)
{
	if (mode < 0) {
		if (!in_initial_userns())
			mode = PRIV_USERNS;
		else
			mode = geteuid() == 0 ? PRIV_ROOT : PRIV_USER;
	}
	return (enum priv_mode)mode;
}

void
priv_reset(void)
{
	mode = -1;
}

bool
priv_rootless(void)
{
	return priv_mode() != PRIV_ROOT;
}

const char *
priv_mode_name(enum priv_mode m)
{
	static const char *const names[] = {"root", "user", "userns"};

	return names[m];
}
