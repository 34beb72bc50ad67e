/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing create's and run's options into spec options, checked before anything is made. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni-attach.h"
#include "netfiles.h"
#include "cleanup.h"
#include "familiar.h"
#include "cmd.h"
#include "create.h"
#include "detachkeys.h"
#include "eventlog.h"
#include "jsonio.h"
#include "netns-dir.h"
#include "priv.h"
#include "notify.h"
#include "path.h"
#include "prog.h"
#include "seccomp.h"
#include "xmem.h"

enum {
	O_NAME = 0x100,
	O_RUNTIME,
	O_HOSTNAME,
	O_MOUNT,
	O_READ_ONLY,
	O_PRIVILEGED,
	O_CAP_ADD,
	O_CAP_DROP,
	O_SECOPT,
	O_MEMORY,
	O_CPUS,
	O_PIDS,
	O_NET,
	O_RM,
	O_STDIO,
	O_LOG,
	O_LOG_URI,
	O_LOG_MAX,
	O_LOG_FMT,
	O_SDNOTIFY,
	O_PULL,
	O_ENV_FILE,
	O_TMPFS,
	O_DNS,
	O_DNS_SEARCH,
	O_ADD_HOST,
	O_NO_HOSTS,
	O_DEVICE,
	O_CPU_SHARES,
	O_OOM_ADJ,
	O_CGROUP_PARENT,
	O_DETACH_KEYS,
};

static const struct opt create_opts[] = {
    {"name", O_NAME, "ID", "the container's ID (default: a random one)", NULL},
    {"runtime", O_RUNTIME, "NAME|PATH", "the OCI runtime (default $CTR_RUNTIME, else runc)", NULL},
    {"env", 'e', "K=V|VAR", "set a variable (after the image's); VAR alone: ours, if set", NULL},
    {"env-file", O_ENV_FILE, "FILE", "a -e per line of FILE ('#' starts a comment line)", NULL},
    {"cwd", 'w', "DIR", "the working directory, absolute (default: the image's)", NULL},
    {"workdir", 'w', "DIR", NULL, NULL},
    {"user", 'u', "USER[:GROUP]", "run as this user, by name or number", NULL},
    {"hostname", O_HOSTNAME, "NAME", "the container's hostname", NULL},
    {"mount", O_MOUNT, "type=bind|tmpfs,src=ABS,dst=ABS[,ro]",
     "a bind mount of a host path, or a tmpfs (tmpfs-size=, tmpfs-mode=)", NULL},
    {"volume", 'v', "SRC:DST[:ro]", "bind-mount the absolute host path SRC at DST", NULL},
    {"tmpfs", O_TMPFS, "DST[:OPT,...]", "a tmpfs at DST (size=64m, mode=1777, ro, noexec)", NULL},
    {"device", O_DEVICE, "/dev/X[:/PATH][:rwm]",
     "the host's device X at PATH in the container, allowed rwm (or less)", NULL},
    {"publish", 'p', "PORTS", "refused: publishing ports is CNI portmap's or the firewall's job",
     NULL},
    {"read-only", O_READ_ONLY, NULL, "mount the root file system read-only", NULL},
    {"tty", 't', NULL, "give the container a terminal of its own", NULL},
    {"interactive", 'i', NULL, "keep stdin open and pass ours", NULL},
    {"detach", 'd', NULL, "run: print the ID and leave the container running", NULL},
    {"detach-keys", O_DETACH_KEYS, "KEYS",
     "run -it: keys that leave it running (default ctrl-p,ctrl-q; '': none)", NULL},
    {"rm", O_RM, NULL, "run: delete the container once it exits", NULL},
    {"privileged", O_PRIVILEGED, NULL, "all capabilities, all devices, no seccomp filter", NULL},
    {"cap-add", O_CAP_ADD, "CAP", "add a capability (CAP_NET_ADMIN, or ALL)", NULL},
    {"cap-drop", O_CAP_DROP, "CAP", "drop a capability (or ALL)", NULL},
    {"security-opt", O_SECOPT, "seccomp=FILE|unconfined|seccomp-arch=NAME",
     "the seccomp profile, or more architectures for it", NULL},
    {"memory", 'm', "SIZE", "memory limit (bytes, or with k, m, g)", NULL},
    {"cpus", O_CPUS, "N", "CPU limit in CPUs (1.5: one and a half)", NULL},
    {"pids-limit", O_PIDS, "N", "most processes the container may have", NULL},
    {"cpu-shares", O_CPU_SHARES, "N", "relative CPU weight (2 to 262144; the kernel's 1024)", NULL},
    {"oom-score-adj", O_OOM_ADJ, "N", "the init's oom_score_adj (-1000 to 1000)", NULL},
    {"cgroup-parent", O_CGROUP_PARENT, "PARENT",
     "the cgroup the container's goes below: /PATH or NAME.slice (default /ctr)", NULL},
    {"net", O_NET, "host|none|slirp4netns[:OPT]|ns:NAME|cni:NAME[,NAME]|PATH",
     "network namespace (default: a new one, loopback only)", NULL},
    {"network", O_NET, "host|none|slirp4netns[:OPT]|ns:NAME|cni:NAME[,NAME]|PATH", NULL, NULL},
    {"dns", O_DNS, "IP",
     "with --net cni or slirp4netns: a nameserver for /etc/resolv.conf (replaces all)", NULL},
    {"dns-search", O_DNS_SEARCH, "DOMAIN",
     "with --net cni or slirp4netns: a search domain ('.': none)", NULL},
    {"add-host", O_ADD_HOST, "NAME:IP", "with --net cni or slirp4netns: a line in /etc/hosts",
     NULL},
    {"no-hosts", O_NO_HOSTS, NULL, "with --net cni or slirp4netns: keep the image's /etc/hosts",
     NULL},
    {"label", 'l', "K=V", "a label on the container record", NULL},
    {"stdio", O_STDIO, "pipe|null|inherit", "stdio of a container that outlives the call", NULL},
    {"log", O_LOG, "FILE", "keep the container's output in FILE too (with --stdio pipe)", NULL},
    {"log-uri", O_LOG_URI, "file:///FILE", "--log as containerd spells it", NULL},
    {"log-max-size", O_LOG_MAX, "SIZE", "rotate the --log file at SIZE (at least 4k)", NULL},
    {"log-format", O_LOG_FMT, "raw|cri",
     "the --log file's format: the bytes, or the kubelet's lines (default raw)", NULL},
    {"pull", O_PULL, "missing|always|never",
     "pull (and unpack) the image when not in the store (default missing)", NULL},
    {"sdnotify", O_SDNOTIFY, "conmon|container|ignore",
     "who tells systemd READY=1 (under a Type=notify unit)", NULL},
    OPT_END,
};

