/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Containers: a record of ours ($ROOT/cri/containers/<id>/record.json: the
 * CRI names, pod, image, labels, times) and a ctr-run container of the same
 * id in namespace k8s.io, joined to the pod's network namespace. What runs
 * is ctr-run's to say (state, ls); ctr-run -n k8s.io ls shows them.
 */
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "containers.h"
#include "ctr-cri/api.pb-c.h"
#include "imagedb.h"
#include "jsonio.h"
#include "linuxcfg.h"
#include "lock.h"
#include "netns-dir.h"
#include "path.h"
#include "pbmap.h"
#include "record.h"
#include "timestamp.h"
#include "tool.h"
#include "xmem.h"

/* The exit code of a container whose process nobody saw end, as containerd has it. */
#define UNKNOWN_EXIT_CODE 255

/* The label ctr-run keeps on its record: the pod a container belongs to. */
#define LABEL_SANDBOX "io.kubernetes.cri.sandbox-id"

static int
ctr_run(struct cri *c, const char *const *args, char **out, struct cri_status *s)
{
	return tool_run(c, "ctr-run", "CTR_RUN", args, NULL, out, s);
}

static json_int_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (json_int_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A relative path without "." or ".." components (and no "//"). */
static bool
clean_rel_path(const char *p)
{
	_cleanup_free_ char *copy = xstrdup(p);
	char *save = NULL;

	if (!p[0] || p[0] == '/' || strstr(p, "//") || p[strlen(p) - 1] == '/')
		return false;
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save))
		if (!strcmp(t, ".") || !strcmp(t, ".."))
			return false;
	return true;
}

static int
check_mounts(const Runtime__V1__ContainerConfig *cfg, struct cri_status *s)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const Runtime__V1__Mount *m = cfg->mounts[i];

		if (!m->host_path || m->host_path[0] != '/' || !m->container_path ||
		    m->container_path[0] != '/' || strpbrk(m->host_path, ",=") ||
		    strpbrk(m->container_path, ",="))
			return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
					"mount %zu: host_path and container_path must be absolute, "
					"without ',' or '='",
					i);
		if (m->propagation != RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE)
			return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
					"mount %zu: only private propagation is supported", i);
	}
	return 0;
}

static int
check_config(const Runtime__V1__ContainerConfig *cfg, struct cri_status *s)
{
	struct err e;

	if (!cfg || !cfg->metadata || !cfg->metadata->name || !cfg->metadata->name[0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"ContainerConfig: no metadata.name");
	if (path_check_name(cfg->metadata->name, 253, &e) < 0)
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"ContainerConfig: metadata.name: %s", e.msg);
	if (!cfg->image || !cfg->image->image || !cfg->image->image[0])
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT, "ContainerConfig: no image");
	if (cfg->log_path && cfg->log_path[0] && !clean_rel_path(cfg->log_path))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"ContainerConfig: log_path '%.200s' must be relative to the pod's "
				"log directory, without . and .. components",
				cfg->log_path);
	if (cfg->working_dir && cfg->working_dir[0] && cfg->working_dir[0] != '/')
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"ContainerConfig: working_dir must be absolute");
	for (size_t i = 0; i < cfg->n_envs; i++) {
		const Runtime__V1__KeyValue *kv = cfg->envs[i];

		if (!kv->key || !kv->key[0] || strchr(kv->key, '=') ||
		    memchr(kv->value.data, 0, kv->value.len))
			return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
					"ContainerConfig: env %zu: a key without '=', a value "
					"without NUL",
					i);
	}
	return check_mounts(cfg, s);
}

