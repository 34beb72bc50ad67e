/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TTY containers: the PTY master from --console-socket, relayed to and from
 * our fds 0 and 1 (--stdio inherit), or read into the output ring with input
 * from attached clients (--stdio pipe, output.c).
 */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "detachkeys.h"
#include "fdio.h"
#include "foreground.h"
#include "log.h"
#include "loop.h"
#include "ops.h"
#include "output.h"
#include "ring.h"
#include "shim.h"
#include "spawn.h"
#include "xmem.h"

#define CONSOLE "console.sock"

int
tty_console_listen(struct shim *s, const char *name, int *lfd, char **path, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int r;

	if (strlen(name) >= sizeof(sa.sun_path))
		return err_code(e, "invalid", "console socket name '%s' too long", name);
	strcpy(sa.sun_path, name); /* relative to our cwd, STATEDIR */
	*lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*lfd < 0)
		return err_set(e, errno, "console socket");
	unlinkat(s->dirfd, name, 0);
	old = umask(0177);
	r = bind(*lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(*lfd, 1) < 0)
		return err_set(e, errno, "bind '%s/%s'", s->dir, name);
	/*
	 * The runtime connects by path, and sun_path holds 108 bytes. A long
	 * STATEDIR is reached through our own directory fd in /proc instead.
	 */
	*path = xasprintf("%s/%s", s->dir, name);
	if (strlen(*path) >= sizeof(sa.sun_path)) {
		free(*path);
		*path = xasprintf("/proc/%ld/fd/%d/%s", (long)getpid(), s->dirfd, name);
	}
	return 0;
}

int
tty_listen(struct shim *s, char **console_path, struct err *e)
{
	return tty_console_listen(s, CONSOLE, &s->console_lfd, console_path, e);
}

static int
recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	char byte[256];
	struct iovec iov = {.iov_base = byte, .iov_len = sizeof(byte)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf.buf,
			    .msg_controllen = sizeof(cbuf.buf)};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) < 0)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

static void
watch_stdin(struct shim *s)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->in};

	s->in.kind = W_STDIN;
	s->in.fd = 0;
	/*
	 * A regular file or /dev/null cannot be polled: then there is no input
	 * to relay. With --stdio pipe, input comes from attached clients, which
	 * write to the master themselves.
	 */
	if (!s->o.stdin_open || s->o.stdio != STDIO_INHERIT ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, 0, &ev) < 0) {
		s->in.fd = -1;
		s->stdin_done = true;
	}
}

