/* SPDX-License-Identifier: Apache-2.0 */
/* The sd_notify(3) datagram protocol, without libsystemd: READY=1 and friends. */
#include "sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cleanup.h"

int
sdnotify_send(const char *path, const char *msg, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;
	size_t len = path ? strlen(path) : 0;

	if (!len || len >= sizeof(sa.sun_path) || (path[0] != '/' && path[0] != '@'))
		return err_code(e, "invalid",
				"notify socket '%s': not an absolute or abstract socket path",
				path ? path : "");
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* systemd's notation for the abstract namespace */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, errno, "notify socket: socket");
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		return err_set(e, errno, "notify socket '%s'", path);
	return 0;
}
