/* SPDX-License-Identifier: Apache-2.0 */
/* Exec processes with a terminal: a console socket each, the master relayed to the client. */
#include "exec-tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "control.h"
#include "detachkeys.h"
#include "log.h"
#include "loop.h"
#include "ops.h"
#include "runtime.h"
#include "shim.h"
#include "tty.h"
#include "xmem.h"

#define CHUNK 4096
#define DRAIN_WRITE_MS 1000 /* how long one write of the last output may wait for the client */

enum xt_role { XT_MASTER, XT_IN, XT_OUT, XT_OWNER };

struct xt_watch {
	struct watch w; /* first: epoll data points here (kind W_EXEC_TTY) */
	struct exec_tty *t;
	enum xt_role role;
	uint32_t events; /* what epoll has now; 0: not registered */
	bool sock;	 /* a socket: send/recv with MSG_DONTWAIT instead of O_NONBLOCK */
};

/*
 * m: the PTY master, read while nothing waits for the client's stdout (out),
 * written while input waits (ibuf). in, out: the descriptors the client
 * passed, -1 once detached. owner: a duplicate of the connection that sent
 * the exec request; its hangup ends the relay but not the process.
 */
struct exec_tty {
	struct exec_tty *next;
	char *id;
	struct xt_watch m, in, out, owner;
	char obuf[CHUNK], ibuf[CHUNK + DETACHKEYS_MAX];
	size_t olen, ooff, ilen, ioff;
	struct detachkeys keys; /* typed on the client's stdin, they detach it */
	bool mid_line;		/* the last byte relayed to the client was no '\n' */
	bool m_done;		/* the slave side is gone: the master is no longer watched */
	bool dead; /* the process exited and every fd is closed; freed at the next sweep */
};

/* Change what epoll watches on x; 0 removes it (a hangup is reported even for 0). */
static void
want(struct shim *s, struct xt_watch *x, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = &x->w};
	int op = !x->events ? EPOLL_CTL_ADD : events ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;

	if (x->w.fd < 0 || x->events == events)
		return;
	if (epoll_ctl(s->epfd, op, x->w.fd, &ev) < 0 && op != EPOLL_CTL_DEL) {
		/* EPERM: a regular file or /dev/null, which never blocks and cannot be polled */
		if (errno != EPERM)
			log_warn("epoll_ctl exec %s fd %d: %s", x->t->id, x->w.fd, strerror(errno));
		return;
	}
	x->events = events;
}

static void
drop(struct shim *s, struct xt_watch *x)
{
	want(s, x, 0);
	if (x->w.fd >= 0)
		close(x->w.fd);
	x->w.fd = -1;
}

/* Who reads and writes now: back-pressure instead of buffers that grow. */
static void
interest(struct shim *s, struct exec_tty *t)
{
	if (!t->m_done)
		want(s, &t->m, (t->olen ? 0 : EPOLLIN) | (t->ilen ? EPOLLOUT : 0));
	if (t->in.w.fd >= 0)
		want(s, &t->in, t->ilen ? 0 : EPOLLIN);
	want(s, &t->out, t->olen ? EPOLLOUT : 0);
}

/*
 * The client's terminal or pipe is shared with the client (and, after it,
 * the user's shell): O_NONBLOCK on it would change theirs. A new open file
 * description of the same file has flags of its own. Sockets are not
 * reopened (MSG_DONTWAIT); other files (regular, /dev/null) never block.
 */
static int
adopt(struct xt_watch *x, int fd, int flags)
{
	char path[64];
	struct stat st;
	int nfd;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	x->sock = S_ISSOCK(st.st_mode);
	if (!S_ISFIFO(st.st_mode) && !(S_ISCHR(st.st_mode) && isatty(fd)))
		return fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* O_NOCTTY: we are a session leader, a terminal must not become ours */
	nfd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (nfd < 0)
		return fd;
	close(fd);
	return nfd;
}

static ssize_t
xread(const struct xt_watch *x, char *buf, size_t n)
{
	return x->sock ? recv(x->w.fd, buf, n, MSG_DONTWAIT) : read(x->w.fd, buf, n);
}

static ssize_t
xwrite(const struct xt_watch *x, const char *buf, size_t n)
{
	return x->sock ? send(x->w.fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL)
		       : write(x->w.fd, buf, n);
}

/* The client's stdout failed (EPIPE, EIO: nobody reads): output is discarded from now on. */
static void
detach_out(struct shim *s, struct exec_tty *t, const char *why)
{
	if (t->out.w.fd >= 0)
		log_info("exec %s: output no longer relayed: %s", t->id, why);
	drop(s, &t->out);
	t->olen = t->ooff = 0;
}

