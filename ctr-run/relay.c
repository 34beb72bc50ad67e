/* SPDX-License-Identifier: Apache-2.0 */
/* logs and attach on our side: frames to stdout and stderr, stdin to the lent descriptor. */
#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "detachkeys.h"
#include "fdio.h"
#include "fg.h"
#include "frame.h"
#include "ring.h"
#include "shimclient.h"

#define INPUT_READ 4096

struct input {
	char buf[INPUT_READ + DETACHKEYS_MAX];
	size_t off, len; /* read from our stdin, not yet written */
	bool eof;
	struct detachkeys keys; /* r->keys and how much of them was typed */
};

/* Where the frames go: gone once our reader left; mid_line while the last byte was no '\n'. */
struct sink {
	bool gone, mid_line;
};

/* A frame to our stdout or stderr; a failed write (EPIPE: our reader left) ends the relay. */
static int
to_ours(int stream, const char *data, size_t len, void *arg)
{
	struct sink *s = arg;

	if (fdio_write_full(stream == RING_STDERR ? STDERR_FILENO : STDOUT_FILENO, data, len) < 0) {
		s->gone = true;
		return -1;
	}
	if (len)
		s->mid_line = data[len - 1] != '\n';
	return 0;
}

/*
 * Leaving a terminal mid-line (a shell's prompt, the echo of ^C) would put
 * the caller's prompt after it: end that line. "\r\n":
 * the terminal may still be raw.
 */
void
relay_end_line(bool unfinished)
{
	if (isatty(STDOUT_FILENO) && unfinished)
		fdio_write_full(STDOUT_FILENO, "\r\n", 2);
}

/* Our stdin into in (what passes the detach keys); false when it held them. */
static bool
read_input(struct input *in)
{
	char buf[INPUT_READ];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		in->eof = true;
		return true;
	}
	in->off = 0;
	return !detachkeys_feed(&in->keys, buf, (size_t)n, in->buf, &in->len);
}

/* As much of the pending input as the container takes now (a PTY master is non-blocking). */
static void
write_input(const struct relay *r, struct input *in)
{
	while (in->off < in->len) {
		ssize_t n = write(r->in_to, in->buf + in->off, in->len - in->off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return; /* the loop waits for POLLOUT */
		if (n <= 0) {
			/* its reader is gone (the container exited): input ends here */
			in->eof = true;
			break;
		}
		in->off += (size_t)n;
	}
	in->off = in->len = 0;
}

static void
resize(const struct relay *r)
{
	if (r->resize)
		fg_resize(r->c, NULL);
}

/*
 * The end of our input (or a detach) with close_stdin: our copy of the
 * container's stdin goes, and the shim closes its own (a pipe: the
 * container sees end of file once no other client holds it; a terminal:
 * its end-of-file character). A container gone meanwhile is no error.
 */
static void
stdin_close(const struct relay *r, bool *closed)
{
	json_auto_t *req = json_pack("{s:s}", "op", "close-stdin");
	json_t *ans;
	struct err e;

	if (!r->close_stdin || *closed || r->in_to < 0)
		return;
	*closed = true;
	close(r->in_to);
	if ((ans = shim_call(r->c, req, &e)) != NULL)
		json_decref(ans);
}

/* True when the signal detaches us; SIGWINCH resizes the container's terminal. */
static bool
on_signal(const struct relay *r)
{
	struct signalfd_siginfo si;

	if (read(r->sigfd, &si, sizeof(si)) != sizeof(si))
		return false;
	if (si.ssi_signo != SIGWINCH)
		return true;
	resize(r);
	return false;
}

/* One read of frames from the shim; 1 to go on, 0 at the end, -1 on error. */
static int
read_frames(const struct relay *r, struct frame_reader *fr, struct sink *out, struct err *e)
{
	char buf[65536];
	ssize_t n = read(r->sock, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0)
		return err_set(e, errno, "read the output from the shim");
	if (n == 0)
		return frame_reader_partial(fr)
			   ? err_code(e, "system", "the output stream ended in a frame")
			   : 0;
	if (frame_reader_feed(fr, buf, (size_t)n, to_ours, out, e) < 0)
		return out->gone ? 0 : -1;
	return 1;
}

int
relay_run(const struct relay *r, enum relay_end *end, struct err *e)
{
	struct frame_reader fr = {0};
	struct input in = {.eof = r->in_to < 0};
	struct sink out = {0};
	bool detached = false, by_signal = false, closed = false;
	int rc = 1;

	*end = RELAY_EOF;
	if (r->keys)
		in.keys = *r->keys;
	if (r->nearly && frame_reader_feed(&fr, r->early, r->nearly, to_ours, &out, e) < 0)
		rc = out.gone ? 0 : -1;
	resize(r);
	while (rc > 0) {
		struct pollfd p[4] = {{r->sock, POLLIN, 0},
				      {in.eof || in.len ? -1 : STDIN_FILENO, POLLIN, 0},
				      {in.len ? r->in_to : -1, POLLOUT, 0},
				      {r->sigfd, POLLIN, 0}};

		if (poll(p, 4, -1) < 0) {
			if (errno != EINTR)
				rc = err_set(e, errno, "poll");
			continue;
		}
		if (p[3].revents && on_signal(r))
			detached = by_signal = true, rc = 0;
		else if (p[1].revents && !read_input(&in))
			detached = true, rc = 0;
		/* what came before the keys is the container's */
		if ((rc > 0 || (detached && !by_signal)) && in.len)
			write_input(r, &in);
		/* in.len is 0 once in.eof is: r->in_to is not used again */
		if (rc > 0 && in.eof && !in.len)
			stdin_close(r, &closed);
		if (rc > 0 && p[0].revents)
			rc = read_frames(r, &fr, &out, e);
	}
	frame_reader_release(&fr);
	if (detached || out.gone)
		stdin_close(r, &closed);
	if (detached)
		relay_end_line(out.mid_line || by_signal);
	if (detached || out.gone)
		*end = RELAY_DETACHED;
	return rc < 0 ? -1 : 0;
}

static int
to_ring(int stream, const char *data, size_t len, void *arg)
{
	ring_append(arg, stream, data, len);
	return 0;
}

int
relay_saved(const char *buf, size_t len, long tail, struct err *e)
{
	struct frame_reader fr = {0};
	struct ring ring;
	const struct ring_chunk *c;
	struct sink out = {0};
	size_t off;
	int rc;

	/* no budget: the file holds what the shim's ring kept, already bounded */
	ring_init(&ring, (size_t)1 << 40);
	rc = frame_reader_feed(&fr, buf, len, to_ring, &ring, e);
	if (rc == 0 && frame_reader_partial(&fr))
		rc = err_code(e, "invalid", "the saved output ends in a frame");
	ring_tail(&ring, rc < 0 ? 0 : tail, &c, &off);
	for (; c && !out.gone; c = c->next, off = 0)
		to_ours(c->stream, c->data + off, c->len - off, &out);
	frame_reader_release(&fr);
	ring_release(&ring);
	return rc;
}
