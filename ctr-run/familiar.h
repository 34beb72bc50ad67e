/* SPDX-License-Identifier: Apache-2.0 */
/* create's and run's flags with their docker/podman meaning: -e VAR, --env-file, -v, --tmpfs, --device, -p. */
#ifndef CTR_RUN_FAMILIAR_H
#define CTR_RUN_FAMILIAR_H

#include "create.h"

/*
 * -e K=V as it is; -e VAR alone takes VAR's value from our environment and
 * sets nothing when we have no VAR.
 */
int familiar_env(struct create_args *a, const char *arg, struct err *e);
/* --env-file FILE: a -e per line; blank lines and lines starting with '#' are skipped. */
int familiar_env_file(struct create_args *a, const char *path, struct err *e);
/* A parsed mount (taken: its strings move into so); a bind's source must exist. */
int familiar_mount_add(struct spec_opts *so, struct spec_mount *m, struct err *e);
/* -v SRC:DST[:OPT[,OPT]...]: a bind mount of the absolute host path SRC. */
int familiar_volume(struct spec_opts *so, const char *arg, struct err *e);
/* --tmpfs DST[:OPT[,OPT]...]: a tmpfs at DST (size=, mode=, ro, noexec, ...). */
int familiar_tmpfs(struct spec_opts *so, const char *arg, struct err *e);
/*
 * --device /dev/X[:/PATH][:rwm]: the host's device node X made at PATH
 * (default: the same path) in the container, allowed by the cgroup with
 * the access given (default rwm).
 */
int familiar_device(struct spec_opts *so, const char *arg, struct err *e);
/* -p/--publish: refused, with where port publishing belongs. */
int familiar_publish(const char *arg, struct err *e);

#endif
