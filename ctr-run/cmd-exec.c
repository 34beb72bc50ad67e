/* SPDX-License-Identifier: Apache-2.0 */
/* The exec verb: one more process in a running container, through the shim. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "create.h"
#include "detachkeys.h"
#include "fg.h"
#include "jsonio.h"
#include "shimclient.h"
#include "spec.h"
#include "user.h"
#include "userns.h"
#include "xmem.h"

static const struct opt exec_opts[] = {
    {"detach", 'd', NULL, "print the exec's ID and leave the process running", NULL},
    {"tty", 't', NULL, "give the process a terminal of its own", NULL},
    {"interactive", 'i', NULL, "keep stdin open and pass ours", NULL},
    {"user", 'u', "USER[:GROUP]", "run as this user (default: the container's)", NULL},
    {"cwd", 'w', "DIR", "the working directory, absolute (default: the container's)", NULL},
    {"workdir", 'w', "DIR", NULL, NULL},
    {"env", 'e', "K=V", "set an environment variable (after the container's)", NULL},
    OPT_INCLUDE(cmd_opt_detach_keys),
    OPT_END,
};
const struct opt_cmd cmd_exec_spec = {
    "ID -- CMD ...", "run one more process in a running container", exec_opts, 125, 0};

struct exec_args {
	bool detach, tty, interactive;
	const char *user, *cwd;
	const char *keys; /* --detach-keys, or NULL: the default */
	char **env;
	size_t nenv;
};

static void
exec_opt(int c, const char *arg, void *ctx)
{
	struct exec_args *a = ctx;
	struct err e;

	switch (c) {
	case 'd':
		a->detach = true;
		break;
	case 't':
		a->tty = true;
		break;
	case 'i':
		a->interactive = true;
		break;
	case 'u':
		a->user = arg;
		break;
	case 'w':
		if (spec_check_cwd(arg, &e) < 0)
			die(125, "%s", e.msg);
		a->cwd = arg;
		break;
	case 'e':
		if (spec_check_env(arg, &e) < 0)
			die(125, "%s", e.msg);
		a->env = xrealloc(a->env, (a->nenv + 1) * sizeof(char *));
		a->env[a->nenv++] = (char *)arg;
		break;
	case CMD_OPT_DETACH_KEYS:
		a->keys = arg;
		break;
	}
}

/* Replace or add K=V in the process's env array. */
static void
env_put(json_t *env, const char *kv)
{
	size_t n = strcspn(kv, "="), i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (s && !strncmp(s, kv, n) && s[n] == '=') {
			json_array_set_new(env, i, json_string(kv));
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
}

/* The exec'd process: the container's own process spec with args, env, cwd, user replaced. */
static json_t *
exec_process(const struct container *c, const struct exec_args *a, char **cmd, int n, struct err *e)
{
	json_auto_t *spec = container_spec(c, e);
	json_t *proc, *args;

	if (!spec)
		return NULL;
	if (!(proc = json_deep_copy(json_object_get(spec, "process"))))
		return err_code(e, "invalid", "%s/config.json has no process", c->bundle), NULL;
	args = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(args, json_string(cmd[i]));
	json_object_set_new(proc, "args", args);
	json_object_set_new(proc, "terminal", json_boolean(a->tty));
	for (size_t i = 0; i < a->nenv; i++)
		env_put(json_object_get(proc, "env"), a->env[i]);
	if (a->cwd)
		json_object_set_new(proc, "cwd", json_string(a->cwd));
	if (a->user) {
		_cleanup_free_ char *rootfs = container_rootfs_path(c);
		_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct spec_user u;

		if (root < 0 || user_resolve(root, a->user, &u, e) < 0) {
			json_decref(proc);
			return root < 0 ? (err_set(e, errno, "open '%s'", rootfs), NULL) : NULL;
		}
		if (userns_check_ids(u.uid, u.gid, e) < 0) {
			spec_user_release(&u);
			json_decref(proc);
			return NULL;
		}
		json_t *groups = json_array();
		for (size_t i = 0; i < u.ngroups; i++)
			json_array_append_new(groups, json_integer(u.groups[i]));
		json_object_set_new(proc, "user",
				    json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)u.uid, "gid",
					      (json_int_t)u.gid, "additionalGids", groups));
		spec_user_release(&u);
	}
	return proc;
}

static char *
exec_id(void)
{
	_cleanup_free_ char *r = container_random_id();

	return xasprintf("exec-%s", r);
}

/* With -t: the caller's window size, so the process never sees a terminal of size 0. */
static void
console_size(json_t *proc)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	if (ws.ws_row && ws.ws_col)
		json_object_set_new(
		    proc, "consoleSize",
		    json_pack("{s:i, s:i}", "height", ws.ws_row, "width", ws.ws_col));
}