const struct opt_cmd cmd_create_spec = {
    "IMAGE|- [-- CMD ...]",
    "make a container from an image (a name, or - for an unpacked snapshot's JSON); not started",
    create_opts,
    0,
    0,
};

const struct opt_cmd cmd_run_spec = {
    "IMAGE|- [-- CMD ...]",
    "make a container, start it and wait for it (-d: leave it running)",
    create_opts,
    125,
    0,
};

void
create_args_release(struct create_args *a)
{
	spec_opts_release(&a->so);
	netfiles_opts_release(&a->nf);
	free(a->log_path);
	a->log_path = NULL;
	for (size_t i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->owned);
	a->owned = NULL;
	a->nowned = 0;
}

static void
push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

char *
create_args_keep(struct create_args *a, char *s)
{
	push(&a->owned, &a->nowned, s);
	return s;
}

static int
set_stdio(struct create_args *a, const char *arg, struct err *e)
{
	if (strcmp(arg, "inherit") && strcmp(arg, "pipe") && strcmp(arg, "null"))
		return err_code(e, "usage", "--stdio '%.32s': want pipe, null or inherit", arg);
	a->stdio = arg;
	return 0;
}

/* --log PATH, or --log-uri file:///PATH as containerd spells it; made absolute here. */
static int
set_log(struct create_args *a, const char *arg, bool uri, struct err *e)
{
	_cleanup_free_ char *cwd = NULL;

	if (uri) {
		if (strncmp(arg, "file://", 7))
			return err_code(e, "usage",
					"--log-uri '%.64s': only file:///PATH is supported "
					"(a log store is the caller's, not ours)",
					arg);
		arg += 7;
	}
	if (!*arg || strlen(arg) > 4000)
		return err_code(e, "usage", "--log wants a file name");
	free(a->log_path);
	if (arg[0] == '/') {
		a->log_path = xstrdup(arg);
	} else {
		if (!(cwd = getcwd(NULL, 0)))
			return err_set(e, errno, "getcwd");
		a->log_path = xasprintf("%s/%s", cwd, arg);
	}
	return 0;
}

