/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A session of the v4.channel.k8s.io protocol over SPDY/3.1: the client
 * opens its streams (SYN_STREAM with a "streamtype" header), we run
 * ctr-run exec or attach wired to them, and end with the Status document
 * on the error stream and a GOAWAY.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "backlog.h"
#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "log.h"
#include "record.h"
#include "spawn.h"
#include "spdy.h"
#include "stream-session.h"
#include "xmem.h"

/* How long the client has to open its streams, as upstream's streamCreationTimeout. */
#define STREAMS_TIMEOUT_MS 30000
/* How long a command has to end once its client is gone, before ctr-run is killed. */
#define HANGUP_GRACE_MS 5000
/* Input taken from the client and not yet by the command: past this, the client waits. */
#define INPUT_MAX (1u << 20)

enum { S_ERROR, S_STDIN, S_STDOUT, S_STDERR, S_RESIZE, S_NUM };
static const char *const stream_names[S_NUM] = {"error", "stdin", "stdout", "stderr", "resize"};

struct session {
	const struct stream_req *r;
	struct spdy sp;
	struct spdy_frame f;
	uint32_t id[S_NUM]; /* the client's stream of each type; 0 until opened */
	bool want[S_NUM];
	uint32_t last;	  /* the last stream the client opened */
	int in, out, err; /* our ends: the command's stdin, stdout, stderr (-1: none) */
	int pty;	  /* with a tty: the terminal's master (in is it, out a dup) */
	bool in_eof;	  /* the client ended stdin */
	bool gone;	  /* the client went away or broke the protocol */
	/* stdin the command has not taken (all of it before it runs) */
	struct backlog pend;
	char rsz[1024]; /* a resize message not yet whole */
	size_t nrsz;
	struct winsize ws; /* the last size asked for, set on the terminal once it is open */
	pid_t pid;
};

static bool
all_open(const struct session *s)
{
	for (int i = 0; i < S_NUM; i++)
		if (s->want[i] && !s->id[i])
			return false;
	return true;
}

/* Once what is pending is written, a pipe is closed (a terminal has no end but hanging up). */
static void
stdin_end(struct session *s)
{
	s->in_eof = true;
	if (s->pid > 0 && !s->pend.len && s->in >= 0 && s->pty < 0) {
		close(s->in);
		s->in = -1;
	}
}

/* Give the command what it takes now of the pending input; at its end, end its stdin. */
static void
input_flush(struct session *s)
{
	/* the rest waits for POLLOUT; with its reader gone, input ends here */
	backlog_flush(&s->pend, s->in);
	if (s->in_eof && !s->pend.len)
		stdin_end(s);
}

/* A whole {"Width":W,"Height":H} sets the terminal's size; ctr-run passes it on at SIGWINCH. */
static void
resize(struct session *s, const uint8_t *p, size_t n)
{
	if (n > sizeof(s->rsz) - s->nrsz) {
		s->nrsz = 0; /* not a resize message: dropped */
		return;
	}
	memcpy(s->rsz + s->nrsz, p, n);
	s->nrsz += n;
	for (;;) {
		json_error_t je;
		json_t *j = json_loadb(s->rsz, s->nrsz, JSON_DISABLE_EOF_CHECK, &je);
		size_t used;

		if (!j)
			return; /* incomplete (or bad: dropped when the buffer fills) */
		used = je.position;
		s->ws.ws_col = (unsigned short)json_integer_value(json_object_get(j, "Width"));
		s->ws.ws_row = (unsigned short)json_integer_value(json_object_get(j, "Height"));
		json_decref(j);
		memmove(s->rsz, s->rsz + used, s->nrsz - used);
		s->nrsz -= used;
		if (s->pty >= 0 && s->ws.ws_col && s->ws.ws_row &&
		    ioctl(s->pty, TIOCSWINSZ, &s->ws) == 0 && s->pid > 0)
			kill(s->pid, SIGWINCH);
	}
}

static void
open_stream(struct session *s)
{
	_cleanup_free_ char *type = NULL;
	struct err e;
	int i;

	if (spdy_header(&s->sp, &s->f, "streamtype", &type, &e) < 0) {
		log_debug("stream: %s", e.msg);
		s->gone = true;
		return;
	}
	s->last = s->f.stream;
	for (i = 0; i < S_NUM; i++)
		if (type && strcmp(type, stream_names[i]) == 0)
			break;
	if (i == S_NUM || !s->want[i] || s->id[i]) {
		spdy_send_rst(&s->sp, s->f.stream, SPDY_REFUSED_STREAM);
		return;
	}
	s->id[i] = s->f.stream;
	if (spdy_send_reply(&s->sp, s->f.stream) < 0)
		s->gone = true;
}

