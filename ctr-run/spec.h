/* SPDX-License-Identifier: Apache-2.0 */
/* Building the OCI runtime spec (config.json) from an image config and run options. */
#ifndef CTR_RUN_SPEC_H
#define CTR_RUN_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup-path.h"
#include "err.h"

/* A --mount type=bind,src=...,dst=...,options=ro:rbind */
struct spec_mount {
	char *src; /* NULL for a tmpfs */
	char *dst;
	char *options; /* ':'-separated, as given; NULL for none */
	bool tmpfs;    /* else a bind mount */
};

/* A --device: a host device node made at path in the container, and its cgroup rule. */
struct spec_device {
	char *path; /* in the container; owned */
	char type;  /* 'c' or 'b' */
	int64_t major, minor;
	uint32_t mode;	/* the host node's permission bits */
	char access[4]; /* of "rwm" */
};

/* The user a process runs as, resolved against the image's /etc/passwd and /etc/group. */
struct spec_user {
	uint32_t uid;
	uint32_t gid;
	uint32_t *groups; /* supplementary groups; owned */
	size_t ngroups;
};

/*
 * Everything the command line can change. Strings and arrays are borrowed
 * from argv; the struct owns only the arrays (spec_opts_release).
 */
struct spec_opts {
	const char *id;
	const char *ns;
	char **args; /* command override (replaces the image's Cmd), NULL-terminated, or NULL */
	char **env;  /* -e K=V, in order */
	size_t nenv;
	const char *cwd;
	const char *hostname;
	struct spec_mount *mounts;
	size_t nmounts;
	struct spec_device *devices; /* --device; owned */
	size_t ndevices;
	char **cap_add;
	size_t ncap_add;
	char **cap_drop;
	size_t ncap_drop;
	bool read_only;
	bool tty;
	bool privileged;
	const char *seccomp;  /* NULL: the default profile; "unconfined"; else a file */
	json_t *seccomp_json; /* the loaded file (owned) when seccomp names one */
	char **seccomp_arch;  /* --security-opt seccomp-arch= values, for the default profile */
	size_t nseccomp_arch;
	const char *arch;   /* the image config's "architecture"; NULL: the host's */
	int64_t memory;	    /* bytes, 0 for no limit */
	int64_t cpu_quota;  /* microseconds per 100 ms period, 0 for no limit */
	int64_t pids_limit; /* 0 for no limit */
	int64_t cpu_shares; /* cgroup v1 cpu.shares (2 to 262144), 0 for the kernel's default */
	bool oom_adj_set;   /* oom_score_adj below is given */
	int oom_score_adj;  /* -1000 to 1000: the container's init's */
	const char *net;    /* NULL or "none": a new empty netns; "host"; an absolute path */
	const char *cni;    /* --net cni:LIST: create makes the netns and sets net (cni.c) */
	bool slirp;	    /* --net slirp4netns: a new netns the shim attaches slirp4netns to */
	bool
	    slirp_host_loopback; /* ...:allow_host_loopback=true: 10.0.2.2 is the host's 127.0.0.1 */
	json_t *labels;		 /* --label K=V as an object (owned), may be NULL */
	struct cgroup_parent cgroup_parent; /* --cgroup-parent (owned); path NULL: "/ctr" */
};

void spec_opts_init(struct spec_opts *o);
void spec_opts_release(struct spec_opts *o);
void spec_user_release(struct spec_user *u);

/* Parse --mount's value into m (new strings). */
int spec_parse_mount(const char *s, struct spec_mount *m, struct err *e);
/* Free m's strings; m is then empty. */
void spec_mount_release(struct spec_mount *m);
/* Parse "512m", "1g", "1048576" into bytes. */
int spec_parse_bytes(const char *s, int64_t *out, struct err *e);
/* Parse --cpus "1.5" into a CFS quota for a 100000 us period. */
int spec_parse_cpus(const char *s, int64_t *quota, struct err *e);
/* Parse --cpu-shares: 2 to 262144, the kernel's range. */
int spec_parse_shares(const char *s, int64_t *shares, struct err *e);
/* Parse --oom-score-adj: -1000 to 1000. */
int spec_parse_oom_adj(const char *s, int *adj, struct err *e);
/* Check a K=V environment entry. */
int spec_check_env(const char *kv, struct err *e);
/* Check a working directory: absolute, no "..", no empty or control bytes. */
int spec_check_cwd(const char *cwd, struct err *e);

/*
 * The argv and cwd the container will run, from the image config's "config"
 * object (may be NULL) and o. *args gets a new JSON array of strings.
 */
int spec_process_args(const json_t *imgcfg, const struct spec_opts *o, json_t **args,
		      struct err *e);
/* The merged environment (image Env, then -e, PATH defaulted): new array. */
json_t *spec_process_env(const json_t *imgcfg, const struct spec_opts *o, struct err *e);

/*
 * The whole OCI runtime spec for one container: new reference, or NULL with
 * e filled. imgcfg is the image config's "config" object (may be NULL),
 * user the resolved user, rootfs the bundle-relative root path.
 */
json_t *spec_build(const json_t *imgcfg, const struct spec_opts *o, const struct spec_user *user,
		   struct err *e);

/* Capabilities (spec-linux.c). The default set as a new array of "CAP_*" strings. */
json_t *spec_caps(const struct spec_opts *o, struct err *e);
/* The namespaces, resources, masked paths and the rest of "linux". New reference. */
json_t *spec_linux(const struct spec_opts *o, json_t *caps, struct err *e);
/* Is name ("NET_ADMIN" or "CAP_NET_ADMIN", any case) a capability this kernel header knows? */
const char *spec_cap_canon(const char *name);

#endif