/* The pod: ready, and its record (new reference) for the network and hostname. */
static json_t *
ready_pod(struct cri *c, const char *what, struct cri_status *s)
{
	_cleanup_close_ int dirfd = -1;
	json_t *rec;
	struct err e;

	if (!(rec = record_find(c->st, RECORD_SANDBOXES, "pod sandbox", what, &dirfd, NULL, &e))) {
		cri_fail_err(s, &e);
		return NULL;
	}
	if (strcmp(jsonio_str(rec, "state") ?: "", "ready") != 0) {
		cri_fail(s, GRPC_STATUS_FAILED_PRECONDITION, "pod sandbox %s is not ready",
			 jsonio_str(rec, "id"));
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* The image's record name (what ctr-run takes), its id, and whether it has an Entrypoint. */
static int
find_image(struct cri *c, const char *what, char **name, char **id, bool *entrypoint,
	   struct cri_status *s)
{
	struct imagedb db;
	const char *found = NULL;
	struct err e;
	int rc = 0;

	if (imagedb_load(&db, c->st, &e) < 0)
		return cri_fail_err(s, &e);
	if (imagedb_find(&db, what, &found, &e) < 0)
		rc = cri_fail_err(s, &e);
	else if (!found)
		rc = cri_fail(s, GRPC_STATUS_NOT_FOUND,
			      "image '%.200s' is not in the store: pull it", what);
	for (size_t i = 0; rc == 0 && i < db.n; i++)
		if (!strcmp(db.recs[i].id, found) && !*name) {
			*name = xstrdup(db.recs[i].name);
			*id = xstrdup(found);
			*entrypoint = db.recs[i].entrypoint;
		}
	imagedb_release(&db);
	return rc;
}

/* A growing NULL-terminated argv whose strings live in the call's arena. */
struct args {
	const char **v;
	size_t n, cap;
};

static void
args_add(struct args *a, const char *s)
{
	xgrow((void **)&a->v, &a->cap, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/*
 * The container's output: held by its shim (what Attach, ctr-run attach,
 * reads), and in the kubelet's file in the CRI format when it names one.
 * With tty, a terminal the shim holds (its output is stdout in the log);
 * with stdin, its stdin is kept open for Attach (lent by the shim).
 */
static void
stdio_args(struct args *a, const Runtime__V1__ContainerConfig *cfg, const char *log)
{
	if (cfg->tty)
		args_add(a, "-t");
	if (cfg->stdin)
		args_add(a, "-i");
	args_add(a, "--stdio");
	args_add(a, "pipe");
	if (!log || !log[0])
		return;
	args_add(a, "--log");
	args_add(a, log);
	args_add(a, "--log-format");
	args_add(a, "cri");
}

/*
 * ctr-run create's arguments: the pod's namespace and hostname, the log,
 * env, its resolv.conf (when not NULL) and the config's mounts, then the
 * command.
 */
static void
create_args(struct args *a, struct arena *ar, const char *id, const json_t *pod,
	    const Runtime__V1__ContainerConfig *cfg, const char *image, const char *nspath,
	    const char *resolv, const char *log, const char **linux_opts)
{
	const char *host = jsonio_str(pod, "hostname"),
		   *cgparent = jsonio_str(pod, "cgroup_parent");

	args_add(a, "create");
	args_add(a, "--name");
	args_add(a, id);
	args_add(a, "--pull");
	args_add(a, "never");
	stdio_args(a, cfg, log);
	args_add(a, "--net");
	args_add(a, nspath ? nspath : "host");
	if (host && host[0]) {
		args_add(a, "--hostname");
		args_add(a, host);
	}
	args_add(a, "--label");
	args_add(a, arena_printf(ar, LABEL_SANDBOX "=%s", jsonio_str(pod, "id")));
	/* every container of the pod below the kubelet's pod group (RunPodSandbox checked it) */
	if (cgparent && cgparent[0]) {
		args_add(a, "--cgroup-parent");
		args_add(a, cgparent);
	}
	if (cfg->working_dir && cfg->working_dir[0]) {
		args_add(a, "--cwd");
		args_add(a, cfg->working_dir);
	}
	for (size_t i = 0; i < cfg->n_envs; i++) {
		args_add(a, "--env");
		args_add(a, arena_printf(ar, "%s=%.*s", cfg->envs[i]->key,
					 (int)cfg->envs[i]->value.len,
					 (const char *)cfg->envs[i]->value.data));
	}
	if (resolv) {
		args_add(a, "--mount");
		args_add(a, arena_printf(ar, "type=bind,src=%s,dst=/etc/resolv.conf,ro", resolv));
	}
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		args_add(a, "--mount");
		args_add(a, arena_printf(ar, "type=bind,src=%s,dst=%s%s", cfg->mounts[i]->host_path,
					 cfg->mounts[i]->container_path,
					 cfg->mounts[i]->readonly ? ",ro" : ""));
	}
	for (; *linux_opts; linux_opts++)
		args_add(a, *linux_opts);
	args_add(a, image);
	/* ctr-run's rule is Docker's: what follows -- replaces Cmd and keeps the Entrypoint */
	if (cfg->n_command || cfg->n_args)
		args_add(a, "--");
	for (size_t i = 0; i < cfg->n_command; i++)
		args_add(a, cfg->command[i]);
	for (size_t i = 0; i < cfg->n_args; i++)
		args_add(a, cfg->args[i]);
}

static json_t *
new_record(const char *id, const json_t *pod, const Runtime__V1__ContainerConfig *cfg,
	   const char *image_id)
{
	const char *logdir = jsonio_str(pod, "log_directory");
	bool logs = cfg->log_path && cfg->log_path[0] && logdir && logdir[0];
	_cleanup_free_ char *log = logs ? xasprintf("%s/%s", logdir, cfg->log_path) : xstrdup("");
	json_t *labels = pbmap_to_json((void **)cfg->labels, cfg->n_labels);
	json_t *annotations = pbmap_to_json((void **)cfg->annotations, cfg->n_annotations);
	json_t *mounts = json_array();

	for (size_t i = 0; i < cfg->n_mounts; i++)
		json_array_append_new(mounts, json_pack("{s:s, s:s, s:b}", "container_path",
							cfg->mounts[i]->container_path, "host_path",
							cfg->mounts[i]->host_path, "readonly",
							cfg->mounts[i]->readonly));
	/* stdin_once: Attach closes its stdin when the first session with stdin ends */
	return json_pack("{s:s, s:s, s:{s:s, s:I}, s:s, s:s, s:o, s:o, s:o, s:s, s:I, s:I, s:b}",
			 "id", id, "pod_sandbox_id", jsonio_str(pod, "id"), "metadata", "name",
			 cfg->metadata->name, "attempt", (json_int_t)cfg->metadata->attempt,
			 "image", cfg->image->image, "image_ref", image_id, "labels", labels,
			 "annotations", annotations, "mounts", mounts, "log_path", log,
			 "created_at", now_ns(), "started_at", (json_int_t)0, "stdin_once",
			 cfg->stdin && cfg->stdin_once);
}

/*
 * The folder of the log file (the kubelet's "NAME/ATTEMPT.log" in the pod's
 * log directory), made as containerd makes it, and opened (the caller
 * closes it); the shim creates the file. The log directory is the
 * kubelet's, links and all; below it nothing may be a link: a container
 * that can write there (a log collector's mount) would have the shim, as
 * root, create a log of its output in any folder of the node.
 */
static int
log_folder(const char *logdir, const char *rel, struct cri_status *s)
{
	_cleanup_free_ char *dir = xstrdup(rel);
	char *slash = strrchr(dir, '/'), *save = NULL;
	struct err e;
	int fd, next, err;

	if (path_mkdir_p(AT_FDCWD, logdir, 0755, &e) < 0)
		return cri_fail_err(s, &e);
	if ((fd = open(logdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return cri_fail(s, GRPC_STATUS_INTERNAL, "log directory '%.200s': %s", logdir,
				strerror(errno));
	if (slash)
		*slash = '\0';
	for (char *c = slash ? strtok_r(dir, "/", &save) : NULL; c;
	     c = strtok_r(NULL, "/", &save)) {
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST)
			next = -1;
		else
			next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = errno;
		close(fd);
		if (next < 0)
			return cri_fail(s,
					err == ELOOP || err == ENOTDIR
					    ? GRPC_STATUS_INVALID_ARGUMENT
					    : GRPC_STATUS_INTERNAL,
					"log_path '%.200s': '%.200s' in the pod's log directory is "
					"not a folder (%s)",
					rel, c, strerror(err));
		fd = next;
	}
	return fd;
}

/*
 * The log as ctr-run gets it: through our descriptor of its folder, so that
 * the shim creates the file in the folder checked above, even if the
 * container put a link in its place meanwhile. The shim opens it before
 * ctr-run create returns (ctr-shim(8)); our record keeps the real path.
 */
static const char *
log_through(struct arena *ar, int folder, const char *log)
{
	return arena_printf(ar, "/proc/%d/fd/%d/%s", (int)getpid(), folder, strrchr(log, '/') + 1);
}

static bool
same_name(const json_t *rec, const char *pod, const Runtime__V1__ContainerMetadata *md)
{
	const json_t *m = json_object_get(rec, "metadata");

	return !strcmp(jsonio_str(rec, "pod_sandbox_id") ?: "", pod) &&
	       !strcmp(jsonio_str(m, "name") ?: "", md->name) &&
	       json_integer_value(json_object_get(m, "attempt")) == md->attempt;
}

/*
 * The pod's resolv.conf (new string) when its DNSConfig made one and the
 * config mounts none of its own at /etc/resolv.conf; else NULL, and the
 * image's stays. A path the mount option cannot carry (',' or '=') is left out.
 */
static char *
pod_resolv(struct cri *c, const json_t *pod, const Runtime__V1__ContainerConfig *cfg)
{
	_cleanup_free_ char *dir = record_path(c->st, RECORD_SANDBOXES, jsonio_str(pod, "id"));
	char *path = xasprintf("%s/resolv.conf", dir);
	struct stat st;

	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (!strcmp(cfg->mounts[i]->container_path, "/etc/resolv.conf"))
			goto none;
	if (stat(path, &st) == 0 && st.st_size > 0 && !strpbrk(path, ",="))
		return path;
none:
	free(path);
	return NULL;
}

/* The checks that need the stores: the pod ready, the image there, the name free. */
static json_t *
create_prepare(struct cri *c, int dirfd, const Runtime__V1__CreateContainerRequest *q, char **image,
	       char **image_id, struct cri_status *s)
{
	json_auto_t *pod = ready_pod(c, q->pod_sandbox_id, s), *all = NULL;
	bool entrypoint = false;
	struct err e;
	json_t *x;
	size_t i;

	if (!pod || find_image(c, q->config->image->image, image, image_id, &entrypoint, s) < 0)
		return NULL;
	if (entrypoint && q->config->n_command) {
		cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
			 "image '%.200s' has an Entrypoint: ctr-cri cannot replace it yet (give "
			 "args only)",
			 q->config->image->image);
		return NULL;
	}
	if (!(all = record_list(dirfd, &e))) {
		cri_fail_err(s, &e);
		return NULL;
	}
	json_array_foreach(all, i, x) {
		if (same_name(x, jsonio_str(pod, "id"), q->config->metadata)) {
			cri_fail(s, GRPC_STATUS_ALREADY_EXISTS,
				 "container %s (attempt %u) of pod %s is there already: %s",
				 q->config->metadata->name, q->config->metadata->attempt,
				 jsonio_str(pod, "id"), jsonio_str(x, "id"));
			return NULL;
		}
	}
	return json_incref(pod);
}

int
containers_create(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		  struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__CreateContainerRequest *q =
	    (const Runtime__V1__CreateContainerRequest *)req;
	Runtime__V1__CreateContainerResponse *r = (Runtime__V1__CreateContainerResponse *)resp;
	_cleanup_free_ char *image = NULL, *image_id = NULL, *nspath = NULL, *resolv = NULL;
	_cleanup_close_ int sbdir = -1, sblk = -1, dirfd = -1, lk = -1, logfd = -1;
	json_auto_t *pod = NULL, *rec = NULL;
	struct args a = {0};
	const char **linux_opts, *log;
	char id[RECORD_ID_LEN + 1];
	struct err e;
	int rc;

	if (check_config(q->config, s) < 0)
		return -1;
	/*
	 * The pods' lock shared, then ours (the order of a pod's stop and
	 * removal): the pod stays ready until its container is made, and the
	 * removal that waited finds it.
	 */
	if ((sbdir = record_dir(c->st, RECORD_SANDBOXES, &e)) < 0 ||
	    (sblk = lock_at(sbdir, ".lock", LOCK_SHARED, &e)) < 0 ||
	    (dirfd = record_dir(c->st, RECORD_CONTAINERS, &e)) < 0 ||
	    (lk = lock_at(dirfd, ".lock", 0, &e)) < 0)
		return cri_fail_err(s, &e);
	if (!(pod = create_prepare(c, dirfd, q, &image, &image_id, s)))
		return -1;
	if (jsonio_str(pod, "netns") && !(nspath = netns_dir_path(jsonio_str(pod, "netns"), &e)))
		return cri_fail_err(s, &e);
	if (!(linux_opts = linuxcfg_args(c, arena, q->config, !nspath, s)))
		return -1;
	record_new_id(id);
	/* jansson takes UTF-8 only, as proto3 strings are */
	if (!(rec = new_record(id, pod, q->config, image_id)))
		return cri_fail(s, GRPC_STATUS_INVALID_ARGUMENT,
				"ContainerConfig: a string that is not UTF-8");
	/* the record first: a failed create is undone by its id, as a removal would */
	if (record_store(dirfd, rec, &e) < 0)
		return cri_fail_err(s, &e);
	resolv = pod_resolv(c, pod, q->config);
	log = jsonio_str(rec, "log_path");
	if (log[0])
		logfd = log_folder(jsonio_str(pod, "log_directory"), q->config->log_path, s);
	rc = log[0] && logfd < 0 ? -1 : 0;
	if (rc == 0) {
		create_args(&a, arena, id, pod, q->config, image, nspath, resolv,
			    log[0] ? log_through(arena, logfd, log) : NULL, linux_opts);
		rc = ctr_run(c, a.v, NULL, s);
	}
	free(a.v);
	if (rc < 0) {
		const char *del[] = {"delete", "-f", id, NULL};
		struct cri_status ignored;

		ctr_run(c, del, NULL, &ignored);
		record_remove(dirfd, id, &e);
		return -1;
	}
	r->container_id = arena_strdup(arena, id);
	return 0;
}

int
containers_start(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		 struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__StartContainerRequest *q =
	    (const Runtime__V1__StartContainerRequest *)req;
	_cleanup_close_ int dirfd = -1, lk = -1;
	json_auto_t *rec = NULL;
	json_int_t started;
	struct err e;

	(void)resp, (void)arena;
	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", q->container_id, &dirfd, &lk,
				&e)))
		return cri_fail_err(s, &e);
	/* taken before: the process may have ended by the time ctr-run returns */
	started = now_ns();
	if (ctr_run(c, (const char *[]){"start", jsonio_str(rec, "id"), NULL}, NULL, s) < 0)
		return -1;
	json_object_set_new(rec, "started_at", json_integer(started));
	return record_store(dirfd, rec, &e) < 0 ? cri_fail_err(s, &e) : 0;
}

/*
 * ctr-run with --json in args: 0, or -1 with s filled from its error
 * document, NOT_FOUND when and only when it has no such container (code
 * no-container, ctr-json(7)).
 */
static int
ctr_run_json(struct cri *c, const char *const *args, char **out, struct cri_status *s)
{
	struct err e;
	grpc_status_code code;

	if (tool_call(c, "ctr-run", "CTR_RUN", args, NULL, out, &e) == 0)
		return 0;
	code = cri_code_status(e.code);
	if (!strcmp(e.code ?: "", "no-container"))
		code = GRPC_STATUS_NOT_FOUND;
	else if (code == GRPC_STATUS_NOT_FOUND)
		code = GRPC_STATUS_INTERNAL;
	return cri_fail(s, code, "ctr-run: %s", e.msg);
}

/* ctr-run's state of id (a new reference), or NULL with s filled (NOT_FOUND: it has none). */
static json_t *
run_state(struct cri *c, const char *id, struct cri_status *s)
{
	_cleanup_free_ char *out = NULL;
	struct err e;
	json_t *doc;

	if (ctr_run_json(c, (const char *[]){"state", "--json", id, NULL}, &out, s) < 0)
		return NULL;
	if (!(doc = jsonio_parse(out, strlen(out), "ctr-run state", &e)))
		cri_fail_err(s, &e);
	return doc;
}

/* Stop id: TERM (the image's signal), then KILL after timeout seconds; done when it is not running. */
static int
stop_one(struct cri *c, const char *id, long long timeout, struct cri_status *s)
{
	json_auto_t *st = run_state(c, id, s);
	const char *status = jsonio_str(st, "status");
	char t[24];

	if (!st && s->code == GRPC_STATUS_NOT_FOUND) {
		/* none of ctr-run's (a creation cut short): nothing runs */
		*s = (struct cri_status){GRPC_STATUS_OK, ""};
		return 0;
	}
	if (!st)
		return -1;
	if (strcmp(status ?: "", "running") != 0 && strcmp(status ?: "", "paused") != 0)
		return 0;
	snprintf(t, sizeof(t), "%lld", timeout < 0 ? 0 : timeout);
	return ctr_run(c, (const char *[]){"stop", "-t", t, id, NULL}, NULL, s);
}

int
containers_stop(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__StopContainerRequest *q = (const Runtime__V1__StopContainerRequest *)req;
	_cleanup_close_ int dirfd = -1;
	json_auto_t *rec = NULL;
	struct err e;

	(void)resp, (void)arena;
	/*
	 * Without the records' lock: a stop waits out its timeout, and changes
	 * no record of ours (ctr-run locks its container).
	 */
	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", q->container_id, &dirfd,
				NULL, &e)))
		return cri_fail_err(s, &e);
	return stop_one(c, jsonio_str(rec, "id"), (long long)q->timeout, s);
}