static void
on_data(struct session *s)
{
	const struct spdy_frame *f = &s->f;

	if (s->id[S_STDIN] && f->stream == s->id[S_STDIN] && !s->in_eof) {
		/* more than INPUT_MAX only from a client that sends past our not reading */
		backlog_add(&s->pend, f->data, f->len);
		if (f->flags & SPDY_FLAG_FIN)
			s->in_eof = true;
		if (s->pid > 0)
			input_flush(s);
	} else if (s->id[S_RESIZE] && f->stream == s->id[S_RESIZE]) {
		resize(s, f->data, f->len);
	}
}

/* A frame of the client's (in s->f); arg is the session. */
static void
on_frame(void *arg)
{
	struct session *s = arg;
	const struct spdy_frame *f = &s->f;

	if (!f->control) {
		on_data(s);
		return;
	}
	switch (f->type) {
	case SPDY_SYN_STREAM:
		open_stream(s);
		break;
	case SPDY_RST_STREAM:
		if (s->id[S_STDIN] && f->stream == s->id[S_STDIN])
			stdin_end(s);
		break;
	default:
		if (spdy_control(&s->sp, f) < 0)
			s->gone = true;
		break;
	}
}

/* Read from the client and act on each whole frame. */
static void
from_client(struct session *s)
{
	if (spdy_pump(&s->sp, &s->f, &s->last, &s->gone, on_frame, s) < 0)
		s->gone = true;
}

/* One read of the command's output to its stream; false at its end. */
static bool
output(struct session *s, int *fd, int which)
{
	char buf[32768];
	ssize_t n;

	do
		n = read(*fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return true;
	if (n <= 0) { /* EIO: a terminal whose other side is closed */
		close(*fd);
		*fd = -1;
		return false;
	}
	if (s->id[which] && spdy_send_data(&s->sp, s->id[which], 0, buf, (size_t)n) < 0)
		s->gone = true;
	return true;
}

static int
nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* A pipe: our end (non-blocking) in *ours, theirs returned; -1 on failure. */
static int
pipe_end(bool reading, int *ours)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	*ours = reading ? p[0] : p[1];
	nonblock(*ours);
	return reading ? p[1] : p[0];
}

/*
 * A terminal for ctr-run: raw, as it only relays the container's own (whose
 * line discipline is the one the command sees), of the size asked for.
 */
static int
pty_open(int *slave, const struct winsize *ws)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	char name[64];

	*slave = -1;
	if (m < 0)
		return -1;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0 ||
	    (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		close(m);
		return -1;
	}
	if (tcgetattr(*slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(*slave, TCSANOW, &t);
	}
	if (ws->ws_col && ws->ws_row)
		ioctl(m, TIOCSWINSZ, ws);
	nonblock(m);
	return m;
}

/* ctr-run exec|attach for r, argv in a new array of borrowed strings. */
static const char **
command(struct cri *c, const char *exe, const struct stream_req *r)
{
	size_t n = 0, ncmd = 0;
	const char **argv;

	while (r->cmd && r->cmd[ncmd])
		ncmd++;
	argv = xcalloc(ncmd + 16, sizeof(*argv));
	argv[n++] = exe;
	argv[n++] = "--root";
	argv[n++] = c->st->root;
	argv[n++] = "--state";
	argv[n++] = c->st->run;
	argv[n++] = "-n";
	argv[n++] = c->st->ns;
	if (r->kind == STREAM_EXEC) {
		argv[n++] = "exec";
		if (r->tty)
			argv[n++] = "-t";
		if (r->in)
			argv[n++] = "-i";
		/* our terminal is no user's: ^P ^Q are the process's keys, as with containerd */
		argv[n++] = "--detach-keys=";
		argv[n++] = r->container;
		argv[n++] = "--";
		for (size_t i = 0; i < ncmd; i++)
			argv[n++] = r->cmd[i];
	} else {
		argv[n++] = "attach";
		if (!r->in)
			argv[n++] = "--no-stdin";
		else if (r->once)
			argv[n++] = "--stdin-once";
		argv[n++] = "--detach-keys=";
		argv[n++] = r->container;
	}
	return argv;
}

