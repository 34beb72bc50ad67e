/* SPDX-License-Identifier: Apache-2.0 */
/* The create job: record, snapshot, rootfs mount, config.json, shim; undone on failure. */
#include "cni-attach.h"
#include "create.h"
#include "delete.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "cgroup.h"
#include "cleanup.h"
#include "fg.h"
#include "imagein.h"
#include "jsonio.h"
#include "lease.h"
#include "mount.h"
#include "notify.h"
#include "runtime.h"
#include "shimclient.h"
#include "snapshot.h"
#include "timestamp.h"
#include "user.h"
#include "userns.h"
#include "xmem.h"

const char *
create_detach_keys(const struct create_args *a)
{
	/* the keys come from our terminal, which only a foreground run -it relays */
	return fg_detach_keys(a->detach_keys,
			      a->is_run && !a->detach && a->so.tty && a->interactive);
}

int
create_fail_code(const struct err *e)
{
	/* only the runtime's words about the command count, not our own file errors */
	if (!e->code || strcmp(e->code, "runtime"))
		return 125;
	/* runc and crun report a missing command in these words */
	if (strstr(e->msg, "executable file not found") || strstr(e->msg, "no such file") ||
	    strstr(e->msg, "No such file"))
		return 127;
	if (strstr(e->msg, "permission denied") || strstr(e->msg, "Permission denied") ||
	    strstr(e->msg, "exec format error"))
		return 126;
	return 125;
}

static json_t *
make_record(const struct state *st, const struct create_args *a, const struct imagein *in,
	    const struct container *c, const char *runtime, const char *key)
{
	char now[TIMESTAMP_LEN];

	timestamp_now(now);
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:O?, s:b, "
			 "s:b, s:b, s:s?, s:s?, s:s?, s:s?}",
			 "id", c->id, "namespace", st->ns, "image", in->name, "chain_id",
			 in->chain_id, "config_digest", in->config_digest, "snapshotter",
			 snapshotter_name(in->snapshotter), "snapshot_key", key, "runtime", runtime,
			 "bundle", c->bundle, "state_dir", c->statedir, "created", now, "labels",
			 a->so.labels, "tty", a->so.tty, "stdin_open", a->interactive,
			 "auto_remove", a->rm, "stop_signal", jsonio_str(in->config, "StopSignal"),
			 "stdio", a->stdio, "log", a->log_path, "log_format", a->log_format);
}

/*
 * A CNI container's resolv.conf and hosts, from its networks' results; a
 * slirp4netns one's name slirp4netns's own DNS forwarder unless --dns says.
 */
static int
net_files(struct create_args *a, const struct container *c, struct err *e)
{
	static const char *slirp_dns[] = {"10.0.2.3"};
	json_auto_t *results = a->so.cni ? cni_describe(c->statedir) : NULL;
	struct netfiles_opts o = a->nf;

	if (a->so.slirp && !o.ndns)
		o.dns = slirp_dns, o.ndns = 1;
	return netfiles_setup(c, &a->so, results, &o, e);
}

