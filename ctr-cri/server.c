/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gRPC server: the C core's completion-queue API, each call a small
 * state machine. One thread polls the queue; each received call is answered
 * on a thread of its own, so that a PullImage or a long ExecSync does not
 * hold the kubelet's Status and List calls. What two calls share is the
 * state directory, and its records are changed under their locks.
 */
#include <errno.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "dispatch.h"
#include "log.h"
#include "prog.h"
#include "server.h"
#include "xmem.h"

/* A call's stages: requested (waiting for a client), received (its message is in), answered. */
enum stage { STAGE_REQUESTED, STAGE_RECEIVED, STAGE_ANSWERED };

struct call {
	enum stage stage;
	grpc_call *call;
	grpc_call_details details;
	grpc_metadata_array md;
	grpc_byte_buffer *req;
	grpc_byte_buffer *resp;
	grpc_slice status_details;
	int cancelled;
};

/* The most calls answered at once; one more is UNAVAILABLE until one ends. */
#define CALLS_MAX 64
/*
 * Of which the most that may take long (an ExecSync, a pull, a stop): the
 * rest are kept for the calls that only read, the kubelet's Status and
 * List, so that probes a workload makes hang do not make the node NotReady.
 */
#define CALLS_SLOW_MAX 48

/* The queue and the calls being answered on threads of their own. */
struct server {
	struct cri *c;
	grpc_server *srv;
	grpc_completion_queue *cq;
	pthread_mutex_t mu;
	unsigned active; /* threads answering a call, under mu */
	unsigned slow;	 /* of which answer one that may take long */
};

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static struct call *
call_new(void)
{
	struct call *k = xcalloc(1, sizeof(*k));

	grpc_call_details_init(&k->details);
	grpc_metadata_array_init(&k->md);
	k->status_details = grpc_empty_slice();
	return k;
}

static void
call_free(struct call *k)
{
	if (k->call)
		grpc_call_unref(k->call);
	grpc_call_details_destroy(&k->details);
	grpc_metadata_array_destroy(&k->md);
	if (k->req)
		grpc_byte_buffer_destroy(k->req);
	if (k->resp)
		grpc_byte_buffer_destroy(k->resp);
	grpc_slice_unref(k->status_details);
	free(k);
}

/* Offer the server one more call slot: the next client's call lands in it. */
static int
call_request(grpc_server *srv, grpc_completion_queue *cq, struct err *e)
{
	struct call *k = call_new();

	if (grpc_server_request_call(srv, &k->call, &k->details, &k->md, cq, cq, k) !=
	    GRPC_CALL_OK) {
		call_free(k);
		return err_code(e, "system", "gRPC: cannot request a call");
	}
	return 0;
}

static void
start_batch(struct call *k, const grpc_op *ops, size_t n)
{
	grpc_call_error r = grpc_call_start_batch(k->call, ops, n, k, NULL);

	/* only a bug of ours (ops in a wrong order or twice) makes this fail */
	if (r != GRPC_CALL_OK)
		die(EXIT_SYS, "gRPC: start batch: error %d", (int)r);
}

static void
call_receive(struct call *k)
{
	grpc_op op = {.op = GRPC_OP_RECV_MESSAGE};

	op.data.recv_message.recv_message = &k->req;
	k->stage = STAGE_RECEIVED;
	start_batch(k, &op, 1);
}

/* The request's bytes as one slice; the caller unrefs it. */
static grpc_slice
request_bytes(grpc_byte_buffer *bb)
{
	grpc_byte_buffer_reader rd;
	grpc_slice s;

	if (!bb || !grpc_byte_buffer_reader_init(&rd, bb))
		return grpc_empty_slice();
	s = grpc_byte_buffer_reader_readall(&rd);
	grpc_byte_buffer_reader_destroy(&rd);
	return s;
}

/* Send the answer: the response when there is one, and the status. The call is the queue's after this. */
static void
call_send(struct call *k, const struct cri_status *st)
{
	grpc_op ops[4] = {{.op = GRPC_OP_SEND_INITIAL_METADATA}};
	size_t n = 1;

	if (k->resp) {
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = k->resp;
	}
	k->status_details = grpc_slice_from_copied_string(st->msg);
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = st->code;
	ops[n++].data.send_status_from_server.status_details = st->code ? &k->status_details : NULL;
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n++].data.recv_close_on_server.cancelled = &k->cancelled;
	k->stage = STAGE_ANSWERED;
	start_batch(k, ops, n);
}