/* Write what waits for the client; false when some still waits. */
static bool
flush_out(struct shim *s, struct exec_tty *t)
{
	while (t->ooff < t->olen) {
		ssize_t n = xwrite(&t->out, t->obuf + t->ooff, t->olen - t->ooff);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n <= 0) {
			detach_out(s, t, strerror(n < 0 ? errno : EIO));
			return true;
		}
		t->ooff += (size_t)n;
	}
	t->olen = t->ooff = 0;
	return true;
}

/* Read one chunk of the process's output; false when the slave side is gone. */
static bool
read_master(struct shim *s, struct exec_tty *t)
{
	ssize_t n = read(t->m.w.fd, t->obuf, sizeof(t->obuf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false; /* EIO: every slave descriptor is closed */
	if (t->out.w.fd < 0)
		return true; /* nobody to relay to: discarded, so the process never blocks */
	t->olen = (size_t)n;
	t->ooff = 0;
	t->mid_line = t->obuf[n - 1] != '\n';
	flush_out(s, t);
	return true;
}

static void
send_eof(struct exec_tty *t)
{
	char eof = 4; /* VEOF by default; the process's line discipline ends its read */
	struct termios tio;

	if (tcgetattr(t->m.w.fd, &tio) == 0)
		eof = (char)tio.c_cc[VEOF];
	if (write(t->m.w.fd, &eof, 1) < 0)
		log_info("exec %s: stdin EOF: %s", t->id, strerror(errno));
}

static void
flush_in(struct exec_tty *t)
{
	while (t->ioff < t->ilen) {
		ssize_t n = write(t->m.w.fd, t->ibuf + t->ioff, t->ilen - t->ioff);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			break; /* the slave is gone: the input has no reader */
		t->ioff += (size_t)n;
	}
	t->ilen = t->ioff = 0;
}

/* The client went away: stop reading its input and writing its output; the process runs on. */
static void
detach_client(struct shim *s, struct exec_tty *t)
{
	drop(s, &t->owner);
	drop(s, &t->in);
	t->ilen = t->ioff = 0;
	detach_out(s, t, strerror(ECONNRESET));
}

/* Write what waits for the client, waiting a little for a slow one; at the end only. */
static void
flush_wait(struct shim *s, struct exec_tty *t)
{
	while (!flush_out(s, t)) {
		struct pollfd p = {t->out.w.fd, POLLOUT, 0};

		if (poll(&p, 1, DRAIN_WRITE_MS) <= 0)
			return detach_out(s, t, strerror(ETIMEDOUT));
	}
}

/*
 * The detach keys, typed on the client's terminal: it is the client's
 * again. As when the client goes away, we stop reading it (no VEOF: the
 * process's input stays open, and what came before the keys still reaches
 * it) and the process runs on with its terminal, its output discarded;
 * what waited for the client is written first, and its wait is answered
 * "detached" only then (ops.c), so that nothing of ours follows its exit.
 */
static void
detach_keys_typed(struct shim *s, struct exec_tty *t)
{
	drop(s, &t->in);
	flush_wait(s, t);
	detach_out(s, t, "the detach keys were typed");
	drop(s, &t->owner);
	ops_detached(s, t->id, t->mid_line);
}

static void
on_in(struct shim *s, struct exec_tty *t)
{
	char buf[CHUNK];
	ssize_t n = xread(&t->in, buf, sizeof(buf));
	bool keys;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* end of the client's input: the process reads EOF, as on a terminal */
		drop(s, &t->in);
		send_eof(t);
		return;
	}
	/* what follows the keys in the same read was typed for the client's shell: dropped */
	keys = detachkeys_feed(&t->keys, buf, (size_t)n, t->ibuf, &t->ilen);
	t->ioff = 0;
	flush_in(t);
	if (keys)
		detach_keys_typed(s, t);
}

void
exec_tty_on_event(struct shim *s, struct watch *w, uint32_t events)
{
	struct xt_watch *x = (struct xt_watch *)w;
	struct exec_tty *t = x->t;

	/* an earlier event of the same epoll batch may have closed it */
	if (t->dead || x->w.fd < 0 || !x->events)
		return;
	switch (x->role) {
	case XT_MASTER:
		if ((events & EPOLLOUT) && t->ilen)
			flush_in(t);
		/* a level-triggered hangup would spin: the drain at exit reads the rest */
		if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !t->olen && !read_master(s, t)) {
			want(s, &t->m, 0);
			t->m_done = true;
		}
		break;
	case XT_IN:
		on_in(s, t);
		break;
	case XT_OUT:
		flush_out(s, t);
		break;
	case XT_OWNER:
		detach_client(s, t);
		break;
	}
	interest(s, t);
}