static int
add_label(struct spec_opts *so, const char *kv, struct err *e)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return err_code(e, "invalid", "label '%.64s' is not KEY=VALUE", kv);
	if (!so->labels)
		so->labels = json_object();
	_cleanup_free_ char *k = xstrndup(kv, (size_t)(eq - kv));
	json_object_set_new(so->labels, k, json_string(eq + 1));
	return 0;
}

static int
add_mount(struct spec_opts *so, const char *arg, struct err *e)
{
	struct spec_mount m;

	if (spec_parse_mount(arg, &m, e) < 0)
		return -1;
	return familiar_mount_add(so, &m, e);
}

static int
set_secopt(struct spec_opts *so, const char *arg, struct err *e)
{
	if (!strncmp(arg, "seccomp-arch=", 13)) {
		push(&so->seccomp_arch, &so->nseccomp_arch, (char *)arg + 13);
		return seccomp_arch_check(arg + 13, e) < 0 ? err_prefix(e, "--security-opt") : 0;
	}
	if (strncmp(arg, "seccomp=", 8) && strncmp(arg, "seccomp:", 8))
		return err_code(
		    e, "invalid",
		    "unsupported --security-opt '%.64s' (seccomp=... or seccomp-arch=...)", arg);
	so->seccomp = arg + 8;
	if (!strcmp(so->seccomp, "unconfined"))
		return 0;
	json_decref(so->seccomp_json);
	so->seccomp_json = jsonio_load_at(AT_FDCWD, so->seccomp, 1 << 20, e);
	return so->seccomp_json ? 0 : err_prefix(e, "seccomp profile");
}

static int
set_net(struct create_args *a, const char *arg, struct err *e)
{
	struct spec_opts *so = &a->so;
	struct stat st;

	if (!strcmp(arg, "host") || !strcmp(arg, "none")) {
		so->net = arg;
		return 0;
	}
	/* podman's spelling: slirp4netns[:allow_host_loopback=true|false], for root and users */
	if (!strncmp(arg, "slirp4netns", 11) && (!arg[11] || arg[11] == ':')) {
		const char *o = arg[11] ? arg + 12 : "allow_host_loopback=false";

		if (strcmp(o, "allow_host_loopback=true") && strcmp(o, "allow_host_loopback=false"))
			return err_code(e, "usage",
					"--net slirp4netns: unknown option '%.64s'; want "
					"allow_host_loopback=true or allow_host_loopback=false",
					o);
		/* slirp4netns opens it in the container's netns, as us: udev makes it 0666 */
		if (priv_rootless() && access("/dev/net/tun", R_OK | W_OK) < 0)
			return err_code(
			    e, "invalid",
			    "--net slirp4netns needs /dev/net/tun readable and writable "
			    "by you (%s; udev makes it mode 0666)",
			    strerror(errno));
		so->net = "none";
		so->slirp = true;
		so->slirp_host_loopback = !strcmp(o, "allow_host_loopback=true");
		return 0;
	}
	/* bridges and veths are root's (ctr-netns); a user's container has its own loopback */
	if (priv_rootless())
		return err_code(
		    e, "invalid",
		    "--net '%.64s' needs root (ctr-netns); rootless: none (the default), host or "
		    "slirp4netns",
		    arg);
	if (!strncmp(arg, CNI_NET_PREFIX, strlen(CNI_NET_PREFIX))) {
		so->cni = arg + strlen(CNI_NET_PREFIX);
		return cni_check_list(so->cni, e);
	}
	if (!strncmp(arg, "ns:", 3)) {
		char *path = netns_dir_path(arg + 3, e);

		if (!path)
			return err_prefix(e, "--net");
		arg = create_args_keep(a, path);
	}
	if (arg[0] != '/')
		return err_code(
		    e, "invalid",
		    "--net '%.64s': want host, none, ns:NAME, cni:NAME[,NAME] or a path", arg);
	if (stat(arg, &st) < 0)
		return err_set(e, errno, "network namespace '%s'", arg);
	so->net = arg;
	return 0;
}