/* Run the method and send its answer: the response and OK, or a status with its message. */
static void
call_answer(struct cri *c, struct call *k)
{
	struct cri_status st = {GRPC_STATUS_OK, ""};
	char *path; /* gpr_malloc'd */
	uint8_t *out = NULL;
	size_t outlen = 0;
	grpc_slice in;

	path = grpc_slice_to_c_string(k->details.method);
	in = request_bytes(k->req);
	if (!k->req)
		cri_fail(&st, GRPC_STATUS_INVALID_ARGUMENT, "%s: no request message", path);
	else if (dispatch_call(c, path, GRPC_SLICE_START_PTR(in), GRPC_SLICE_LENGTH(in), &out,
			       &outlen, &st) == 0) {
		grpc_slice s = grpc_slice_new(out, outlen, free);

		k->resp = grpc_raw_byte_buffer_create(&s, 1);
		grpc_slice_unref(s);
	}
	grpc_slice_unref(in);
	log_debug("%s: %d %s", path, (int)st.code, st.msg);
	gpr_free(path);
	call_send(k, &st);
}

struct worker {
	struct server *sv;
	struct call *k;
	bool slow;
};

/* Whether the call only reads (Version, Status, List*, *Status, *Stats, ImageFsInfo): answered at once. */
static bool
quick_call(const struct call *k)
{
	static const char *const quick[] = {
	    "Version",	       "Status",
	    "ListPodSandbox",  "PodSandboxStatus",
	    "ListContainers",  "ContainerStatus",
	    "ContainerStats",  "ListContainerStats",
	    "PodSandboxStats", "ListPodSandboxStats",
	    "ListImages",      "ImageStatus",
	    "ImageFsInfo",
	};
	const char *p = (const char *)GRPC_SLICE_START_PTR(k->details.method);
	size_t n = GRPC_SLICE_LENGTH(k->details.method), i = n;

	while (i > 0 && p[i - 1] != '/')
		i--;
	for (size_t q = 0; q < sizeof(quick) / sizeof(quick[0]); q++)
		if (strlen(quick[q]) == n - i && memcmp(quick[q], p + i, n - i) == 0)
			return true;
	return false;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct server *sv = w->sv;

	call_answer(sv->c, w->k);
	pthread_mutex_lock(&sv->mu);
	sv->active--;
	sv->slow -= w->slow;
	pthread_mutex_unlock(&sv->mu);
	free(w);
	return NULL;
}

/*
 * Answer k on a thread of its own. The thread starts with TERM and INT
 * blocked, so that they reach the polling thread and do not interrupt a
 * call's system calls (its children get a clean mask: spawn.c).
 */
static void
call_dispatch(struct server *sv, struct call *k)
{
	bool slow = !quick_call(k);
	struct worker *w;
	sigset_t block, old;
	pthread_attr_t attr;
	pthread_t t;
	int r;

	pthread_mutex_lock(&sv->mu);
	if (sv->active >= CALLS_MAX || (slow && sv->slow >= CALLS_SLOW_MAX)) {
		struct cri_status st;

		pthread_mutex_unlock(&sv->mu);
		cri_fail(&st, GRPC_STATUS_UNAVAILABLE,
			 slow ? "ctr-cri answers %d calls that may take long at once: try again"
			      : "ctr-cri answers %d calls at once: try again",
			 slow ? CALLS_SLOW_MAX : CALLS_MAX);
		call_send(k, &st);
		return;
	}
	sv->active++;
	sv->slow += slow;
	pthread_mutex_unlock(&sv->mu);
	w = xmalloc(sizeof(*w));
	*w = (struct worker){sv, k, slow};
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) /* no thread: answer it here, late rather than never */
		worker_main(w);
}

/* One event of the queue: move its call to the next stage. Returns -1 when a new slot failed. */
static int
on_event(struct server *sv, grpc_event ev, struct err *e)
{
	struct call *k = ev.tag;

	switch (k->stage) {
	case STAGE_REQUESTED:
		if (!ev.success) { /* the server is shutting down */
			call_free(k);
			return 0;
		}
		call_receive(k);
		return call_request(sv->srv, sv->cq, e);
	case STAGE_RECEIVED:
		if (!ev.success) { /* the client went away or sent too much: the core answered */
			call_free(k);
			return 0;
		}
		call_dispatch(sv, k);
		return 0;
	case STAGE_ANSWERED:
		call_free(k);
	}
	return 0;
}

