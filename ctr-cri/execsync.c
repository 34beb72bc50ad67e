/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ExecSync: ctr-run exec ID -- CMD with its stdout and stderr in memory
 * files, waited for at most the request's timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr-cri/api.pb-c.h"
#include "execsync.h"
#include "fdio.h"
#include "jsonio.h"
#include "record.h"
#include "spawn.h"
#include "xmem.h"

/* The most of each stream kept, as the kubelet's own limit for ExecSync. */
#define EXECSYNC_OUTPUT_MAX (16u << 20)

/* How long ctr-run exec has to end once it passed TERM on, before it is killed. */
#define EXECSYNC_GRACE_MS 2000

/*
 * Wait for pid at most timeout seconds (0: for ever): its wait status, or
 * -1 on timeout. Then ctr-run exec gets TERM, which it passes on to the
 * command (KILL would end ctr-run alone and leave the command running),
 * and KILL after a grace.
 */
static int
wait_deadline(pid_t pid, long long timeout, int *wstatus)
{
	_cleanup_close_ int pfd = timeout > 0 ? spawn_pidfd(pid) : -1;
	struct pollfd p = {.fd = pfd, .events = POLLIN};
	long long ms = timeout > 0 ? timeout * 1000 : -1;

	if (pfd >= 0) {
		while (poll(&p, 1, ms > 2147483647 ? 2147483647 : (int)ms) < 0 && errno == EINTR)
			;
		if (!(p.revents & POLLIN)) {
			kill(pid, SIGTERM);
			p.revents = 0;
			while (poll(&p, 1, EXECSYNC_GRACE_MS) < 0 && errno == EINTR)
				;
			if (!(p.revents & POLLIN))
				kill(pid, SIGKILL);
			waitpid(pid, wstatus, 0);
			return -1;
		}
	}
	while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/*
 * A memory file that holds EXECSYNC_OUTPUT_MAX bytes and cannot grow: a
 * write past them fails. What the command writes on stderr is copied in by
 * ctr-run exec, whose memory is not the container's: without the seal a
 * probe could fill the node's. The file is as long as it may get from the
 * start (unwritten pages take no memory); what was written ends at the
 * offset the writers share.
 */
static int
output_file(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd >= 0 && (ftruncate(fd, EXECSYNC_OUTPUT_MAX) < 0 ||
			fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The memory file fd as bytes of the response: what was written, at most EXECSYNC_OUTPUT_MAX. */
static ProtobufCBinaryData
output(struct arena *a, int fd)
{
	ProtobufCBinaryData b = {0, NULL};
	off_t end = lseek(fd, 0, SEEK_CUR);
	size_t n = end > 0 ? (size_t)end : 0;
	ssize_t got;

	if (n > EXECSYNC_OUTPUT_MAX)
		n = EXECSYNC_OUTPUT_MAX;
	b.data = arena_alloc(a, n + 1);
	got = n && lseek(fd, 0, SEEK_SET) == 0 ? fdio_read_full(fd, b.data, n) : 0;
	b.len = got > 0 ? (size_t)got : 0;
	return b;
}

static const char **
exec_argv(struct cri *c, const char *exe, const char *id, const Runtime__V1__ExecSyncRequest *q)
{
	const char **argv = xcalloc(q->n_cmd + 12, sizeof(*argv));
	size_t n = 0;
	const char *head[] = {exe,  "--root",  c->st->root, "--state", c->st->run,
			      "-n", c->st->ns, "exec",	    id,	       "--"};

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		argv[n++] = head[i];
	for (size_t i = 0; i < q->n_cmd; i++)
		argv[n++] = q->cmd[i];
	return argv;
}

int
execsync_run(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
	     struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__ExecSyncRequest *q = (const Runtime__V1__ExecSyncRequest *)req;
	Runtime__V1__ExecSyncResponse *r = (Runtime__V1__ExecSyncResponse *)resp;
	_cleanup_free_ char *exe = spawn_sibling("ctr-run", "CTR_RUN");
	_cleanup_close_ int dirfd = -1, in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = output_file("execsync-out");
	_cleanup_close_ int errf = output_file("execsync-err");
	_cleanup_free_ const char **argv = NULL;
	struct spawn_opts o = SPAWN_OPTS_INIT;
	json_auto_t *rec = NULL;
	int wstatus = 0;
	struct err e;
	pid_t pid;

	if (!q->n_cmd || !q->cmd[0][0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "ExecSync: no cmd");
	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", q->container_id, &dirfd,
				NULL, &e)))
		return cri_fail_err(s, &e);
	if (in < 0 || out < 0 || errf < 0)
		return cri_fail(s, GRPC_STATUS_INTERNAL, "ExecSync: %s", strerror(errno));
	o.stdin_fd = in;
	o.stdout_fd = out;
	o.stderr_fd = errf;
	argv = exec_argv(c, exe, jsonio_str(rec, "id"), q);
	if (spawn_start((char *const *)argv, &o, &pid, &e) < 0)
		return cri_fail_err(s, &e);
	/* on a timeout the command gets TERM; one that ignores it may run on */
	if (wait_deadline(pid, (long long)q->timeout, &wstatus) < 0)
		return cri_fail(s, GRPC_STATUS_DEADLINE_EXCEEDED,
				"ExecSync: the command ran past its timeout of %lld s",
				(long long)q->timeout);
	r->exit_code = spawn_status(wstatus);
	r->stdout = output(arena, out);
	r->stderr = output(arena, errf);
	/* 125: ctr-run's own failure (no such container, not running), not the command's */
	if (r->exit_code == 125)
		return cri_fail(s, GRPC_STATUS_FAILED_PRECONDITION, "ExecSync: %.*s",
				(int)strcspn((char *)r->stderr.data ?: "", "\n"),
				r->stderr.data ? (char *)r->stderr.data : "ctr-run exec failed");
	return 0;
}