/* User, spec and config.json, once the rootfs is mounted (the user lives in its /etc). */
static int
write_config(struct create_args *a, const struct imagein *in, struct container *c, struct err *e)
{
	_cleanup_close_ int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int bfd = -1;
	const char *user = a->user ? a->user : jsonio_str(in->config, "User");
	struct spec_user u;
	json_auto_t *spec = NULL;

	if (rootfd < 0)
		return err_set(e, errno, "open '%s'", c->rootfs);
	if (user_resolve(rootfd, user, &u, e) < 0)
		return -1;
	if (userns_check_ids(u.uid, u.gid, e) < 0) {
		spec_user_release(&u);
		return -1;
	}
	a->so.id = c->id;
	a->so.arch = in->arch; /* the filter covers the image's 32-bit ABI where it has one */
	notify_add_spec(a, c->statedir);
	if ((a->so.cni || a->so.slirp) && net_files(a, c, e) < 0)
		return -1;
	spec = spec_build(in->config, &a->so, &u, e);
	spec_user_release(&u);
	if (!spec)
		return -1;
	bfd = openat(c->dirfd, "bundle", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return err_set(e, errno, "open '%s'", c->bundle);
	/*
	 * No fsync: nothing reads config.json after a host crash (the container
	 * is then in state unknown and can only be deleted), and the record
	 * written next is durable.
	 */
	return afile_write_json_flags(bfd, "config.json", spec, AFILE_NOSYNC, e);
}

/*
 * run --rm throws the writable layer away at exit: overlay's "volatile"
 * (Linux 5.10) spares the syncs of the host filesystem that writes and,
 * above all, the unmount would cost (podman does the same for --rm).
 */
static json_t *
volatile_mounts(const json_t *mounts)
{
	json_t *v = json_deep_copy(mounts), *m;
	size_t i;

	json_array_foreach(v, i, m) {
		const char *type = jsonio_str(m, "type");
		json_t *opts = json_object_get(m, "options");

		if (type && !strcmp(type, MOUNT_TYPE_OVERLAY) && json_is_array(opts))
			json_array_append_new(opts, json_string("volatile"));
	}
	return v;
}

/* Mount the Mount list on the rootfs; volatile when asked and the kernel knows it. */
static int
mount_rootfs(const json_t *mounts, const char *rootfs, bool volatile_upper, struct err *e)
{
	if (volatile_upper) {
		json_auto_t *v = volatile_mounts(mounts);

		if (mount_apply(v, rootfs, e) == 0)
			return 0;
		if (e->sys != EINVAL) /* older kernels refuse the option: mount it plain */
			return -1;
	}
	return mount_apply(mounts, rootfs, e);
}

/*
 * The rootfs is mounted in a mount namespace of our own, which the shim
 * inherits and keeps: a container's mount namespace is a copy of the one
 * its runtime starts in, and the runtime (runc) reads mountinfo many times
 * while it sets one up, so with every rootfs on the host each start would
 * cost more than the one before (500 containers: 1.7x). A slave of the
 * host's, so namespaces pinned later (ctr-netns) are still seen; the mount
 * goes when the shim and its runtime calls are gone.
 */
static int
private_mount_ns(struct err *e)
{
	if (unshare(CLONE_NEWNS) < 0)
		return err_set(e, errno, "unshare the mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return err_set(e, errno, "make the mount namespace a slave of the host's");
	return 0;
}

static int
prepare_rootfs(const struct state *st, const struct create_args *a, const struct imagein *in,
	       const char *key, struct container *c, struct snapshot_store **store, struct err *e)
{
	json_auto_t *labels = json_pack("{s:s}", "ctr.container", c->id), *mounts = NULL;

	if (snapshot_store_open(st, in->snapshotter, store, e) < 0)
		return -1;
	if (snapshot_prepare(*store, key, in->parent, labels, 0, &mounts, e) < 0)
		return err_prefix(e, "prepare the container's snapshot");
	if (mount_rootfs(mounts, c->rootfs, a->rm && a->is_run, e) < 0) {
		struct err ignored;

		snapshot_remove(*store, key, &ignored);
		return err_prefix(e, "mount the rootfs");
	}
	return 0;
}

/*
 * run --rm: the shim deletes the container once it has exited, whether or
 * not we are still around: `ctr-run --root R --state S -n NS delete -f ID`
 * as its exit command, in its mount namespace, where the rootfs is mounted.
 * -f: a caller killed half-way through its own delete may have left no
 * record. In the foreground we delete it ourselves, faster; the shim runs
 * the command only if we die before the container's directory is gone.
 */
struct exit_cmd {
	char *argv[11];
	char self[PATH_MAX];
	char *root, *run;
};

/* *out: the exit command run --rm wants, else NULL. */
static int
exit_cmd_make(const struct state *st, const struct create_args *a, struct exit_cmd *x,
	      char *const **out, struct err *e)
{
	ssize_t n;
	size_t i = 0;

	*out = NULL;
	if (!(a->is_run && a->rm))
		return 0;
	n = readlink("/proc/self/exe", x->self, sizeof(x->self) - 1);
	if (n < 0)
		return err_set(e, errno, "readlink /proc/self/exe");
	x->self[n] = '\0';
	/* the shim runs it from its state directory: nothing relative */
	if (!(x->root = realpath(st->root, NULL)) || !(x->run = realpath(st->run, NULL)))
		return err_set(e, errno, "resolve the state directories");
	x->argv[i++] = x->self;
	x->argv[i++] = "--root", x->argv[i++] = x->root;
	x->argv[i++] = "--state", x->argv[i++] = x->run;
	x->argv[i++] = "-n", x->argv[i++] = st->ns;
	x->argv[i++] = "delete", x->argv[i++] = "-f";
	x->argv[i] = NULL;
	*out = x->argv;
	return 0;
}

/*
 * The group the spec names must hold no processes: cgroup names say a
 * namespace and an id, not which store (ctr-state(5)), so a container of the
 * same name in the same namespace of another store would share it,
 * and the runtime's kill --all or delete of either would reach both.
 */
static int
cgroup_free(const struct container *c, struct err *e)
{
	struct err none;
	_cleanup_free_ char *rel = container_cgroup_rel(c, &none);

	if (rel && cgroup_busy(cgroup_root(), rel))
		return err_code(
		    e, "conflict",
		    "cgroup '%s' holds processes of another container (of this name and "
		    "namespace in another store?): use another name or namespace",
		    rel);
	return 0;
}

static int
spawn_shim(const struct state *st, const struct create_args *a, struct container *c,
	   const char *runtime, const int stdio[3], struct shim_handle *h, struct err *e)
{
	struct exit_cmd x = {0};
	struct shim_spawn sp = {
	    .runtime = runtime,
	    .tty = a->so.tty,
	    .stdin_open = a->interactive,
	    .stdio = a->stdio,
	    .log_path = a->log_path,
	    .log_max = a->log_max,
	    .log_format = a->log_format,
	    .stdin_fd = stdio[0],
	    .stdout_fd = stdio[1],
	    .stderr_fd = stdio[2],
	    /* run wants it running: one runtime call (run --detach) instead of create + start */
	    .start = a->is_run,
	    /*
	     * run in the foreground: the runtime's own run, which reaps init and
	     * deletes the container as it exits: one runtime process, not two. Not
	     * with a TTY: the runtime would relay it instead of handing us the master.
	     */
	    .foreground = a->is_run && !a->detach && !a->so.tty && !a->so.slirp,
	    /* slirp4netns joins the created init before the shim starts it */
	    .slirp = a->so.slirp,
	    .slirp_host_loopback = a->so.slirp_host_loopback,
	    /*
	     * run --rm in the foreground without the runtime's own run (-t,
	     * slirp4netns): the shim deletes the runtime's state and cgroup as
	     * init exits; delete_after_run counts on it.
	     */
	    .runtime_delete = a->is_run && a->rm && !a->detach && (a->so.tty || a->so.slirp),
	    /* a foreground run -t: the shim relays our terminal only while we live */
	    .caller_pid = a->is_run && !a->detach && a->so.tty ? getpid() : 0,
	    /* ... and detaches on these keys, answering our wait "detached" (cmd-run.c) */
	    .detach_keys = create_detach_keys(a),
	    /* run --rm, killed before the go or before its delete: the shim's to finish */
	    .exit_after = a->is_run && a->rm ? getpid() : 0,
	    /*
	     * Under a systemd Type=notify unit, --sdnotify=conmon: a container
	     * that outlives us has the shim as the unit's main process, so the
	     * shim says READY=1 and MAINPID; a foreground run is ours to
	     * announce (cmd-run.c). The other modes: notify.c.
	     */
	    .notify_socket = notify_shim_socket(a),
	    /* --sdnotify=container: the container's own READY=1, relayed by the shim */
	    .notify_relay = notify_relays(a),
	};
	int r = -1;

	if (exit_cmd_make(st, a, &x, &sp.exit_cmd, e) == 0)
		r = shim_spawn(c, &sp, h, e);
	free(x.root);
	free(x.run);
	return r;
}

/* The bundle is ready: the shim creates (and with run starts) the container. */
static int
shim_create(const struct create_args *a, struct container *c, struct shim_handle *h, struct err *e)
{
	int pid;

	/* run's container is running once the shim reports: marked before, off the hot path */
	if (a->is_run)
		container_mark(c, "started", true);
	c->shim_child = h->pid;
	/*
	 * run -it: what is typed once the container runs is its own, raw, so
	 * that the terminal's line discipline neither holds it back to a newline
	 * nor takes ^Q (a detach key) for flow control.
	 */
	if (a->raw_tty)
		fg_raw_tty();
	if (shim_go(h, &pid, &c->sync_exit, e) < 0) {
		c->shim_child = 0;
		return -1;
	}
	json_object_set_new(c->rec, "pid", json_integer(pid));
	return 0;
}

/* The lease on the container's directory and snapshot while there is no record. */
static int
take_lease(const struct state *st, const char *id, const char *key, struct lease *l, struct err *e)
{
	_cleanup_free_ char *name = xasprintf("%s/%s", st->ns, id);
	_cleanup_free_ char *purpose = xasprintf("create container %s", name);
	json_auto_t *objs = json_array();

	lease_object(objs, LEASE_CONTAINER, name);
	lease_object(objs, LEASE_SNAPSHOT, key);

	return lease_take(st, purpose, 0, objs, l, e);
}

static int
create_once(const struct state *st, struct create_args *a, const int stdio[3], struct container *c,
	    struct err *e)
{
	_cleanup_free_ char *id = a->name ? xstrdup(a->name) : container_random_id();
	_cleanup_free_ char *runtime = NULL, *key = NULL, *nspath = NULL;
	struct snapshot_store *store = NULL;
	struct shim_handle shim = {.fd = -1};
	struct lease lease = {.dirfd = -1};
	struct imagein in = {0};
	struct err ignored;
	json_auto_t *x = NULL;
	int r = -1, lk = -1, made;

	container_init(c, st, id);
	a->so.ns = st->ns;
	if (!(runtime = runtime_find(a->runtime ? a->runtime : RUNTIME_DEFAULT, e)))
		return -1;
	runtime_check_version(st, runtime);
	/*
	 * The image first (a record, a manifest, a config: a few reads): one
	 * that is missing or bad costs no directory, network or shim, and
	 * --pull=missing pulls it before anything is made.
	 */
	if (imagein_load(st, a->image, &in, e) < 0) {
		a->image_missing = !strcmp(e->code, "not-found") && strcmp(a->image, "-");
		a->image_stored = in.stored;
		imagein_release(&in);
		return -1;
	}
	key = container_snapshot_key(st, c->id);
	/* before the directory: gc and ls tell a create in flight from a dead one by it */
	if (take_lease(st, c->id, key, &lease, e) < 0) {
		imagein_release(&in);
		return -1;
	}
	/* a dead creator's leftover of this id is reclaimed, as delete -f would */
	made = container_make(c, st, e);
	if (made < 0 && !strcmp(e->code, "exists") &&
	    delete_abandoned(st, c->id, lease.id, e) == 0) {
		container_release(c);
		container_init(c, st, id);
		made = container_make(c, st, e);
	}
	if (made < 0) {
		/* an existing container of this id is not ours to remove */
		if (strcmp(e->code, "exists"))
			container_remove_dirs(c, st, &ignored);
		goto out;
	}
	/* held until the shim reports: delete -f must not tear down a create in flight */
	if ((lk = container_lock(c, e)) < 0)
		goto out_dirs;
	/*
	 * Its own namespace on CNI networks, for the spec to name: pinned before
	 * we enter a mount namespace of our own, so that the pin is the host's.
	 */
	if (a->so.cni) {
		_cleanup_free_ char *netns = xasprintf("ctr-%s-%s", st->ns, c->id);

		if (cni_attach(st, c->statedir, netns, a->so.cni, &nspath, e) < 0)
			goto out_dirs;
		a->so.net = nspath;
	}
	/*
	 * The shim starts up while we prepare the rootfs and the bundle; it
	 * lives in the mount namespace we are in by then, so it sees the rootfs.
	 */
	if (private_mount_ns(e) < 0 || spawn_shim(st, a, c, runtime, stdio, &shim, e) < 0)
		goto out_dirs;
	if (prepare_rootfs(st, a, &in, key, c, &store, e) < 0)
		goto out_dirs;
	if (write_config(a, &in, c, e) < 0 || cgroup_free(c, e) < 0)
		goto out_umount;
	c->rec = make_record(st, a, &in, c, runtime, key);
	if (container_save(c, e) < 0)
		goto out_umount;
	/* before the shim, whose start (run) comes after it in the log; undone by a delete */
	x = json_pack("{s:O?}", "image", json_object_get(c->rec, "image"));
	container_event(c, "create", x);
	if (shim_create(a, c, &shim, e) < 0) {
		/* the shim has had its say: what its runtime left of a cgroup is ours */
		container_cgroup_remove(c, &ignored);
		container_event(c, "delete", NULL);
		goto out_umount;
	}
	r = 0;
	goto out;
out_umount:
	/* reverse order: the shim cleans itself up on failure; then mount, snapshot, dirs */
	shim_abort(&shim);
	mount_unmount(c->rootfs, &ignored);
	snapshot_remove(store, key, &ignored);
out_dirs:
	shim_abort(&shim);
	cni_detach(st, c->statedir, &ignored);
	container_remove_dirs(c, st, &ignored);
out:
	/* the record names what we made now, or it is all undone */
	lease_drop(&lease);
	if (lk >= 0)
		close(lk);
	snapshot_store_free(store);
	imagein_release(&in);
	return r;
}

int
create_container(const struct state *st, struct create_args *a, const int stdio[3],
		 struct container *c, struct err *e)
{
	char first[sizeof(e->msg)];
	int r;

	if (a->pull == PULL_ALWAYS && strcmp(a->image, "-") && pull_image(st, a->image, e) < 0)
		return -1;
	if ((r = create_once(st, a, stdio, c, e)) == 0 || !a->image_missing)
		return r;
	snprintf(first, sizeof(first), "%s", e->msg);
	if (a->pull == PULL_NEVER)
		return err_code(e, "not-found",
				"%s: pull it with 'ctr-pull --unpack %s' or use --pull=missing",
				first, a->image);
	/*
	 * --pull=missing: what ctr-pull --unpack makes, then the create again;
	 * an image the store has but not unpacked (a commit, an import: maybe
	 * in no registry) is unpacked from the store.
	 */
	container_release(c);
	if ((a->image_stored ? unpack_image(st, a->image, e) : pull_image(st, a->image, e)) < 0)
		return -1;
	a->image_missing = false;
	return create_once(st, a, stdio, c, e);
}