static void
init_watch(struct exec_tty *t, struct xt_watch *x, enum xt_role role, int fd)
{
	x->w.kind = W_EXEC_TTY;
	x->w.fd = fd;
	x->t = t;
	x->role = role;
}

/* Take over the client's stdin and stdout (stderr is the terminal too) and its connection. */
static struct exec_tty *
xt_new(struct shim *s, struct client *c, const char *eid, int master, const struct detachkeys *keys)
{
	struct exec_tty *t = xcalloc(1, sizeof(*t));
	int in = c->nfds > 0 ? c->fds[0] : -1, out = c->nfds > 1 ? c->fds[1] : -1;

	if (c->nfds > 0)
		c->fds[0] = -1; /* ours now; control_close_fds closes the rest */
	if (c->nfds > 1)
		c->fds[1] = -1;
	t->id = xstrdup(eid);
	t->keys = *keys;
	init_watch(t, &t->m, XT_MASTER, master);
	init_watch(t, &t->in, XT_IN, adopt(&t->in, in, O_RDONLY));
	init_watch(t, &t->out, XT_OUT, adopt(&t->out, out, O_WRONLY));
	/* a connection that is gone already (exec -d) leaves the process no client at once */
	init_watch(t, &t->owner, XT_OWNER, fcntl(c->w.fd, F_DUPFD_CLOEXEC, 3));
	want(s, &t->owner, EPOLLRDHUP);
	/* an input that cannot be polled (/dev/null: no -i) is no input, and no EOF either */
	want(s, &t->in, EPOLLIN);
	if (t->in.w.fd >= 0 && !t->in.events)
		drop(s, &t->in);
	t->next = s->exec_ttys;
	s->exec_ttys = t;
	interest(s, t);
	return t;
}

static struct exec_tty **
xt_find(struct shim *s, const char *eid)
{
	struct exec_tty **pp;

	for (pp = &s->exec_ttys; *pp; pp = &(*pp)->next)
		if (!(*pp)->dead && !strcmp((*pp)->id, eid))
			return pp;
	return NULL;
}

int
exec_tty_run(struct shim *s, struct client *c, const char *eid, const json_t *process,
	     const struct detachkeys *keys, pid_t *pid, struct err *e)
{
	_cleanup_free_ char *name = xasprintf("exec-%s.console.sock", eid), *path = NULL;
	const int none[3] = {-1, -1, -1}; /* the runtime's own stdio: the process has the PTY */
	int lfd = -1, master;

	if (tty_console_listen(s, name, &lfd, &path, e) < 0 ||
	    runtime_exec(s, eid, process, none, pid, e, path) < 0) {
		if (lfd >= 0)
			close(lfd);
		unlinkat(s->dirfd, name, 0);
		return -1;
	}
	master = tty_console_take(s, &lfd, name, e);
	if (master < 0) {
		/* running without a terminal anyone holds: not a process we can hand out */
		kill(*pid, SIGKILL);
		return -1;
	}
	xt_new(s, c, eid, master, keys);
	return 0;
}

static void
xt_close(struct shim *s, struct exec_tty *t)
{
	drop(s, &t->m);
	drop(s, &t->in);
	drop(s, &t->out);
	drop(s, &t->owner);
	t->dead = true;
}

void
exec_tty_exited(struct shim *s, const char *eid)
{
	struct exec_tty **pp = xt_find(s, eid), *t;
	ssize_t n;

	if (!pp)
		return;
	t = *pp;
	/* output still in the PTY belongs before the exit (as tty_drain for init) */
	flush_wait(s, t);
	while (t->out.w.fd >= 0 && (n = read(t->m.w.fd, t->obuf, sizeof(t->obuf))) > 0) {
		t->olen = (size_t)n;
		flush_wait(s, t);
	}
	xt_close(s, t);
}

void
exec_tty_sweep(struct shim *s)
{
	struct exec_tty **pp = &s->exec_ttys;

	while (*pp) {
		struct exec_tty *t = *pp;

		if (!t->dead) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		free(t->id);
		free(t);
	}
}

int
exec_tty_resize(struct shim *s, const char *eid, unsigned w, unsigned h, struct err *e)
{
	struct exec_tty **pp = xt_find(s, eid);
	struct winsize ws = {.ws_row = (unsigned short)h, .ws_col = (unsigned short)w};

	if (!pp)
		return err_code(e, "invalid", "exec process '%s' has no terminal", eid);
	if (ioctl((*pp)->m.w.fd, TIOCSWINSZ, &ws) < 0)
		return err_set(e, errno, "TIOCSWINSZ");
	return 0;
}

void
exec_tty_release_all(struct shim *s)
{
	for (struct exec_tty *t = s->exec_ttys; t; t = t->next)
		if (!t->dead)
			xt_close(s, t);
	exec_tty_sweep(s);
}
