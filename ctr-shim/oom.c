/* SPDX-License-Identifier: Apache-2.0 */
/* OOM kills in the container's cgroup: v1 memory.oom_control eventfd, v2 memory.events inotify. */
#include "oom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "fdio.h"
#include "log.h"
#include "loop.h"
#include "ops.h"
#include "shim.h"
#include "xmem.h"

/* v1: an eventfd registered through cgroup.event_control fires on OOM (and on rmdir). */
static int
setup_v1(struct shim *s)
{
	_cleanup_free_ char *ctl = xasprintf("%s/memory.oom_control", s->cg.mem);
	_cleanup_free_ char *evc = xasprintf("%s/cgroup.event_control", s->cg.mem);
	_cleanup_close_ int cfd = open(ctl, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int wfd = open(evc, O_WRONLY | O_CLOEXEC);
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	char line[32];
	int n;

	if (cfd < 0 || wfd < 0 || efd < 0)
		goto fail;
	n = snprintf(line, sizeof(line), "%d %d", efd, cfd);
	if (fdio_write_full(wfd, line, (size_t)n) < 0)
		goto fail;
	/* the kernel holds the registration; the oom_control fd is no longer needed */
	return efd;
fail:
	log_info("oom: no v1 notification for %s: %s", s->cg.mem, strerror(errno));
	if (efd >= 0)
		close(efd);
	return -1;
}

static int
setup_v2(struct shim *s)
{
	_cleanup_free_ char *ev = xasprintf("%s/memory.events", s->cg.v2);
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd >= 0 && inotify_add_watch(fd, ev, IN_MODIFY) >= 0)
		return fd;
	log_info("oom: no v2 notification for %s: %s", ev, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void
oom_setup(struct shim *s)
{
	s->oom_base = cgroup_oom_kills(&s->cg);
	if (s->oom_base < 0)
		s->oom_base = 0;
	s->oomw.kind = W_OOM;
	s->oomw.fd = s->cg.v2 ? setup_v2(s) : s->cg.mem ? setup_v1(s) : -1;
	if (s->oomw.fd >= 0)
		loop_add(s, &s->oomw, EPOLLIN);
}

void
oom_on_event(struct shim *s)
{
	char buf[4096];
	long long n;

	/* drain: an eventfd counter or a batch of inotify records */
	while (read(s->oomw.fd, buf, sizeof(buf)) > 0)
		;
	n = cgroup_oom_kills(&s->cg);
	if (n == CGROUP_NONE) {
		/* the cgroup went away: nothing more will come */
		loop_del(s, &s->oomw);
		close(s->oomw.fd);
		s->oomw.fd = -1;
		return;
	}
	if (n <= s->oom_base || (s->oom_seen && n == s->oom_base))
		return;
	s->oom_seen = true;
	s->oom_base = n;
	ops_event(s, json_pack("{s:s, s:I}", "event", "oom", "oom_kill", (json_int_t)n));
}

bool
oom_killed(struct shim *s)
{
	long long n = cgroup_oom_kills(&s->cg);

	return s->oom_seen || n > s->oom_base;
}
