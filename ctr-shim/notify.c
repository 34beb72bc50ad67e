/* SPDX-License-Identifier: Apache-2.0 */
/* Readiness for systemd Type=notify units: READY=1 once the container runs. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "shim.h"

void
notify_ready(struct shim *s)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = s->o.notify_socket;
	_cleanup_close_ int fd = -1;
	char msg[64];
	size_t len;
	int n;

	if (!path || !*path)
		return;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path) || (path[0] != '/' && path[0] != '@')) {
		log_warn("notify socket '%s': not an absolute or abstract socket path", path);
		return;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* systemd's notation for the abstract namespace */
	/* MAINPID: the shim outlives its caller, so it is the unit's main process */
	n = snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\n", (long)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sa,
			     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		log_warn("notify socket '%s': %s", path, strerror(errno));
}
