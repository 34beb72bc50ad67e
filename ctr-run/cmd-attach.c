/* SPDX-License-Identifier: Apache-2.0 */
/* attach: the output of a container whose stdio the shim holds, and our input to it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd.h"
#include "fg.h"
#include "jsonio.h"
#include "relay.h"
#include "shimclient.h"

#define O_NOSTDIN 0x100
#define O_STDIN_ONCE 0x101
#define ANSWER_MAX 4096

struct attach_args {
	bool no_stdin, stdin_once;
	const char *keys; /* --detach-keys, or NULL: the default */
};

static void
attach_opt(int c, const char *arg, void *ctx)
{
	struct attach_args *a = ctx;

	if (c == O_NOSTDIN)
		a->no_stdin = true;
	else if (c == O_STDIN_ONCE)
		a->stdin_once = true;
	else if (c == CMD_OPT_DETACH_KEYS)
		a->keys = arg;
}

/*
 * The attach answer, with the lent stdin descriptor when one came (else
 * *fd -1). Frames that followed the answer in the same read go to rest.
 */
static int
recv_answer(int sock, int *fd, json_t **ans, char *buf, const char **rest, size_t *nrest,
	    struct err *e)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {buf, ANSWER_MAX};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	char *nl;
	ssize_t n;

	*fd = -1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || !(nl = memchr(buf, '\n', (size_t)n)))
		return err_set(e, n < 0 ? errno : EPROTO, "attach: no answer from the shim");
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	*rest = nl + 1;
	*nrest = (size_t)(buf + n - (nl + 1));
	*ans = jsonio_parse(buf, (size_t)(nl - buf), "shim answer", e);
	return *ans ? 0 : -1;
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

static int
detach_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

int
attach_container(struct container *c, bool want_stdin, bool start, const struct detachkeys *keys,
		 bool stdin_once)
{
	json_auto_t *req = json_pack("{s:s, s:b}", "op", "attach", "stdin", want_stdin);
	json_auto_t *go = json_pack("{s:s}", "op", "start");
	bool tty = json_is_true(json_object_get(c->rec, "tty"));
	char buf[ANSWER_MAX];
	struct relay r = {.in_to = -1, .c = c, .sigfd = detach_signals()};
	json_t *ans = NULL, *ok;
	enum relay_end end;
	struct shim_conn k;
	struct err e;

	signal(SIGPIPE, SIG_IGN);
	/* exited: its shim is gone or on its way out (its socket goes first) */
	if (container_status(c, NULL) == CS_STOPPED ||
	    (shim_connect(c, &k, &e) < 0 && container_status(c, NULL) == CS_STOPPED))
		die(EXIT_NEG, "container '%s' is not running (stopped)", c->id);
	if (k.fd < 0 || shim_send(&k, req, NULL, 0, &e) < 0 ||
	    recv_answer(k.fd, &r.in_to, &ans, buf, &r.early, &r.nearly, &e) < 0)
		die_err(&e);
	if (!json_is_true(json_object_get(ans, "ok")))
		die(EXIT_NEG, "attach to '%s': %s", c->id,
		    jsonio_str(ans, "error") ? jsonio_str(ans, "error") : "refused");
	json_decref(ans);
	/*
	 * The terminal is the container's now (raw before a start -a's first
	 * output: keys typed as soon as it prints are its own, and ^Q is no
	 * flow control); the detach keys (^P ^Q) give it back.
	 */
	if (tty && r.in_to >= 0 && fg_raw_tty() && keys && keys->len)
		r.keys = keys;
	/* start -a: attached before it runs, so no output is missed */
	if (start && !(ok = shim_call(c, go, &e))) {
		fg_restore_tty(); /* a message on a raw terminal would be misplaced */
		die_err(&e);
	}
	if (start) {
		json_decref(ok);
		container_mark(c, "started", true);
	}
	/*
	 * Our own writes must not block: a container that does not read its
	 * stdin would stop the output and the signals that detach us. The pipe's
	 * write end is the shim's too, which never writes to it; the PTY master
	 * is non-blocking already.
	 */
	if (r.in_to >= 0)
		fcntl(r.in_to, F_SETFL, fcntl(r.in_to, F_GETFL) | O_NONBLOCK);
	r.resize = tty && isatty(STDIN_FILENO);
	r.close_stdin = stdin_once;
	r.sock = k.fd;
	if (relay_run(&r, &end, &e) < 0)
		die_err(&e);
	shim_close(&k);
	return end == RELAY_DETACHED ? 0 : exit_status(c);
}

static const struct opt attach_opts[] = {
    {"no-stdin", O_NOSTDIN, NULL, "do not pass our stdin to the container", NULL},
    {"stdin-once", O_STDIN_ONCE, NULL, "close the container's stdin when ours ends or we detach",
     NULL},
    OPT_INCLUDE(cmd_opt_detach_keys),
    OPT_END,
};
const struct opt_cmd cmd_attach_spec = {
    "ID", "attach to a detached container's stdio (^C detaches; ^P ^Q on its terminal)",
    attach_opts, 0, 0};

int
cmd_attach(int argc, char **argv, struct state *st)
{
	struct attach_args a = {0};
	struct detachkeys keys;
	_cleanup_container_ struct container c = CONTAINER_INIT;

	opt_parse(&cmd_attach_spec, argc, argv, st, attach_opt, &a);
	cmd_detach_keys(&cmd_attach_spec, a.keys, &keys);
	cmd_open(st, cmd_one_id(&cmd_attach_spec, argc, argv), &c, 100);
	if (a.no_stdin && a.stdin_once)
		opt_die(&cmd_attach_spec, "--stdin-once and --no-stdin exclude each other");
	return attach_container(&c, !a.no_stdin, false, &keys, a.stdin_once);
}