int
tty_console_take(struct shim *s, int *lfd, const char *name, struct err *e)
{
	/* the runtime has exited: its connection, if it made one, is queued */
	_cleanup_close_ int conn = accept4(*lfd, NULL, NULL, SOCK_CLOEXEC);
	int fd = conn < 0 ? -1 : recv_fd(conn);

	close(*lfd);
	*lfd = -1;
	unlinkat(s->dirfd, name, 0);
	if (fd < 0)
		return err_set(e, errno, "receive the PTY master from the runtime");
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

int
tty_receive(struct shim *s, struct err *e)
{
	int fd = tty_console_take(s, &s->console_lfd, CONSOLE, e);

	if (fd < 0)
		return -1;
	s->pty.kind = W_PTY;
	s->pty.fd = fd;
	loop_add(s, &s->pty, EPOLLIN);
	watch_stdin(s);
	return 0;
}

static void
stop_master(struct shim *s)
{
	/* the slave side is gone (EIO): a level-triggered hangup would spin */
	loop_del(s, &s->pty);
}

void
tty_on_master(struct shim *s, uint32_t events)
{
	char buf[4096];
	ssize_t n;

	if (s->o.stdio == STDIO_PIPE) {
		if (!output_pump(s, RING_STDOUT, s->pty.fd, false)) {
			stop_master(s);
			output_end(s);
		}
		return;
	}
	n = read(s->pty.fd, buf, sizeof(buf));

	if (n > 0) {
		if (fdio_write_full(1, buf, (size_t)n) < 0)
			log_info("tty output: %s", strerror(errno));
		s->mid_line = buf[n - 1] != '\n';
	} else if (n == 0 || errno != EAGAIN || (events & EPOLLHUP)) {
		stop_master(s);
	}
}

void
tty_drain(struct shim *s)
{
	char buf[4096];
	ssize_t n;

	if (s->pty.fd < 0)
		return;
	if (s->o.stdio == STDIO_PIPE) {
		output_pump(s, RING_STDOUT, s->pty.fd, true);
		return;
	}
	while ((n = read(s->pty.fd, buf, sizeof(buf))) > 0)
		fdio_write_full(1, buf, (size_t)n);
}

/* The terminal's end-of-file character: the container's line discipline ends its read. */
static void
write_veof(struct shim *s)
{
	char eof = 4; /* VEOF by default */
	struct termios t;

	if (tcgetattr(s->pty.fd, &t) == 0)
		eof = (char)t.c_cc[VEOF];
	if (write(s->pty.fd, &eof, 1) < 0)
		log_info("tty stdin EOF: %s", strerror(errno));
}

static void
stdin_eof(struct shim *s)
{
	if (s->stdin_done)
		return;
	if (s->in.fd >= 0)
		loop_del(s, &s->in);
	s->in.fd = -1;
	s->stdin_done = true;
	write_veof(s);
}

static void
unwatch_caller(struct shim *s)
{
	if (s->caller.fd < 0)
		return;
	loop_del(s, &s->caller);
	close(s->caller.fd);
	s->caller.fd = -1;
}

/*
 * The detach keys, typed on the caller's terminal: the terminal is the
 * caller's again, as when it dies (tty_on_caller), but the container's
 * stdin stays open (no VEOF), and from now on its terminal is held as a
 * detached one's (output.c): output kept for logs and attach, the master
 * lent to attach. The caller hears it in the answer to its wait (ops.c),
 * which comes after the last output relayed to its terminal.
 */
static void
detach(struct shim *s)
{
	struct err e;

	/* init is gone, its exit on the way: that is the caller's answer, not a detach */
	if (s->init.exit || !foreground_init_alive(s))
		return;
	loop_del(s, &s->in);
	s->in.fd = -1;
	unwatch_caller(s);
	if (output_take_tty(s, &e) < 0)
		log_warn("%s", e.msg);
	ops_detached(s, NULL, s->mid_line);
	log_info("detached: the caller's terminal is no longer relayed; output is kept");
}

void
tty_on_stdin(struct shim *s, uint32_t events)
{
	char buf[4096], pass[sizeof(buf) + DETACHKEYS_MAX];
	struct pollfd gone = {s->caller.fd, POLLIN, 0};
	size_t len;
	bool keys;
	ssize_t n;

	(void)events;
	/* the caller's death and new input in one batch: the input is not ours */
	if (s->caller.fd >= 0 && poll(&gone, 1, 0) > 0) {
		tty_on_caller(s);
		return;
	}
	n = read(0, buf, sizeof(buf));
	if (n > 0) {
		/* what follows the keys in the same read was typed for the shell: dropped */
		keys = detachkeys_feed(&s->keys, buf, (size_t)n, pass, &len);
		if (len && fdio_write_full(s->pty.fd, pass, len) < 0)
			log_info("tty input: %s", strerror(errno));
		if (keys && s->caller.fd >= 0)
			detach(s);
	} else if (n == 0 || errno != EAGAIN) {
		stdin_eof(s);
	}
}

int
tty_resize(struct shim *s, unsigned w, unsigned h, struct err *e)
{
	struct winsize ws = {.ws_row = (unsigned short)h, .ws_col = (unsigned short)w};

	if (s->pty.fd < 0)
		return err_code(e, "invalid", "the container has no TTY");
	if (ioctl(s->pty.fd, TIOCSWINSZ, &ws) < 0)
		return err_set(e, errno, "TIOCSWINSZ");
	return 0;
}

int
tty_close_stdin(struct shim *s, struct err *e)
{
	/* without a TTY the container holds the caller's stdin itself, not through us */
	if (s->pty.fd < 0)
		return err_code(e, "invalid",
				"the container's stdin is the caller's, not held by the shim");
	/*
	 * Held for attached clients (which write to the master themselves):
	 * the end of file once, and no client gets the master for input again.
	 */
	if (s->o.stdio == STDIO_PIPE) {
		if (!s->o.stdin_open || s->tty_stdin_closed)
			return err_code(e, "invalid",
					"the container's stdin is not open (-i) or closed");
		s->tty_stdin_closed = true;
		write_veof(s);
		return 0;
	}
	stdin_eof(s);
	return 0;
}

void
tty_watch_caller(struct shim *s)
{
	if (!s->o.caller_pid || !s->o.tty || s->o.stdio != STDIO_INHERIT)
		return;
	s->caller.kind = W_CALLER;
	s->caller.fd = spawn_pidfd(s->o.caller_pid);
	/* gone already (or no pidfd_open): let go of its terminal now */
	if (s->caller.fd < 0 || kill(s->o.caller_pid, 0) < 0 || getppid() != s->o.caller_pid) {
		tty_on_caller(s);
		return;
	}
	loop_add(s, &s->caller, EPOLLIN);
}

/*
 * A foreground run whose caller died (killed, its terminal closed): the
 * terminal belongs to the shell again, and a relay left reading it would
 * take what the user types next. Input ends (VEOF) and output is dropped.
 */
void
tty_on_caller(struct shim *s)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	unwatch_caller(s);
	if (s->pty.fd >= 0)
		stdin_eof(s);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		close(null);
	}
	log_info("the caller is gone: its terminal is no longer relayed");
}
