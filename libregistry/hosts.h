/* SPDX-License-Identifier: Apache-2.0 */
/* A hosts directory in the style of containerd's certs.d: per-host CA, client certs, mirrors. */
#ifndef CTR_HOSTS_H
#define CTR_HOSTS_H

#include "registry.h"

/*
 * Endpoints for domain from dir/<domain>/ (":" may also be spelt "_"):
 * ca.crt, client.cert + client.key, and a hosts.toml subset:
 *   server = "https://registry.example"
 *   skip_verify = true
 *   [host."https://mirror.example:5000"]
 *     capabilities = ["pull", "resolve"]
 *     ca = "/path/ca.crt"
 *     skip_verify = false
 * Mirrors come first, in file order, then the server (or the default
 * endpoint). Appends to r->eps; a missing directory is not an error.
 */
int hosts_load(struct registry *r, const char *dir, const char *domain, const char *deflt,
	       bool try_plain, struct err *e);
/* What hosts.toml says of the registry itself, at its top level. */
struct hosts_server {
	char *url;	  /* server = "...": new string, or NULL */
	bool skip_verify; /* skip_verify = true (a warning is logged) */
};
/*
 * The hosts.toml text buf (changed in place; file names it in errors): its
 * mirrors are appended to r->eps, and server (its url freed first) gets the
 * top level's settings. hosts_load's parser, apart for tests.
 */
int hosts_parse_toml(struct registry *r, char *buf, const char *file, struct hosts_server *server,
		     struct err *e);

#endif