static grpc_server *
server_create(grpc_completion_queue *cq, const struct server_opts *o, struct err *e)
{
	grpc_arg args[] = {
	    {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = (int)o->max_msg}},
	};
	grpc_channel_args ca = {sizeof(args) / sizeof(args[0]), args};
	grpc_server *srv = grpc_server_create(&ca, NULL);
	grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
	_cleanup_free_ char *addr = xasprintf("unix:%s", o->path);
	mode_t old;
	int ok;

	grpc_server_register_completion_queue(srv, cq, NULL);
	/*
	 * The core binds the socket with the umask's mode: under umask 0 any
	 * local user could connect and run a privileged pod. No call runs yet,
	 * so the process-wide umask is ours to change for the bind.
	 */
	old = umask(0177);
	ok = grpc_server_add_http2_port(srv, addr, creds);
	umask(old);
	grpc_server_credentials_release(creds);
	if (!ok) {
		grpc_server_destroy(srv);
		err_code(e, "system", "cannot listen on '%s'", o->path);
		return NULL;
	}
	return srv;
}

static gpr_timespec
in_millis(int ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

static bool
idle(struct server *sv)
{
	bool r;

	pthread_mutex_lock(&sv->mu);
	r = sv->active == 0;
	pthread_mutex_unlock(&sv->mu);
	return r;
}

/*
 * Take no new calls and let those in flight finish, as a kubelet's calls
 * have deadlines of their own: the queue is drained (answered calls freed,
 * received ones still dispatched) until the core says every call ended and
 * no thread is answering one. Then the queue goes, with every tag it held.
 */
static void
server_stop(struct server *sv)
{
	struct call done = {.stage = STAGE_ANSWERED};
	bool ended = false;
	grpc_event ev;
	struct err e;

	grpc_server_shutdown_and_notify(sv->srv, sv->cq, &done);
	while (!ended || !idle(sv)) {
		ev = grpc_completion_queue_next(sv->cq, in_millis(200), NULL);
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		if (ev.tag == &done)
			ended = true;
		else
			on_event(sv, ev, &e);
	}
	grpc_server_destroy(sv->srv);
	grpc_completion_queue_shutdown(sv->cq);
	while ((ev = grpc_completion_queue_next(sv->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL))
		   .type != GRPC_QUEUE_SHUTDOWN)
		if (ev.type == GRPC_OP_COMPLETE)
			call_free(ev.tag);
	grpc_completion_queue_destroy(sv->cq);
}

static void
catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Calls a client may have queued while others are received: slots offered at once. */
#define CALL_SLOTS 8

int
server_run(struct cri *c, const struct server_opts *o, struct err *e)
{
	struct server sv = {.c = c};
	struct stat sb;
	int r = 0;

	/* only a socket a server that is gone left is replaced: a wrong --listen removes no file */
	if (lstat(o->path, &sb) == 0 && !S_ISSOCK(sb.st_mode))
		return err_code(e, "system", "'%s' is there and is no socket: not replaced",
				o->path);
	if (unlink(o->path) < 0 && errno != ENOENT)
		return err_set(e, errno, "remove stale socket '%s'", o->path);
	catch_signals();
	grpc_init();
	sv.cq = grpc_completion_queue_create_for_next(NULL);
	sv.srv = server_create(sv.cq, o, e);
	if (!sv.srv) {
		grpc_completion_queue_shutdown(sv.cq);
		grpc_completion_queue_destroy(sv.cq);
		grpc_shutdown();
		return -1;
	}
	pthread_mutex_init(&sv.mu, NULL);
	grpc_server_start(sv.srv);
	log_info("serving CRI v1 on %s", o->path);
	for (int i = 0; i < CALL_SLOTS && r == 0; i++)
		r = call_request(sv.srv, sv.cq, e);
	/* a short deadline so that a signal is seen soon; the core has its own threads for I/O */
	while (r == 0 && !stop_signal) {
		grpc_event ev = grpc_completion_queue_next(sv.cq, in_millis(200), NULL);

		if (ev.type == GRPC_OP_COMPLETE)
			r = on_event(&sv, ev, e);
	}
	if (stop_signal)
		log_info("signal %d: finishing the calls in flight", (int)stop_signal);
	server_stop(&sv);
	pthread_mutex_destroy(&sv.mu);
	grpc_shutdown();
	unlink(o->path);
	if (stop_signal)
		log_info("signal %d: stopped", (int)stop_signal);
	return r;
}