/* Start the command with its stdio ours (a terminal, or pipes and /dev/null). */
static int
start(struct cri *c, struct session *s, struct err *e)
{
	_cleanup_free_ char *exe = spawn_sibling("ctr-run", "CTR_RUN");
	_cleanup_free_ const char **argv = command(c, exe, s->r);
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int theirs[3] = {-1, -1, -1}; /* the ends to close once it has them (all close-on-exec) */
	struct spawn_opts o = SPAWN_OPTS_INIT;
	int r;

	if (s->r->tty) {
		s->pty = pty_open(&theirs[0], &s->ws);
		if (s->pty < 0)
			return err_set(e, errno, "open a terminal");
		s->in = s->r->in ? s->pty : -1;
		s->out = fcntl(s->pty, F_DUPFD_CLOEXEC, 0);
		o.stdin_fd = o.stdout_fd = o.stderr_fd = theirs[0];
	} else {
		theirs[0] = s->r->in ? pipe_end(false, &s->in) : -1;
		theirs[1] = s->r->out ? pipe_end(true, &s->out) : -1;
		theirs[2] = s->r->err ? pipe_end(true, &s->err) : -1;
		o.stdin_fd = s->r->in ? theirs[0] : null;
		o.stdout_fd = s->r->out ? theirs[1] : null;
		o.stderr_fd = s->r->err ? theirs[2] : null;
	}
	o.setsid = true;
	r = spawn_start((char *const *)argv, &o, &s->pid, e);
	for (int i = 0; i < 3; i++)
		if (theirs[i] >= 0)
			close(theirs[i]);
	if (r < 0)
		return -1;
	input_flush(s);
	return 0;
}

/* Wait for the command, with ctr-run killed if it has not ended within ms. */
static int
reap(pid_t pid, int ms)
{
	_cleanup_close_ int pfd = spawn_pidfd(pid);
	struct pollfd p = {pfd, POLLIN, 0};
	int ws = 0;

	if (pfd >= 0 && ms >= 0 && poll(&p, 1, ms) == 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	return spawn_status(ws);
}

/* Pump until the command exits (its status) or the client goes (-1). */
static int
run(struct session *s)
{
	_cleanup_close_ int pfd = spawn_pidfd(s->pid);
	int stopfd = stream_stop_fd();

	for (;;) {
		/* the client waits while the command has INPUT_MAX of its input to take */
		struct pollfd p[6] = {{s->pend.len < INPUT_MAX ? s->sp.fd : -1, POLLIN, 0},
				      {s->out, POLLIN, 0},
				      {s->err, POLLIN, 0},
				      {pfd, POLLIN, 0},
				      {stopfd, POLLIN, 0},
				      {s->pend.len ? s->in : -1, POLLOUT, 0}};

		if (poll(p, 6, -1) < 0 && errno != EINTR)
			s->gone = true;
		if (p[5].revents)
			input_flush(s);
		if (p[1].revents)
			output(s, &s->out, S_STDOUT);
		if (p[2].revents)
			output(s, &s->err, S_STDERR);
		if (p[0].revents)
			from_client(s);
		if (p[4].revents)
			s->gone = true;
		if (s->gone) {
			/* ctr-run passes the signal on (exec) or detaches (attach) */
			kill(s->pid, s->r->kind == STREAM_EXEC ? SIGHUP : SIGTERM);
			reap(s->pid, HANGUP_GRACE_MS);
			return -1;
		}
		if (p[3].revents || pfd < 0) {
			int status = reap(s->pid, -1);

			/* what it wrote is in our ends already: take it, do not wait for EOF */
			while (s->out >= 0 && output(s, &s->out, S_STDOUT) && !s->gone)
				if (s->out >= 0 &&
				    poll(&(struct pollfd){s->out, POLLIN, 0}, 1, 0) <= 0)
					break;
			while (s->err >= 0 && output(s, &s->err, S_STDERR) && !s->gone)
				if (s->err >= 0 &&
				    poll(&(struct pollfd){s->err, POLLIN, 0}, 1, 0) <= 0)
					break;
			return status;
		}
	}
}

static char *
joined_cmd(const struct stream_req *r)
{
	size_t n = 3;
	char *out;

	for (size_t i = 0; r->cmd && r->cmd[i]; i++)
		n += strlen(r->cmd[i]) + 1;
	out = xmalloc(n);
	strcpy(out, "[");
	for (size_t i = 0; r->cmd && r->cmd[i]; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, r->cmd[i]);
	}
	strcat(out, "]");
	return out;
}