/* ctr-run delete -f, then our record; one ctr-run no longer knows is deleted already. */
static int
remove_one(struct cri *c, int dirfd, const char *id, struct cri_status *s)
{
	struct cri_status ds;
	struct err e;

	if (ctr_run_json(c, (const char *[]){"delete", "-f", "--json", id, NULL}, NULL, &ds) < 0 &&
	    ds.code != GRPC_STATUS_NOT_FOUND) {
		*s = ds;
		return -1;
	}
	return record_remove(dirfd, id, &e) < 0 ? cri_fail_err(s, &e) : 0;
}

int
containers_remove(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		  struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__RemoveContainerRequest *q =
	    (const Runtime__V1__RemoveContainerRequest *)req;
	_cleanup_close_ int dirfd = -1, lk = -1;
	json_auto_t *rec = NULL;
	struct err e;

	(void)resp, (void)arena;
	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", q->container_id, &dirfd, &lk,
				&e)))
		return strcmp(e.code ? e.code : "", "not-found") ? cri_fail_err(s, &e) : 0;
	return remove_one(c, dirfd, jsonio_str(rec, "id"), s);
}

int
containers_of_pod(struct cri *c, const char *sb, bool remove, struct cri_status *s)
{
	_cleanup_close_ int dirfd = -1, lk = -1;
	json_auto_t *all = NULL;
	struct err e;
	json_t *rec;
	size_t i;

	if ((dirfd = record_dir(c->st, RECORD_CONTAINERS, &e)) < 0 ||
	    (lk = lock_at(dirfd, ".lock", 0, &e)) < 0 || !(all = record_list(dirfd, &e)))
		return cri_fail_err(s, &e);
	json_array_foreach(all, i, rec) {
		const char *id = jsonio_str(rec, "id");

		if (strcmp(jsonio_str(rec, "pod_sandbox_id") ?: "", sb) != 0)
			continue;
		if (remove ? remove_one(c, dirfd, id, s) < 0 : stop_one(c, id, 0, s) < 0)
			return -1;
	}
	return 0;
}

