/* SPDX-License-Identifier: Apache-2.0 */
/* Readiness for systemd Type=notify units: READY=1 once the container runs, or its own, relayed. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "sdnotify.h"
#include "shim.h"

#define RELAY_PATH SDNOTIFY_RELAY_DIR "/" SDNOTIFY_RELAY_SOCK
#define RELAY_BATCH 64 /* datagrams read per wakeup; the loop is level-triggered */

void
notify_ready(struct shim *s)
{
	char msg[64];
	struct err e;

	/* --notify-relay: the container says when it is ready, not us */
	if (!s->o.notify_socket || !*s->o.notify_socket || s->o.notify_relay)
		return;
	/* MAINPID: the shim outlives its caller, so it is the unit's main process */
	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\n", (long)getpid());
	if (sdnotify_send(s->o.notify_socket, msg, &e) < 0)
		log_warn("%s", e.msg);
}

int
notify_relay_open(struct shim *s, struct err *e)
{
	/* relative to our cwd (STATEDIR), as shim.sock: sun_path never limits STATEDIR */
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = RELAY_PATH};

	if (!s->o.notify_relay)
		return 0;
	if (mkdirat(s->dirfd, SDNOTIFY_RELAY_DIR, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "mkdir '%s/%s'", s->dir, SDNOTIFY_RELAY_DIR);
	s->notify.kind = W_NOTIFY;
	s->notify.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->notify.fd < 0)
		return err_set(e, errno, "notify socket");
	unlinkat(s->dirfd, RELAY_PATH, 0);
	if (bind(s->notify.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return err_set(e, errno, "bind '%s/%s'", s->dir, RELAY_PATH);
	/* whatever user the container runs as may send to it (runc's relay does the same) */
	if (fchmodat(s->dirfd, RELAY_PATH, 0666, 0) < 0)
		return err_set(e, errno, "chmod '%s/%s'", s->dir, RELAY_PATH);
	loop_add(s, &s->notify, EPOLLIN);
	return 0;
}

void
notify_relay_remove(struct shim *s)
{
	if (s->notify.fd >= 0)
		close(s->notify.fd);
	s->notify.fd = -1;
	if (!s->o.notify_relay || s->dirfd < 0)
		return;
	unlinkat(s->dirfd, RELAY_PATH, 0);
	unlinkat(s->dirfd, SDNOTIFY_RELAY_DIR, AT_REMOVEDIR);
}

/* The sd_notify(3) assignments systemd may hear from the service inside. */
static bool
relayed(const char *line)
{
	static const char *const exact[] = {"READY=1", "WATCHDOG=1", "RELOADING=1", "STOPPING=1"};
	static const char *const prefix[] = {
	    "STATUS=", "WATCHDOG_USEC=", "ERRNO=", "BUSERROR=", "EXTEND_TIMEOUT_USEC="};

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(line, exact[i]))
			return true;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (!strncmp(line, prefix[i], strlen(prefix[i])))
			return true;
	return false;
}

static void
relay_send(struct shim *s, const char *msg)
{
	struct err e;

	if (sdnotify_send(s->o.notify_socket, msg, &e) == 0)
		return;
	/* WATCHDOG=1 may come every few seconds: one warning, not one each time */
	if (!s->notify_warned)
		log_warn("%s (further relay failures are not reported)", e.msg);
	s->notify_warned = true;
}

/*
 * One datagram (msg[len] is ours to write): its relayed lines, in order,
 * and with the first READY=1 the container's init as MAINPID, as runc's own
 * relay does. MAINPID= from inside is dropped: it names a pid of the
 * container's namespace, or one of ours it has no business naming.
 */
static void
relay_one(struct shim *s, char *msg, size_t len)
{
	char out[SDNOTIFY_MSG_MAX + 32], *save = NULL;
	size_t n = 0;
	bool ready = false;

	if (memchr(msg, '\0', len))
		return; /* not text: systemd would refuse it too */
	msg[len] = '\0';
	for (char *l = strtok_r(msg, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!relayed(l)) {
			log_debug("notify relay: dropped '%.64s'", l);
			continue;
		}
		/* kept lines are at most the datagram plus one newline: out holds them */
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n", l);
		ready |= !strcmp(l, "READY=1");
	}
	if (ready && !s->notify_mainpid_sent) {
		n += (size_t)snprintf(out + n, sizeof(out) - n, "MAINPID=%ld\n", (long)s->init.pid);
		s->notify_mainpid_sent = true;
	}
	if (n)
		relay_send(s, out);
}

void
notify_relay_on_event(struct shim *s)
{
	char buf[SDNOTIFY_MSG_MAX + 1];
	ssize_t n;

	for (int i = 0; i < RELAY_BATCH; i++) {
		/*
		 * MSG_TRUNC returns the real length, so a longer datagram is
		 * dropped rather than cut. Without a control buffer the kernel
		 * closes any descriptors sent along (FDSTORE=1 is not relayed).
		 */
		n = recv(s->notify.fd, buf, SDNOTIFY_MSG_MAX, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN: all read */
		if ((size_t)n > SDNOTIFY_MSG_MAX) {
			log_debug("notify relay: dropped a %zd-byte datagram", n);
			continue;
		}
		relay_one(s, buf, (size_t)n);
	}
}
