/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime spec from an image config and options: process, root, mounts. */
#include "spec.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "priv.h"
#include "userns.h"
#include "jsonio.h"
#include "xmem.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void
spec_opts_init(struct spec_opts *o)
{
	memset(o, 0, sizeof(*o));
}

void
spec_opts_release(struct spec_opts *o)
{
	for (size_t i = 0; i < o->nmounts; i++)
		spec_mount_release(&o->mounts[i]);
	free(o->mounts);
	for (size_t i = 0; i < o->ndevices; i++)
		free(o->devices[i].path);
	free(o->devices);
	free(o->env);
	free(o->cap_add);
	free(o->cap_drop);
	free(o->seccomp_arch);
	free(o->args);
	json_decref(o->seccomp_json);
	json_decref(o->labels);
	cgroup_parent_release(&o->cgroup_parent);
	memset(o, 0, sizeof(*o));
}

void
spec_user_release(struct spec_user *u)
{
	free(u->groups);
	u->groups = NULL;
	u->ngroups = 0;
}

int
spec_check_env(const char *kv, struct err *e)
{
	const char *eq = strchr(kv, '=');

	if (!eq)
		return err_code(e, "invalid", "environment entry '%.64s' has no '='", kv);
	if (eq == kv)
		return err_code(e, "invalid", "environment entry '%.64s' has an empty name", kv);
	return 0;
}

int
spec_check_cwd(const char *cwd, struct err *e)
{
	if (cwd[0] != '/')
		return err_code(e, "invalid", "working directory '%.64s' is not absolute", cwd);
	for (const char *p = cwd; *p; p++)
		if ((unsigned char)*p < 0x20)
			return err_code(e, "invalid", "working directory has a control character");
	/* ".." could walk out of the root when the runtime resolves it naively */
	for (const char *p = cwd; (p = strstr(p, "..")); p += 2)
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
			return err_code(e, "invalid", "working directory '%.64s' contains '..'",
					cwd);
	return 0;
}

/* Append the strings of a JSON array (ignoring a non-array) to out; -1 on a non-string. */
static int
append_strs(json_t *out, const json_t *arr, const char *what, struct err *e)
{
	size_t i;
	json_t *v;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return err_code(e, "invalid", "image config: %s is not an array", what);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return err_code(e, "invalid", "image config: %s holds a non-string", what);
		json_array_append_new(out, json_string(json_string_value(v)));
	}
	return 0;
}

int
spec_process_args(const json_t *imgcfg, const struct spec_opts *o, json_t **args, struct err *e)
{
	json_auto_t *a = json_array();

	/* Docker's rule: the entrypoint stays, a command given here replaces Cmd */
	if (append_strs(a, json_object_get(imgcfg, "Entrypoint"), "Entrypoint", e) < 0)
		return -1;
	if (o->args) {
		for (char **p = o->args; *p; p++)
			json_array_append_new(a, json_string(*p));
	} else if (append_strs(a, json_object_get(imgcfg, "Cmd"), "Cmd", e) < 0) {
		return -1;
	}
	if (json_array_size(a) == 0)
		return err_code(
		    e, "invalid",
		    "no command: the image has no Entrypoint or Cmd; give one after '--'");
	*args = steal_ptr(a);
	return 0;
}

/* Index of the entry of env whose name equals kv's, or -1. */
static ssize_t
env_find(const json_t *env, const char *kv)
{
	size_t n = strcspn(kv, "="), i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);

		if (!strncmp(s, kv, n) && (s[n] == '=' || s[n] == '\0'))
			return (ssize_t)i;
	}
	return -1;
}

static void
env_set(json_t *env, const char *kv)
{
	ssize_t i = env_find(env, kv);

	if (i >= 0)
		json_array_set_new(env, (size_t)i, json_string(kv));
	else
		json_array_append_new(env, json_string(kv));
}

