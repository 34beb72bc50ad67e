/* SPDX-License-Identifier: Apache-2.0 */
/* Building a registry session: its options, endpoints from the hosts directory, credentials. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cleanup.h"
#include "cli.h"
#include "hosts.h"
#include "log.h"
#include "registry.h"
#include "xmem.h"

#define DEFAULT_HOSTS_DIR "/etc/ctr/certs.d"

const struct opt registry_opt_table[] = {
    {"plain-http", REGISTRY_OPT_PLAIN, NULL,
     "plain http to any registry (a loopback one may fall back by itself)", NULL},
    {"hosts-dir", REGISTRY_OPT_HOSTS, "DIR",
     "per-registry TLS and mirrors (default /etc/ctr/certs.d)", NULL},
    {"creds", REGISTRY_OPT_CREDS, "USER[:PASS]", "credentials (no PASS: read from stdin)", NULL},
    {"authfile", REGISTRY_OPT_AUTHFILE, "FILE", "an auth.json as podman and docker write", NULL},
    {"helper-timeout", REGISTRY_OPT_HELPER, "SECS",
     "kill a credential helper that has not answered so long (default 30)", NULL},
    {"retries", REGISTRY_OPT_RETRIES, "N", "tries after a failure that may pass (default 3)", NULL},
    {"stall-timeout", REGISTRY_OPT_STALL, "SECS",
     "give up on a transfer stalled so long (default 30)", NULL},
    OPT_END,
};
const struct opt registry_opt_limit[] = {
    {"limit-rate", REGISTRY_OPT_LIMIT, "BYTES", "cap each transfer at BYTES per second (0: no cap)",
     NULL},
    OPT_END,
};

bool
registry_opt(int c, const char *arg, struct registry_opts *o)
{
	switch (c) {
	case REGISTRY_OPT_PLAIN:
		o->plain_http = true;
		break;
	case REGISTRY_OPT_HOSTS:
		o->hosts_dir = arg;
		break;
	case REGISTRY_OPT_CREDS:
		o->creds = cli_creds(arg);
		break;
	case REGISTRY_OPT_AUTHFILE:
		o->authfile = arg;
		break;
	case REGISTRY_OPT_HELPER:
		o->helper_secs = cli_number(arg, 1, 3600, "--helper-timeout");
		break;
	case REGISTRY_OPT_RETRIES:
		o->retries = (int)cli_number(arg, 0, 20, "--retries");
		break;
	case REGISTRY_OPT_STALL:
		o->stall_secs = cli_number(arg, 1, 86400, "--stall-timeout");
		break;
	case REGISTRY_OPT_LIMIT:
		o->limit_rate = cli_size(arg, 0, 1LL << 40, "--limit-rate");
		break;
	default:
		return false;
	}
	return true;
}

int
registry_init(struct registry *r, const char *domain, const char *host, const char *repo,
	      bool loopback, const struct registry_opts *o, struct err *e)
{
	const char *dir = o->hosts_dir;
	_cleanup_free_ char *deflt = NULL;

	memset(r, 0, sizeof(*r));
	r->domain = xstrdup(domain);
	r->repo = xstrdup(repo);
	r->agent = xasprintf("%s/0.1", PROG);
	r->o = *o;
	if (!dir && access(DEFAULT_HOSTS_DIR, F_OK) == 0)
		dir = DEFAULT_HOSTS_DIR;
	/*
	 * --plain-http: http only. A loopback registry: https first, plain http
	 * when the peer does not speak TLS (a certificate that fails to verify is
	 * still an error). Anything else: https only.
	 */
	deflt = xasprintf("%s://%s", o->plain_http ? "http" : "https", host);
	if (hosts_load(r, dir, domain, deflt, loopback && !o->plain_http, e) < 0)
		return -1;
	return auth_lookup(domain, o->creds, o->authfile, o->helper_secs, &r->user, &r->pass, e);
}

void
registry_release(struct registry *r)
{
	for (size_t i = 0; i < r->neps; i++) {
		struct endpoint *ep = &r->eps[i];

		free(ep->base);
		free(ep->cafile);
		free(ep->cert);
		free(ep->key);
		free(ep->auth);
	}
	free(r->eps);
	free(r->domain);
	free(r->repo);
	free(r->agent);
	for (size_t i = 0; i < r->nmount_from; i++)
		free(r->mount_from[i]);
	free(r->mount_from);
	free(r->user);
	if (r->pass)
		explicit_bzero(r->pass, strlen(r->pass));
	free(r->pass);
	memset(r, 0, sizeof(*r));
}
