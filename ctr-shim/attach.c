/* SPDX-License-Identifier: Apache-2.0 */
/* --stdio-pipes: the container's stdio as pipes the shim holds, lent to one attached client. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "shim.h"

#define PIPE_WANT (1 << 20) /* output the kernel keeps while nobody is attached */

/* Up to PIPE_WANT, but never above what the system lets us have. */
static void
grow(int fd)
{
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "re");
	long max = PIPE_WANT;

	if (f) {
		if (fscanf(f, "%ld", &max) != 1 || max > PIPE_WANT)
			max = PIPE_WANT;
		fclose(f);
	}
	if (fcntl(fd, F_SETPIPE_SZ, (int)max) < 0)
		log_warn("grow the output pipe: %s", strerror(errno));
}

int
attach_pipes(struct shim *s, int far[3], struct err *e)
{
	for (int i = 0; i < 3; i++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			return err_set(e, errno, "pipe");
		/* stdin: we keep the write end; stdout, stderr: the read ends */
		s->pipes[i] = i == 0 ? p[1] : p[0];
		far[i] = i == 0 ? p[0] : p[1];
		if (i)
			grow(p[0]);
	}
	return 0;
}

void
attach_close_far(int far[3])
{
	for (int i = 0; i < 3; i++)
		if (far[i] >= 0)
			close(far[i]);
}

/* The reply line and the descriptors in one sendmsg, so they arrive together. */
static int
send_fds(int sock, const int *fds, int n)
{
	static const char line[] = "{\"ok\":true}\n";
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)line, sizeof(line) - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	mh.msg_control = u.buf;
	mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	/* a fresh connection's socket buffer takes 12 bytes: a short send is an error */
	return sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)iov.iov_len ? 0 : -1;
}

void
attach_op(struct shim *s, struct client *c, json_t *req)
{
	int in = 1;
	int fds[3] = {s->pipes[1], s->pipes[2], s->pipes[0]};

	if (json_unpack(req, "{s?b}", "stdin", &in) < 0)
		return control_error(s, c, "attach wants \"stdin\" as a boolean");
	if (s->pipes[1] < 0)
		return control_error(s, c, "the container's stdio is not held by the shim");
	if (s->attached)
		return control_error(s, c, "another client is attached");
	if (c->outlen)
		return control_error(s, c, "attach wants a connection with no answer pending");
	/* output never passes through us: the client reads the pipes until its socket closes */
	if (send_fds(c->w.fd, fds, in && fds[2] >= 0 ? 3 : 2) < 0)
		return control_drop(s, c);
	s->attached = c;
}

int
attach_close_stdin(struct shim *s, struct err *e)
{
	if (s->pipes[0] < 0)
		return err_code(e, "invalid", "the container's stdin is not held by the shim");
	close(s->pipes[0]);
	s->pipes[0] = -1;
	return 0;
}