json_t *
spec_process_env(const json_t *imgcfg, const struct spec_opts *o, struct err *e)
{
	json_auto_t *img = json_array(), *env = json_array();
	size_t i;
	json_t *v;

	if (append_strs(img, json_object_get(imgcfg, "Env"), "Env", e) < 0)
		return NULL;
	json_array_foreach(img, i, v) {
		/* images are not trusted either: a malformed entry is dropped, not fatal */
		if (strchr(json_string_value(v), '='))
			env_set(env, json_string_value(v));
	}
	for (i = 0; i < o->nenv; i++) {
		if (spec_check_env(o->env[i], e) < 0)
			return NULL;
		env_set(env, o->env[i]);
	}
	if (env_find(env, "PATH=") < 0)
		json_array_insert_new(env, 0, json_string(DEFAULT_PATH));
	if (o->tty && env_find(env, "TERM=") < 0)
		json_array_append_new(env, json_string("TERM=xterm"));
	return steal_ptr(env);
}

static const char *
process_cwd(const json_t *imgcfg, const struct spec_opts *o, struct err *e)
{
	const char *cwd = o->cwd ? o->cwd : jsonio_str(imgcfg, "WorkingDir");

	if (!cwd || !*cwd)
		return "/";
	return spec_check_cwd(cwd, e) < 0 ? NULL : cwd;
}

static json_t *
process_user(const struct spec_user *u)
{
	json_t *groups = json_array();

	for (size_t i = 0; i < u->ngroups; i++)
		json_array_append_new(groups, json_integer(u->groups[i]));
	return json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)u->uid, "gid", (json_int_t)u->gid,
			 "additionalGids", groups);
}

static json_t *
build_process(const json_t *imgcfg, const struct spec_opts *o, const struct spec_user *u,
	      json_t *caps, struct err *e)
{
	json_t *args = NULL, *env;
	const char *cwd = process_cwd(imgcfg, o, e);

	if (!cwd || spec_process_args(imgcfg, o, &args, e) < 0)
		return NULL;
	env = spec_process_env(imgcfg, o, e);
	if (!env) {
		json_decref(args);
		return NULL;
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:s, s:{s:O, s:O, s:O}, s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", o->tty, "user", process_user(u), "args", args, "env", env,
			 "cwd", cwd, "capabilities", "bounding", caps, "effective", caps,
			 "permitted", caps, "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024,
			 "soft", 1024,
			 /* containerd's default; --privileged keeps it too */
			 "noNewPrivileges", true);
}

static json_t *
mount_new(const char *dst, const char *type, const char *src, const char *opts)
{
	json_t *o = json_array();
	_cleanup_free_ char *dup = xstrdup(opts);
	char *save = NULL;

	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(o, json_string(t));
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", type, "source", src,
			 "options", o);
}

