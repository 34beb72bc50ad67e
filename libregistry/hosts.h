/* SPDX-License-Identifier: Apache-2.0 */
/* A hosts directory in the style of containerd's certs.d: per-host CA, client certs, mirrors. */
#ifndef CTR_HOSTS_H
#define CTR_HOSTS_H

#include "registry.h"

/*
 * Endpoints for domain from dir/<domain>/ (":" may also be spelt "_"):
 * ca.crt, client.cert + client.key, and a hosts.toml subset:
 *   server = "https://registry.example"
 *   [host."https://mirror.example:5000"]
 *     capabilities = ["pull", "resolve"]
 *     ca = "/path/ca.crt"
 * Mirrors come first, in file order, then the server (or the default
 * endpoint). Appends to r->eps; a missing directory is not an error.
 */
int hosts_load(struct registry *r, const char *dir, const char *domain, const char *deflt,
	       bool try_plain, struct err *e);
/*
 * The hosts.toml text buf (changed in place; file names it in errors): its
 * mirrors are appended to r->eps, and *server (freed first) gets the server
 * URL when the file sets one. hosts_load's parser, apart for tests.
 */
int hosts_parse_toml(struct registry *r, char *buf, const char *file, char **server, struct err *e);

#endif
