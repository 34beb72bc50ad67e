/* SPDX-License-Identifier: Apache-2.0 */
/* attach: borrow the pipes a --stdio pipe container's shim holds and copy them to our stdio. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd.h"
#include "fdio.h"
#include "fg.h"
#include "jsonio.h"
#include "shimclient.h"

#define ATTACH_USAGE "attach [--no-stdin] ID"
#define O_NOSTDIN 0x100

static void
set_flag(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c == O_NOSTDIN)
		*(bool *)ctx = true;
}

/* The attach answer and its descriptors (stdout, stderr[, stdin]); returns how many came. */
static int
recv_answer(int sock, int fds[3], json_t **ans, struct err *e)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char line[4096];
	struct iovec iov = {line, sizeof(line) - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;
	int nfds = 0;

	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || !memchr(line, '\n', (size_t)n))
		return err_set(e, n < 0 ? errno : EPROTO, "attach: no answer from the shim");
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(cm), (size_t)(nfds > 3 ? 3 : nfds) * sizeof(int));
		}
	if (!(*ans = jsonio_parse(line, (size_t)(strchr(line, '\n') - line), "shim answer", e)))
		return -1;
	return nfds;
}

/* Copy one chunk from from to to; false at EOF (or when to is gone). */
static bool
copy(int from, int to)
{
	char buf[65536];
	ssize_t n;

	errno = 0; /* so EOF is told from a write that failed */
	do
		n = read(from, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	return n > 0 && fdio_write_full(to, buf, (size_t)n) == 0;
}

/*
 * Until the container's output ends (true) or a signal or a vanished stdout
 * detaches us (false). EOF on our stdin only stops the input side.
 */
static bool
relay(int fds[3], int nfds, int sfd)
{
	struct pollfd p[4] = {{fds[0], POLLIN, 0},
			      {fds[1], POLLIN, 0},
			      {sfd, POLLIN, 0},
			      {nfds > 2 ? STDIN_FILENO : -1, POLLIN, 0}};
	const int to[4] = {STDOUT_FILENO, STDERR_FILENO, -1, nfds > 2 ? fds[2] : -1};

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 4, -1) < 0 && errno != EINTR)
			return false;
		if (p[2].revents)
			return false;
		for (int i = 0; i < 4; i++) {
			if (i == 2 || !p[i].revents || copy(p[i].fd, to[i]))
				continue;
			if (i < 2 && p[i].revents & (POLLIN | POLLHUP) && errno == EPIPE)
				return false; /* our own reader went away */
			p[i].fd = -1;
		}
	}
	return true;
}

/* The container has exited (its output ended): its status, from the shim or exit.json. */
static int
exit_status(const struct container *c)
{
	json_auto_t *req = json_pack("{s:s}", "op", "wait");
	struct err e;
	json_auto_t *r = shim_call(c, req, &e);
	json_auto_t *x = r ? json_incref(json_object_get(r, "exit")) : container_exit(c);

	return x ? fg_status(x) : 0;
}

int
cmd_attach(int argc, char **argv, struct state *st)
{
	static const struct option opts[] = {{"no-stdin", no_argument, NULL, O_NOSTDIN},
					     {NULL, 0, NULL, 0}};
	bool no_stdin = false;
	int i = cmd_getopt(argc, argv, ATTACH_USAGE, "", opts, set_flag, &no_stdin, st, 100);
	int fds[3] = {-1, -1, -1}, nfds;
	struct container c;
	struct shim_conn k;
	struct err e;
	json_auto_t *req = json_pack("{s:s, s:b}", "op", "attach", "stdin", !no_stdin);
	json_t *ans = NULL;
	sigset_t set;

	if (argc - i != 1)
		die(EXIT_USAGE, "want one container ID (usage: %s " ATTACH_USAGE ")", PROG);
	cmd_open(st, argv[i], &c, 100);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (shim_connect(&c, &k, &e) < 0 || shim_send(&k, req, NULL, 0, &e) < 0 ||
	    (nfds = recv_answer(k.fd, fds, &ans, &e)) < 0)
		die_err(&e);
	if (!json_is_true(json_object_get(ans, "ok")) || nfds < 2)
		die(EXIT_NEG, "attach to '%s': %s", c.id,
		    jsonio_str(ans, "error") ? jsonio_str(ans, "error") : "no descriptors");
	json_decref(ans);
	/* k stays open: the shim lends the pipes to us until this connection closes */
	if (!relay(fds, nfds, signalfd(-1, &set, SFD_CLOEXEC)))
		return 0;
	shim_close(&k);
	return exit_status(&c);
}