/* The kernel filesystems every container gets, as containerd's default spec has them. */
static json_t *
default_mounts(const struct spec_opts *o)
{
	json_t *m = json_array();
	const char *ro = o->privileged ? "rw" : "ro";
	_cleanup_free_ char *sysopts = xasprintf("nosuid,noexec,nodev,%s", ro);
	_cleanup_free_ char *cgopts = xasprintf("nosuid,noexec,nodev,relatime,%s", ro);

	json_array_append_new(m, mount_new("/proc", "proc", "proc", "nosuid,noexec,nodev"));
	json_array_append_new(
	    m, mount_new("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
	/* gid 5 (tty) exists only where the user namespace maps more than the user */
	json_array_append_new(
	    m, mount_new("/dev/pts", "devpts", "devpts",
			 priv_rootless() && userns_single()
			     ? "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"
			     : "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
	json_array_append_new(
	    m, mount_new("/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k"));
	json_array_append_new(m,
			      mount_new("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
	if (priv_rootless() && o->net && !strcmp(o->net, "host")) {
		/* sysfs is mounted only by the owner of the network namespace: the host's is root's */
		_cleanup_free_ char *bindopts = xasprintf("rbind,nosuid,noexec,nodev,%s", ro);

		json_array_append_new(m, mount_new("/sys", "bind", "/sys", bindopts));
	} else {
		json_array_append_new(m, mount_new("/sys", "sysfs", "sysfs", sysopts));
	}
	/* nor a cgroup v1 hierarchy, which no user namespace may mount */
	if (!priv_rootless())
		json_array_append_new(m, mount_new("/sys/fs/cgroup", "cgroup", "cgroup", cgopts));
	json_array_append_new(
	    m, mount_new("/run", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
	return m;
}

/* Is t an option a mount of this kind may have? */
static bool
mount_option_ok(const char *t, bool tmpfs)
{
	static const char *const common[] = {"ro", "rw", "nosuid", "nodev", "noexec"};

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (!strcmp(t, common[i]))
			return true;
	if (tmpfs)
		return (!strncmp(t, "size=", 5) && t[5]) ||
		       (!strncmp(t, "mode=", 5) && t[5] &&
			strspn(t + 5, "01234567") == strlen(t + 5));
	return !strcmp(t, "rbind") || !strcmp(t, "bind");
}

/* The OCI mount of b: a bind (rprivate, so the host sees nothing made inside) or a tmpfs. */
static json_t *
mount_of(const struct spec_mount *b, struct err *e)
{
	_cleanup_free_ char *dup = xstrdup(b->options ? b->options : "");
	json_auto_t *list = json_array();
	bool rbind = false;
	char *save = NULL;

	for (char *t = strtok_r(dup, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		if (!mount_option_ok(t, b->tmpfs)) {
			err_code(e, "invalid", "unknown %s option '%.32s'",
				 b->tmpfs ? "tmpfs" : "bind", t);
			return NULL;
		}
		rbind |= !strcmp(t, "rbind");
		if (strcmp(t, "rbind") && strcmp(t, "bind"))
			json_array_append_new(list, json_string(t));
	}
	if (b->tmpfs) {
		json_array_insert_new(list, 0, json_string("nosuid"));
		json_array_insert_new(list, 1, json_string("nodev"));
		return json_pack("{s:s, s:s, s:s, s:O}", "destination", b->dst, "type", "tmpfs",
				 "source", "tmpfs", "options", list);
	}
	json_array_insert_new(list, 0, json_string(rbind ? "rbind" : "bind"));
	json_array_append_new(list, json_string("rprivate"));
	return json_pack("{s:s, s:s, s:s, s:O}", "destination", b->dst, "type", "bind", "source",
			 b->src, "options", list);
}

static int
add_binds(json_t *mounts, const struct spec_opts *o, struct err *e)
{
	for (size_t i = 0; i < o->nmounts; i++) {
		json_t *m = mount_of(&o->mounts[i], e);

		if (!m)
			return -1;
		json_array_append_new(mounts, m);
	}
	return 0;
}

static json_t *
build_annotations(const json_t *imgcfg, const struct spec_opts *o)
{
	json_t *a = json_object();
	const json_t *labels = json_object_get(imgcfg, "Labels");
	const char *k, *sig = jsonio_str(imgcfg, "StopSignal");
	json_t *v;

	json_object_foreach((json_t *)labels, k, v)
		if (json_is_string(v))
			json_object_set(a, k, v);
	json_object_foreach(o->labels, k, v)
		json_object_set(a, k, v);
	if (sig)
		json_object_set_new(a, "org.opencontainers.image.stopSignal", json_string(sig));
	return a;
}

json_t *
spec_build(const json_t *imgcfg, const struct spec_opts *o, const struct spec_user *user,
	   struct err *e)
{
	json_auto_t *caps = spec_caps(o, e), *mounts = NULL;
	json_t *process, *linux_;

	if (!caps)
		return NULL;
	process = build_process(imgcfg, o, user, caps, e);
	if (!process)
		return NULL;
	if (o->oom_adj_set)
		json_object_set_new(process, "oomScoreAdj", json_integer(o->oom_score_adj));
	mounts = default_mounts(o);
	linux_ = add_binds(mounts, o, e) < 0 ? NULL : spec_linux(o, caps, e);
	if (!linux_) {
		json_decref(process);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:O, s:o, s:o}", "ociVersion", "1.0.2",
			 "process", process, "root", "path", "rootfs", "readonly", o->read_only,
			 "hostname", o->hostname ? o->hostname : o->id, "mounts", mounts,
			 "annotations", build_annotations(imgcfg, o), "linux", linux_);
}