static Runtime__V1__ContainerState
state_of(const char *status)
{
	if (!strcmp(status, "created"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
	if (!strcmp(status, "running") || !strcmp(status, "paused"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
	if (!strcmp(status, "stopped"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
	return RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN;
}

static Runtime__V1__ContainerMetadata *
metadata_msg(struct arena *a, const json_t *rec)
{
	Runtime__V1__ContainerMetadata *m = arena_alloc(a, sizeof(*m));
	const json_t *md = json_object_get(rec, "metadata");

	runtime__v1__container_metadata__init(m);
	m->name = arena_strdup(a, jsonio_str(md, "name") ?: "");
	m->attempt = (uint32_t)json_integer_value(json_object_get(md, "attempt"));
	return m;
}

static Runtime__V1__ImageSpec *
image_msg(struct arena *a, const json_t *rec)
{
	Runtime__V1__ImageSpec *i = arena_alloc(a, sizeof(*i));

	runtime__v1__image_spec__init(i);
	i->image = arena_strdup(a, jsonio_str(rec, "image") ?: "");
	return i;
}

/*
 * Whether a create, start or removal holds the records' lock: a record whose
 * container ctr-run does not have is then one on its way in or out, not
 * one whose creation or removal was cut short.
 */
static bool
records_busy(int dirfd)
{
	struct err e;
	int fd = lock_at(dirfd, ".lock", LOCK_SHARED | LOCK_TRY, &e);

	if (fd >= 0)
		close(fd);
	return fd < 0;
}

/*
 * What ctr-run state would say of a container that has our record and
 * none of its own (ctr-cri killed between the two in a create or a
 * removal): exited with containerd's answer for a task lost across its
 * restart, 255 and "Unknown", at a time that stays the same.
 */
static json_t *
gone_state(const json_t *rec)
{
	json_int_t t = json_integer_value(json_object_get(rec, "started_at"));
	char when[TIMESTAMP_LEN];

	if (!t)
		t = json_integer_value(json_object_get(rec, "created_at"));
	timestamp_format(&(struct timespec){t / 1000000000, t % 1000000000}, when);
	return json_pack("{s:s, s:{s:i, s:s, s:b}, s:s}", "status", "stopped", "exit", "status",
			 UNKNOWN_EXIT_CODE, "exited_at", when, "unknown", true, "reason",
			 "ctr-run has no such container: its creation or removal was cut short");
}

/* The exit: code, end time, and the reason containerd gives (OOMKilled, Completed, Error, Unknown). */
static void
exit_fields(struct arena *a, Runtime__V1__ContainerStatus *st, const json_t *x)
{
	struct timespec ts;

	if (!x)
		return;
	st->exit_code = (int32_t)json_integer_value(json_object_get(x, "status"));
	if (timestamp_parse(jsonio_str(x, "exited_at") ?: "", &ts) == 0)
		st->finished_at = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (json_is_true(json_object_get(x, "unknown")))
		st->reason = "Unknown";
	else if (json_is_true(json_object_get(x, "oom")))
		st->reason = "OOMKilled";
	else
		st->reason = st->exit_code ? "Error" : "Completed";
	(void)a;
}

int
containers_status(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		  struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__ContainerStatusRequest *q =
	    (const Runtime__V1__ContainerStatusRequest *)req;
	Runtime__V1__ContainerStatusResponse *r = (Runtime__V1__ContainerStatusResponse *)resp;
	Runtime__V1__ContainerStatus *st = arena_alloc(arena, sizeof(*st));
	_cleanup_close_ int dirfd = -1;
	json_auto_t *rec = NULL, *rs = NULL;
	json_t *m;
	struct err e;
	size_t i;

	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", q->container_id, &dirfd,
				NULL, &e)))
		return cri_fail_err(s, &e);
	if (!(rs = run_state(c, jsonio_str(rec, "id"), s)) &&
	    (s->code != GRPC_STATUS_NOT_FOUND || records_busy(dirfd)))
		return -1;
	if (!rs) { /* a creation or removal cut short: ctr-run made none, or deleted it */
		*s = (struct cri_status){GRPC_STATUS_OK, ""};
		rs = gone_state(rec);
	}
	runtime__v1__container_status__init(st);
	st->id = arena_strdup(arena, jsonio_str(rec, "id"));
	st->metadata = metadata_msg(arena, rec);
	st->state = state_of(jsonio_str(rs, "status") ?: "");
	st->created_at = json_integer_value(json_object_get(rec, "created_at"));
	st->started_at = json_integer_value(json_object_get(rec, "started_at"));
	if (st->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED)
		exit_fields(arena, st, json_object_get(rs, "exit"));
	if (jsonio_str(rs, "reason"))
		st->message = arena_strdup(arena, jsonio_str(rs, "reason"));
	st->image = image_msg(arena, rec);
	st->image_ref = arena_strdup(arena, jsonio_str(rec, "image_ref") ?: "");
	st->image_id = st->image_ref;
	st->labels =
	    pbmap_from_json(arena, &runtime__v1__container_status__labels_entry__descriptor,
			    json_object_get(rec, "labels"), &st->n_labels);
	st->annotations =
	    pbmap_from_json(arena, &runtime__v1__container_status__annotations_entry__descriptor,
			    json_object_get(rec, "annotations"), &st->n_annotations);
	st->log_path = arena_strdup(arena, jsonio_str(rec, "log_path") ?: "");
	st->mounts = arena_array(arena, json_array_size(json_object_get(rec, "mounts")) + 1,
				 sizeof(*st->mounts));
	json_array_foreach(json_object_get(rec, "mounts"), i, m) {
		Runtime__V1__Mount *mm = arena_alloc(arena, sizeof(*mm));

		runtime__v1__mount__init(mm);
		mm->container_path = arena_strdup(arena, jsonio_str(m, "container_path") ?: "");
		mm->host_path = arena_strdup(arena, jsonio_str(m, "host_path") ?: "");
		mm->readonly = json_is_true(json_object_get(m, "readonly"));
		st->mounts[st->n_mounts++] = mm;
	}
	r->status = st;
	return 0;
}

static bool
matches(const json_t *rec, Runtime__V1__ContainerState state, const Runtime__V1__ContainerFilter *f)
{
	if (!f)
		return true;
	if (f->state && state != f->state->state)
		return false;
	return record_match(rec, f->id, f->pod_sandbox_id, (void **)f->label_selector,
			    f->n_label_selector);
}

static Runtime__V1__Container *
item_msg(struct arena *a, const json_t *rec, Runtime__V1__ContainerState state)
{
	Runtime__V1__Container *k = arena_alloc(a, sizeof(*k));

	runtime__v1__container__init(k);
	k->id = arena_strdup(a, jsonio_str(rec, "id"));
	k->pod_sandbox_id = arena_strdup(a, jsonio_str(rec, "pod_sandbox_id") ?: "");
	k->metadata = metadata_msg(a, rec);
	k->image = image_msg(a, rec);
	k->image_ref = arena_strdup(a, jsonio_str(rec, "image_ref") ?: "");
	k->image_id = k->image_ref;
	k->state = state;
	k->created_at = json_integer_value(json_object_get(rec, "created_at"));
	k->labels = pbmap_from_json(a, &runtime__v1__container__labels_entry__descriptor,
				    json_object_get(rec, "labels"), &k->n_labels);
	k->annotations = pbmap_from_json(a, &runtime__v1__container__annotations_entry__descriptor,
					 json_object_get(rec, "annotations"), &k->n_annotations);
	return k;
}

/* The names containerd 1.6 gives the states in its answers (criContainerStateToString). */
static const char *
state_name(Runtime__V1__ContainerState st)
{
	switch (st) {
	case RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED:
		return "CONTAINER_CREATED";
	case RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING:
		return "CONTAINER_RUNNING";
	case RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED:
		return "CONTAINER_EXITED";
	default:
		return "CONTAINER_UNKNOWN";
	}
}

int
containers_running(struct cri *c, const char *id, struct cri_status *s)
{
	json_auto_t *rs = run_state(c, id, s);
	Runtime__V1__ContainerState st;

	if (!rs && s->code != GRPC_STATUS_NOT_FOUND)
		return -1;
	/* none of ctr-run's: a creation or removal cut short, exited as ContainerStatus says */
	st = rs ? state_of(jsonio_str(rs, "status") ?: "")
		: RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
	if (st != RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING)
		return cri_fail(s, GRPC_STATUS_UNKNOWN, "container is in %s state", state_name(st));
	return 0;
}

/* One ctr-run ls for the states of all: {id: status}. */
static json_t *
run_states(struct cri *c, struct cri_status *s)
{
	_cleanup_free_ char *out = NULL;
	json_auto_t *ls = NULL;
	json_t *by_id, *x;
	struct err e;
	size_t i;

	if (ctr_run(c, (const char *[]){"ls", "--json", NULL}, &out, s) < 0)
		return NULL;
	if (!(ls = jsonio_parse(out, strlen(out), "ctr-run ls", &e))) {
		cri_fail_err(s, &e);
		return NULL;
	}
	by_id = json_object();
	json_array_foreach(ls, i, x) {
		if (jsonio_str(x, "id") && jsonio_str(x, "status"))
			json_object_set_new(by_id, jsonio_str(x, "id"),
					    json_string(jsonio_str(x, "status")));
	}
	return by_id;
}

int
containers_list(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__ListContainersRequest *q =
	    (const Runtime__V1__ListContainersRequest *)req;
	Runtime__V1__ListContainersResponse *r = (Runtime__V1__ListContainersResponse *)resp;
	_cleanup_close_ int dirfd = -1;
	json_auto_t *all = NULL, *states = NULL;
	struct err e;
	json_t *rec;
	size_t i;

	if ((dirfd = record_dir(c->st, RECORD_CONTAINERS, &e)) < 0 ||
	    !(all = record_list(dirfd, &e)))
		return cri_fail_err(s, &e);
	if (!(states = run_states(c, s)))
		return -1;
	r->containers = arena_array(arena, json_array_size(all) + 1, sizeof(*r->containers));
	json_array_foreach(all, i, rec) {
		const char *status = jsonio_str(states, jsonio_str(rec, "id"));
		Runtime__V1__ContainerState cs = state_of(status ?: "stopped");

		if (!status && records_busy(dirfd))
			continue; /* being made or removed: there once it is made */
		if (matches(rec, cs, q->filter))
			r->containers[r->n_containers++] = item_msg(arena, rec, cs);
	}
	return 0;
}

/*
 * ReopenContainerLog: after the kubelet renamed the log away, the shim opens
 * the path again. Only while it runs, with containerd 1.6's answer otherwise.
 */
int
containers_reopen_log(struct cri *c, const ProtobufCMessage *req, ProtobufCMessage *resp,
		      struct arena *arena, struct cri_status *s)
{
	const Runtime__V1__ReopenContainerLogRequest *q =
	    (const Runtime__V1__ReopenContainerLogRequest *)req;
	_cleanup_close_ int dirfd = -1, lk = -1;
	json_auto_t *rec = NULL, *rs = NULL;
	struct err e;

	(void)resp, (void)arena;
	if (!(rec = record_find(c->st, RECORD_CONTAINERS, "container", q->container_id, &dirfd, &lk,
				&e)))
		return cri_fail_err(s, &e);
	if (!(rs = run_state(c, jsonio_str(rec, "id"), s)))
		return -1;
	if (state_of(jsonio_str(rs, "status") ?: "") !=
	    RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING)
		return cri_fail(s, GRPC_STATUS_UNKNOWN, "container is not running");
	/* no log_path: its output goes nowhere, and there is nothing to reopen */
	if (!(jsonio_str(rec, "log_path") ?: "")[0])
		return 0;
	return ctr_run(c, (const char *[]){"reopen-log", jsonio_str(rec, "id"), NULL}, NULL, s);
}