static int
check_hostname(const char *h, struct err *e)
{
	size_t n = strlen(h);

	if (n == 0 || n > 64 ||
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789-.") != n)
		return err_code(e, "invalid", "bad --hostname '%.64s'", h);
	return 0;
}

static int
set_size_opt(int c, const char *arg, struct spec_opts *so, struct err *e)
{
	char *end;

	switch (c) {
	case 'm':
		return spec_parse_bytes(arg, &so->memory, e) < 0 ? err_prefix(e, "--memory") : 0;
	case O_CPUS:
		return spec_parse_cpus(arg, &so->cpu_quota, e);
	case O_CPU_SHARES:
		return spec_parse_shares(arg, &so->cpu_shares, e);
	case O_OOM_ADJ:
		so->oom_adj_set = true;
		return spec_parse_oom_adj(arg, &so->oom_score_adj, e);
	default: /* O_PIDS */
		so->pids_limit = strtoll(arg, &end, 10);
		if (*end || end == arg || so->pids_limit <= 0 || so->pids_limit > 1 << 22)
			return err_code(e, "invalid", "bad --pids-limit '%.32s'", arg);
		return 0;
	}
}

static int
one_opt(int c, const char *arg, struct create_args *a, struct err *e)
{
	struct spec_opts *so = &a->so;

	switch (c) {
	case O_NAME:
		a->name = arg;
		return 0;
	case O_RUNTIME:
		a->runtime = arg;
		return 0;
	case 'e':
		return familiar_env(a, arg, e);
	case O_ENV_FILE:
		return familiar_env_file(a, arg, e);
	case 'v':
		return familiar_volume(so, arg, e);
	case O_TMPFS:
		return familiar_tmpfs(so, arg, e);
	case O_DEVICE:
		return familiar_device(so, arg, e);
	case 'p':
		return familiar_publish(arg, e);
	case 'w':
		so->cwd = arg;
		return spec_check_cwd(arg, e);
	case 'u':
		a->user = arg;
		return 0;
	case O_HOSTNAME:
		so->hostname = arg;
		return check_hostname(arg, e);
	case O_MOUNT:
		return add_mount(so, arg, e);
	case O_READ_ONLY:
		so->read_only = true;
		return 0;
	case 't':
		so->tty = true;
		return 0;
	case 'i':
		a->interactive = true;
		return 0;
	case 'd':
		a->detach = true;
		return 0;
	case O_PRIVILEGED:
		so->privileged = true;
		return 0;
	case O_CAP_ADD:
		push(&so->cap_add, &so->ncap_add, (char *)arg);
		return 0;
	case O_CAP_DROP:
		push(&so->cap_drop, &so->ncap_drop, (char *)arg);
		return 0;
	case O_SECOPT:
		return set_secopt(so, arg, e);
	case 'm':
	case O_CPUS:
	case O_PIDS:
	case O_CPU_SHARES:
	case O_OOM_ADJ:
		return set_size_opt(c, arg, so, e);
	case O_CGROUP_PARENT:
		cgroup_parent_release(&so->cgroup_parent);
		return cgroup_parent_parse(arg, &so->cgroup_parent, e);
	case O_NET:
		return set_net(a, arg, e);
	case O_DNS:
		return netfiles_add_dns(&a->nf, arg, e);
	case O_DNS_SEARCH:
		return netfiles_add_search(&a->nf, arg, e);
	case O_ADD_HOST:
		return netfiles_add_host(&a->nf, arg, e);
	case O_NO_HOSTS:
		a->nf.no_hosts = a->nf.any = true;
		return 0;
	case O_PULL:
		return pull_policy_parse(arg, &a->pull, e);
	case O_RM:
		a->rm = true;
		return 0;
	case O_DETACH_KEYS:
		a->detach_keys = arg;
		return detachkeys_parse(&(struct detachkeys){0}, arg, e);
	case 'l':
		return add_label(so, arg, e);
	case O_STDIO:
		return set_stdio(a, arg, e);
	case O_LOG:
	case O_LOG_URI:
		return set_log(a, arg, c == O_LOG_URI, e);
	case O_LOG_MAX:
		if (spec_parse_bytes(arg, &a->log_max, e) < 0)
			return err_prefix(e, "--log-max-size");
		if (a->log_max < 4096)
			return err_code(e, "usage", "--log-max-size: at least 4k, not '%.32s'",
					arg);
		return 0;
	case O_LOG_FMT:
		if (strcmp(arg, "raw") && strcmp(arg, "cri"))
			return err_code(e, "usage", "--log-format '%.32s': want raw or cri", arg);
		a->log_format = arg;
		return 0;
	case O_SDNOTIFY:
		return notify_parse(arg, &a->sdnotify, e);
	}
	return err_code(e, "usage", "bad option");
}

/* Is any descriptor a container with --stdio inherit would get a terminal? */
static bool
passes_terminal(const struct create_args *a)
{
	return (a->interactive && isatty(STDIN_FILENO)) || isatty(STDOUT_FILENO) ||
	       isatty(STDERR_FILENO);
}

/*
 * A container that outlives the call never gets the caller's terminal: by
 * default its stdio is pipes the shim holds (logs, attach). A foreground run
 * has ours through the runtime's own run, which copies through pipes.
 */
static int
check_stdio(struct create_args *a, struct err *e)
{
	if (a->is_run && !a->detach) {
		if (a->stdio || a->log_path || a->log_max || a->log_format)
			return err_code(e, "usage",
					"--stdio, --log, --log-format and --log-max-size are for "
					"containers that "
					"outlive the call (create, run -d); a foreground run's "
					"output is yours");
		return 0;
	}
	if (!a->stdio)
		a->stdio = "pipe";
	if ((a->log_path || a->log_max) && strcmp(a->stdio, "pipe"))
		return err_code(e, "usage", "--log wants --stdio pipe (the default)");
	if (a->log_max && !a->log_path)
		return err_code(e, "usage", "--log-max-size wants --log");
	if (a->log_format && !a->log_path)
		return err_code(e, "usage", "--log-format wants --log");
	if (!strcmp(a->stdio, "inherit") && !a->so.tty && passes_terminal(a))
		return err_code(e, "usage",
				"--stdio inherit would hand the container your terminal; use -t "
				"for a terminal of its own, or the default --stdio pipe");
	return 0;
}

int
create_parse(int argc, char **argv, struct create_args *a, struct state *st, struct err *e)
{
	const struct opt_cmd *spec = a->is_run ? &cmd_run_spec : &cmd_create_spec;
	struct opt_parser p;
	int c;

	opt_init(&p, spec, argc, argv, st);
	while ((c = opt_next(&p)) != -1)
		if (one_opt(c, optarg, a, e) < 0)
			return -1;
	opt_operands(spec, argc, argv, 1, -1);
	a->image = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind < argc) {
		a->so.args = xcalloc((size_t)(argc - optind + 1), sizeof(char *));
		memcpy(a->so.args, argv + optind, (size_t)(argc - optind) * sizeof(char *));
	}
	if (a->name && path_check_id(a->name, CONTAINER_ID_MAX, e) < 0)
		return err_prefix(e, "--name");
	/* its state directory would replace the log ($CTR_STATE/NS/ID) */
	if (a->name && eventlog_file(a->name))
		return err_code(e, "invalid", "--name: '%s' is the namespace's event log", a->name);
	if (a->nf.any && !a->so.cni && !a->so.slirp)
		return err_code(
		    e, "usage",
		    "--dns, --dns-search, --add-host and --no-hosts are for a container "
		    "on a CNI network (--net cni:NAME) or slirp4netns");
	return check_stdio(a, e);
}
