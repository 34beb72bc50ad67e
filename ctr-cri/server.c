/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC server: the C core's completion-queue API, one thread, each call a small state machine. */
#include <errno.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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

/* Run the method and send its answer: the response and OK, or a status with its message. */
static void
call_answer(struct cri *c, struct call *k)
{
	grpc_op ops[4] = {{.op = GRPC_OP_SEND_INITIAL_METADATA}};
	struct cri_status st = {GRPC_STATUS_OK, ""};
	char *path; /* gpr_malloc'd */
	uint8_t *out = NULL;
	size_t n = 1, outlen = 0;
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
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = k->resp;
	}
	grpc_slice_unref(in);
	log_debug("%s: %d %s", path, (int)st.code, st.msg);
	k->status_details = grpc_slice_from_copied_string(st.msg);
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = st.code;
	ops[n++].data.send_status_from_server.status_details = st.code ? &k->status_details : NULL;
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n++].data.recv_close_on_server.cancelled = &k->cancelled;
	gpr_free(path);
	k->stage = STAGE_ANSWERED;
	start_batch(k, ops, n);
}

/* One event of the queue: move its call to the next stage. Returns -1 when a new slot failed. */
static int
on_event(struct cri *c, grpc_server *srv, grpc_completion_queue *cq, grpc_event ev, struct err *e)
{
	struct call *k = ev.tag;

	switch (k->stage) {
	case STAGE_REQUESTED:
		if (!ev.success) { /* the server is shutting down */
			call_free(k);
			return 0;
		}
		call_receive(k);
		return call_request(srv, cq, e);
	case STAGE_RECEIVED:
		if (!ev.success) { /* the client went away or sent too much: the core answered */
			call_free(k);
			return 0;
		}
		call_answer(c, k);
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
	int ok;

	grpc_server_register_completion_queue(srv, cq, NULL);
	ok = grpc_server_add_http2_port(srv, addr, creds);
	grpc_server_credentials_release(creds);
	if (!ok) {
		grpc_server_destroy(srv);
		err_code(e, "system", "cannot listen on '%s'", o->path);
		return NULL;
	}
	return srv;
}

/* Stop taking calls, end those in flight, and drain the queue of every tag we gave it. */
static void
server_stop(grpc_server *srv, grpc_completion_queue *cq)
{
	struct call done = {.stage = STAGE_ANSWERED};
	grpc_event ev;

	grpc_server_shutdown_and_notify(srv, cq, &done);
	grpc_server_cancel_all_calls(srv);
	do {
		ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_OP_COMPLETE && ev.tag != &done)
			call_free(ev.tag);
	} while (ev.type != GRPC_OP_COMPLETE || ev.tag != &done);
	grpc_server_destroy(srv);
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
	       GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(cq);
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

/* Calls a client may have queued while one is answered: slots offered at once. */
#define CALL_SLOTS 8

int
server_run(struct cri *c, const struct server_opts *o, struct err *e)
{
	grpc_completion_queue *cq;
	grpc_server *srv;
	int r = 0;

	if (unlink(o->path) < 0 && errno != ENOENT)
		return err_set(e, errno, "remove stale socket '%s'", o->path);
	catch_signals();
	grpc_init();
	cq = grpc_completion_queue_create_for_next(NULL);
	srv = server_create(cq, o, e);
	if (!srv) {
		grpc_completion_queue_shutdown(cq);
		grpc_completion_queue_destroy(cq);
		grpc_shutdown();
		return -1;
	}
	grpc_server_start(srv);
	log_info("serving CRI v1 on %s", o->path);
	for (int i = 0; i < CALL_SLOTS && r == 0; i++)
		r = call_request(srv, cq, e);
	/* a short deadline so that a signal is seen soon; the core has its own threads for I/O */
	while (r == 0 && !stop_signal) {
		gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
						     gpr_time_from_millis(200, GPR_TIMESPAN));
		grpc_event ev = grpc_completion_queue_next(cq, deadline, NULL);

		if (ev.type == GRPC_OP_COMPLETE)
			r = on_event(c, srv, cq, ev, e);
	}
	server_stop(srv, cq);
	grpc_shutdown();
	unlink(o->path);
	if (stop_signal)
		log_info("signal %d: stopped", (int)stop_signal);
	return r;
}
