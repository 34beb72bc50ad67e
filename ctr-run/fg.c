/* SPDX-License-Identifier: Apache-2.0 */
/* Foreground waits: signals and window sizes passed to the shim, its answer, a raw TTY. */
#include "fg.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "detachkeys.h"
#include "fdio.h"
#include "log.h"
#include "relay.h"
#include "shimclient.h"

static struct termios saved_tio;
static bool tio_saved;

void
fg_restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
}

bool
fg_raw_tty(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return false;
	t = saved_tio;
	cfmakeraw(&t);
	/* the terminal is the container's now: keys like ^C go to it as bytes */
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) < 0)
		return false;
	tio_saved = true;
	atexit(fg_restore_tty);
	return true;
}

static void
fwd_mask(sigset_t *m)
{
	sigemptyset(m);
	sigaddset(m, SIGINT);
	sigaddset(m, SIGTERM);
	sigaddset(m, SIGHUP);
	sigaddset(m, SIGQUIT);
	sigaddset(m, SIGWINCH);
}

void
fg_block_signals(void)
{
	sigset_t m;

	fwd_mask(&m);
	sigprocmask(SIG_BLOCK, &m, NULL);
}

void
fg_resize(const struct container *c, const char *exec)
{
	struct winsize ws;
	struct err ignored;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	json_auto_t *req =
	    json_pack("{s:s, s:i, s:i}", "op", "resize", "width", ws.ws_col, "height", ws.ws_row);
	if (exec)
		json_object_set_new(req, "exec", json_string(exec));
	json_decref(shim_call(c, req, &ignored));
}

static void
forward(const struct container *c, const char *exec, int sig)
{
	json_auto_t *req = json_pack("{s:s, s:i, s:b}", "op", "kill", "signal", sig, "all", false);
	struct err e;

	if (exec)
		json_object_set_new(req, "exec", json_string(exec));
	json_t *r = shim_call(c, req, &e);
	if (!r)
		log_warn("could not forward signal %d: %s", sig, e.msg);
	json_decref(r);
}

/* The answer to our wait, or the exit record when the shim went away without one. */
static json_t *
answer(const struct container *c, struct shim_conn *k, const char *exec, struct err *e)
{
	json_auto_t *r = shim_recv(k, e);
	json_t *x = json_object_get(r, "exit");

	if (x)
		return json_incref(x);
	if (fg_detached(r))
		return json_incref(r);
	if (r && !json_is_true(json_object_get(r, "ok"))) {
		const char *msg = json_string_value(json_object_get(r, "error"));

		err_code(e, "runtime", "wait: %s", msg ? msg : "refused");
		return NULL;
	}
	if ((x = container_proc_exit(c, exec)))
		return x;
	err_code(e, "system", "the shim of '%s' went away without an exit status", c->id);
	return NULL;
}

/* One chunk from from[i] to to[i]; both ends closed at EOF or when the far side is gone. */
static void
copy_one(struct fg_early *io, int i)
{
	char buf[65536];
	ssize_t n = read(io->from[i], buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0 && fdio_write_full(io->to[i], buf, (size_t)n) == 0)
		return;
	/* our stdin's end closes the process's; its output's end or our reader's is the end */
	close(io->from[i]);
	if (i == 0)
		close(io->to[i]);
	io->from[i] = io->to[i] = -1;
}

/* The process has exited: what it wrote is in the pipes already. */
static void
copy_drain(struct fg_early *io)
{
	for (int i = 1; i < 3; i++) {
		if (io->from[i] < 0)
			continue;
		fcntl(io->from[i], F_SETFL, O_NONBLOCK);
		while (io->from[i] >= 0) {
			char buf[65536];
			ssize_t n = read(io->from[i], buf, sizeof(buf));

			if (n <= 0 || fdio_write_full(io->to[i], buf, (size_t)n) < 0) {
				close(io->from[i]);
				io->from[i] = -1;
			}
		}
	}
	if (io->from[0] >= 0)
		close(io->from[0]), close(io->to[0]);
}

json_t *
fg_wait(const struct container *c, const char *exec, bool tty, struct err *e)
{
	return fg_wait_early(c, exec, tty, NULL, e);
}

json_t *
fg_wait_early(const struct container *c, const char *exec, bool tty, struct fg_early *early,
	      struct err *e)
{
	json_auto_t *req = json_pack("{s:s}", "op", "wait");
	struct shim_conn k;
	sigset_t m;
	_cleanup_close_ int sfd = -1;
	json_t *x = NULL;

	if (exec)
		json_object_set_new(req, "exec", json_string(exec));
	if (early && early->detachable)
		json_object_set_new(req, "detach", json_true());
	fwd_mask(&m);
	sfd = signalfd(-1, &m, SFD_CLOEXEC);
	if (sfd < 0)
		return err_set(e, errno, "signalfd"), NULL;
	if (shim_connect(c, &k, e) < 0) {
		/* no shim to ask: it may have written the exit record before it left */
		return container_proc_exit(c, exec);
	}
	if (shim_send(&k, req, NULL, 0, e) < 0) {
		/* it left between our connect and our question: after writing the record */
		x = container_proc_exit(c, exec);
		goto out;
	}
	if (tty)
		fg_resize(c, exec);
	for (int pidfd = early ? early->pidfd : -1;;) {
		struct pollfd p[6] = {{k.fd, POLLIN, 0}, {sfd, POLLIN, 0}, {pidfd, POLLIN, 0}};
		struct signalfd_siginfo si;

		for (int i = 0; i < 3; i++)
			p[3 + i] = (struct pollfd){early ? early->from[i] : -1, POLLIN, 0};
		if (poll(p, 6, -1) < 0 && errno != EINTR) {
			err_set(e, errno, "poll");
			break;
		}
		for (int i = 0; i < 3; i++)
			if (p[3 + i].revents)
				copy_one(early, i);
		if (p[0].revents) {
			x = answer(c, &k, exec, e);
			if (early)
				copy_drain(early);
			break;
		}
		if (p[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGWINCH)
				forward(c, exec, (int)si.ssi_signo);
			else if (tty)
				fg_resize(c, exec);
		}
		if (pidfd >= 0 && p[2].revents) {
			pidfd = -1; /* once */
			early->fn(early->arg);
		}
	}
out:
	shim_close(&k);
	return x;
}

bool
fg_detached(const json_t *x)
{
	return json_is_true(json_object_get(x, "detached"));
}

bool
fg_detach_done(const json_t *x)
{
	if (!fg_detached(x))
		return false;
	relay_end_line(json_is_true(json_object_get(x, "mid_line")));
	return true;
}

const char *
fg_detach_keys(const char *spec, bool relays)
{
	const char *keys = spec ? spec : DETACHKEYS_DEFAULT;

	if (!relays || !isatty(STDIN_FILENO))
		return NULL;
	return *keys ? keys : NULL;
}

int
fg_status(const json_t *exit)
{
	json_int_t st = json_integer_value(json_object_get(exit, "status"));

	return st < 0 || st > 255 ? 255 : (int)st;
}