/* metav1.Status as the kubelet's streaming server writes it (encoding/json of its fields). */
static json_t *
status_doc(const struct stream_req *r, int code, const char *failure)
{
	_cleanup_free_ char *cmd = NULL, *msg = NULL, *rc = NULL;

	if (failure) {
		msg = xasprintf("error executing command in container: %s", failure);
		return json_pack("{s:{}, s:s, s:s+, s:s, s:{s:[{s:s}]}, s:i}", "metadata", "status",
				 "Failure", "message", "Internal error occurred: ", msg, "reason",
				 "InternalError", "details", "causes", "message", msg, "code", 500);
	}
	if (code == 0 || r->kind == STREAM_ATTACH)
		return json_pack("{s:{}, s:s}", "metadata", "status", "Success");
	cmd = joined_cmd(r);
	rc = xasprintf("%d", code);
	return json_pack("{s:{}, s:s, s:s+++, s:s, s:{s:[{s:s, s:s}]}}", "metadata", "status",
			 "Failure", "message",
			 "command terminated with non-zero exit code: error executing command ",
			 cmd, ", exit code ", rc, "reason", "NonZeroExitCode", "details", "causes",
			 "reason", "ExitCode", "message", rc);
}

static void
finish(struct session *s, json_t *st)
{
	char *doc = json_dumps(st, JSON_COMPACT);

	for (int i = S_STDOUT; i <= S_STDERR; i++)
		if (s->id[i])
			spdy_send_data(&s->sp, s->id[i], SPDY_FLAG_FIN, NULL, 0);
	if (s->id[S_ERROR] && doc)
		spdy_send_data(&s->sp, s->id[S_ERROR], SPDY_FLAG_FIN, doc, strlen(doc));
	spdy_send_goaway(&s->sp, s->last, 0);
	free(doc);
}

/* The container still there, or why not. */
static char *
container_gone(struct cri *c, const struct stream_req *r)
{
	_cleanup_close_ int dirfd = -1;
	struct err e;
	json_t *rec =
	    record_find(c->st, RECORD_CONTAINERS, "container", r->container, &dirfd, NULL, &e);

	if (rec) {
		json_decref(rec);
		return NULL;
	}
	return xasprintf("failed to exec in container: %s", e.msg);
}

void
stream_session(struct cri *c, int fd, const struct stream_req *r, const void *early, size_t nearly)
{
	struct session s = {.r = r, .in = -1, .out = -1, .err = -1, .pty = -1};
	_cleanup_free_ char *failure = NULL;
	json_t *st = NULL;
	struct err e;
	int status = 0;

	if (spdy_init(&s.sp, fd, &e) < 0) {
		log_warn("stream: %s", e.msg);
		spdy_release(&s.sp);
		return;
	}
	s.want[S_ERROR] = true;
	s.want[S_STDIN] = r->in;
	s.want[S_STDOUT] = r->out;
	s.want[S_STDERR] = r->err && !r->tty;
	s.want[S_RESIZE] = r->tty;
	spdy_feed(&s.sp, early, nearly);
	if (nearly)
		while (!s.gone && spdy_next(&s.sp, &s.f, &e) > 0)
			on_frame(&s);
	/* the streams first, as upstream waits for them all */
	while (!s.gone && !all_open(&s)) {
		struct pollfd p[2] = {{fd, POLLIN, 0}, {stream_stop_fd(), POLLIN, 0}};

		if (poll(p, 2, STREAMS_TIMEOUT_MS) <= 0 || p[1].revents) {
			s.gone = true;
			break;
		}
		from_client(&s);
	}
	if (!s.gone) {
		if ((failure = container_gone(c, r)) == NULL && start(c, &s, &e) < 0)
			failure = xasprintf("%s", e.msg);
		if (!failure)
			status = run(&s);
		/* 125: ctr-run's own failure (not running, no such container), not the command's */
		if (!failure && status == 125 && r->kind == STREAM_EXEC)
			failure = xasprintf("ctr-run exec failed (status 125; its message is on "
					    "stderr)");
		if (!s.gone && status >= 0) {
			st = status_doc(r, status, failure);
			finish(&s, st);
			json_decref(st);
		}
	}
	if (s.in >= 0 && s.in != s.pty)
		close(s.in);
	if (s.pty >= 0)
		close(s.pty);
	if (s.out >= 0)
		close(s.out);
	if (s.err >= 0)
		close(s.err);
	backlog_release(&s.pend);
	spdy_release(&s.sp);
}