/*
 * A terminal of ours never reaches the process: where fds[i] is one, the
 * process gets a pipe instead, and we copy between the two while we wait
 * (io). The far ends replace fds[i]; far[] holds them for closing.
 * Stderr always takes a pipe: it is also the runtime's, which prints its
 * failure there as well as in its log, and a failed exec is then one line,
 * ours, with its words, and nothing is copied.
 */
static int
shield_terminals(int fds[3], int far[3], struct fg_early *io, struct err *e)
{
	for (int i = 0; i < 3; i++) {
		int p[2];

		if (!isatty(fds[i]) && i != 2)
			continue;
		if (pipe2(p, O_CLOEXEC) < 0)
			return err_set(e, errno, "pipe");
		/* stdin: we write what we read; stdout, stderr: we read what it writes */
		far[i] = fds[i] = i == 0 ? p[0] : p[1];
		io->from[i] = i == 0 ? STDIN_FILENO : p[0];
		io->to[i] = i == 0 ? p[1] : i;
	}
	return 0;
}

/*
 * Send the exec request with our stdio (or /dev/null for stdin without -i)
 * on k, left open; terminals among them are shielded (io). With -t the shim
 * relays the terminal to our stdin and stdout for as long as k is open, or
 * until it reads the detach keys there (io->detachable); with -d the process
 * outlives us and gets nothing of ours: /dev/null, or with -t no
 * descriptors at all (the shim reads its output and discards it).
 */
static int
send_exec(const struct container *c, const struct exec_args *a, json_t *proc, const char *eid,
	  struct shim_conn *k, struct fg_early *io, struct err *e)
{
	json_auto_t *req = json_pack("{s:s, s:s, s:O, s:b}", "op", "exec", "id", eid, "process",
				     proc, "tty", a->tty);
	const char *keys = fg_detach_keys(a->keys, a->tty && a->interactive && !a->detach);
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int fds[3] = {a->interactive ? STDIN_FILENO : null, STDOUT_FILENO, STDERR_FILENO};
	int far[3] = {-1, -1, -1};
	json_auto_t *r = NULL;
	int sent;

	if (keys)
		json_object_set_new(req, "detach_keys", json_string(keys));
	io->detachable = keys != NULL;
	if (a->detach)
		fds[0] = fds[1] = fds[2] = null;
	else if (!a->tty && shield_terminals(fds, far, io, e) < 0)
		return -1;
	if (shim_connect(c, k, e) < 0)
		return -1;
	sent = shim_send(k, req, fds, a->tty && a->detach ? 0 : 3, e);
	for (int i = 0; i < 3; i++)
		if (far[i] >= 0)
			close(far[i]); /* the shim has its copies, the process will */
	if (sent == 0)
		r = shim_recv(k, e);
	if (!r)
		return -1;
	if (!json_is_true(json_object_get(r, "ok"))) {
		const char *msg = jsonio_str(r, "error");

		return err_code(e, "runtime", "exec: %s", msg ? msg : "refused");
	}
	return 0;
}

int
cmd_exec(int argc, char **argv, struct state *st)
{
	struct exec_args a = {0};
	struct fg_early io = FG_EARLY_INIT;
	int i = opt_parse(&cmd_exec_spec, argc, argv, st, exec_opt, &a);
	_cleanup_free_ char *eid = exec_id();
	_cleanup_container_ struct container c = CONTAINER_INIT;
	struct shim_conn k;
	struct detachkeys keys;
	struct err e;
	json_auto_t *proc = NULL, *x = NULL;
	int status = 0;

	cmd_detach_keys(&cmd_exec_spec, a.keys, &keys); /* checked here, the shim's to use */
	opt_operands(&cmd_exec_spec, argc, argv, 2, -1);
	if (!strcmp(argv[i + 1], "--") && i + 2 == argc)
		opt_die(&cmd_exec_spec, "missing CMD");
	cmd_open(st, argv[i++], &c, 125);
	if (!strcmp(argv[i], "--"))
		i++;
	if (container_status(&c, NULL) != CS_RUNNING)
		die(125, "container '%s' is not running", c.id);
	if (!(proc = exec_process(&c, &a, argv + i, argc - i, &e)))
		die(125, "%s", e.msg);
	if (a.tty)
		console_size(proc);
	if (!a.detach)
		fg_block_signals();
	/* raw before the process runs: its first output and our first keys are the terminal's */
	if (a.tty && a.interactive && !a.detach)
		fg_raw_tty(); /* restored at exit, die() included */
	if (send_exec(&c, &a, proc, eid, &k, &io, &e) < 0)
		die(create_fail_code(&e), "%s", e.msg);
	if (a.detach) {
		printf("%s\n", eid);
	} else {
		if (!(x = fg_wait_early(&c, eid, a.tty, &io, &e)))
			die(125, "%s", e.msg);
		/* the detach keys: the process runs on, its output discarded by the shim */
		status = fg_detach_done(x) ? 0 : fg_status(x);
	}
	shim_close(&k); /* with -t: the relay ends after the last output, before our exit */
	free(a.env);
	return status;
}
