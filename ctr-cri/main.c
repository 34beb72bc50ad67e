/* SPDX-License-Identifier: Apache-2.0 */
/* ctr-cri: the suite as a CRI v1 runtime, a gRPC server on a unix socket for the kubelet. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "cri.h"
#include "linuxcfg.h"
#include "lock.h"
#include "prog.h"
#include "server.h"
#include "stream.h"
#include "xmem.h"

enum {
	OPT_LISTEN = 0x100,
	OPT_MAX_MSG,
	OPT_SECCOMP_ROOT,
	OPT_STREAM_ADDRESS,
	OPT_STREAM_PORT,
	OPT_STREAM_TTL,
};

static const struct opt opts[] = {
    {"listen", OPT_LISTEN, "PATH", "the socket (default $CTR_STATE/cri.sock)", NULL},
    {"max-message-size", OPT_MAX_MSG, "BYTES", "largest request taken (default 16M)", NULL},
    {"seccomp-profile-root", OPT_SECCOMP_ROOT, "DIR",
     "where Localhost seccomp profiles must lie (default " LINUXCFG_SECCOMP_ROOT ")", NULL},
    {"stream-address", OPT_STREAM_ADDRESS, "IP",
     "the address of the Exec/Attach streaming server (default 127.0.0.1)", NULL},
    {"stream-port", OPT_STREAM_PORT, "PORT", "its TCP port (default 0: the kernel picks one)",
     NULL},
    {"stream-token-ttl", OPT_STREAM_TTL, "SECONDS",
     "how long an Exec/Attach URL stays valid (default 60)", NULL},
    OPT_END,
};
static const struct opt_cmd cri_spec = {
    "", "serve CRI v1 (RuntimeService, ImageService) to the kubelet on a unix socket", opts, 0, 0};

/* The CRI's objects live in namespace k8s.io, as containerd keeps them; another is a mistake. */
static void
cri_namespace(struct state *st)
{
	if (strcmp(st->ns, STATE_DEFAULT_NS) != 0 && strcmp(st->ns, CRI_NAMESPACE) != 0)
		opt_die(&cri_spec, "the CRI namespace is %s, not '%s' (-n, $CTR_NAMESPACE)",
			CRI_NAMESPACE, st->ns);
	state_set_ns(st, CRI_NAMESPACE);
}

int
main(int argc, char **argv)
{
	struct server_opts o = {.max_msg = 16 << 20};
	struct stream_opts so = {0};
	_cleanup_free_ char *listen = NULL, *lockname = NULL;
	_cleanup_close_ int lockfd = -1;
	struct cri c = {.cni_conf_dir = getenv("CNI_CONF_DIR"),
			.seccomp_root = LINUXCFG_SECCOMP_ROOT};
	struct opt_parser p;
	struct state st;
	struct err e;
	int k;

	prog_init("ctr-cri", 0, &argc, &argv, &st);
	opt_init(&p, &cri_spec, argc, argv, &st);
	while ((k = opt_next(&p)) != -1) {
		if (k == OPT_LISTEN)
			listen = xstrdup(optarg);
		else if (k == OPT_SECCOMP_ROOT && optarg[0] != '/')
			opt_die(&cri_spec, "--seccomp-profile-root: want an absolute path");
		else if (k == OPT_SECCOMP_ROOT)
			c.seccomp_root = optarg;
		else if (k == OPT_MAX_MSG)
			o.max_msg = (size_t)cli_size(optarg, 1024, 1 << 30, "--max-message-size");
		else if (k == OPT_STREAM_ADDRESS)
			so.address = optarg;
		else if (k == OPT_STREAM_PORT)
			so.port = (int)cli_number(optarg, 0, 65535, "--stream-port");
		else if (k == OPT_STREAM_TTL)
			stream_token_set_ttl(
			    (int)cli_number(optarg, 1, 86400, "--stream-token-ttl"));
	}
	opt_operands(&cri_spec, argc, argv, 0, 0);
	cri_namespace(&st);
	if (state_open(&st, &e) < 0)
		die_err(&e);
	if (!listen)
		listen = xasprintf("%s/cri.sock", st.run);
	if (!c.cni_conf_dir || !c.cni_conf_dir[0])
		c.cni_conf_dir = "/etc/cni/net.d";
	/* one server per socket: the second one would unlink the first one's */
	lockname = xasprintf("%s.lock", listen);
	lockfd = lock_at(AT_FDCWD, lockname, LOCK_TRY, &e);
	if (lockfd < 0) {
		err_prefix(&e, "another ctr-cri serves '%s'?", listen);
		die_err(&e);
	}
	o.path = listen;
	c.st = &st;
	if (stream_start(&c, &so, &e) < 0)
		die_err(&e);
	if (server_run(&c, &o, &e) < 0) {
		stream_stop();
		die_err(&e);
	}
	stream_stop();
	state_release(&st);
	return 0;
}
