/* SPDX-License-Identifier: Apache-2.0 */
/* Registry credentials (flags, auth files) and WWW-Authenticate challenges. */
#ifndef CTR_AUTH_H
#define CTR_AUTH_H

#include "err.h"

/*
 * Credentials for domain: creds ("USER:PASS") if given, else authfile if
 * given, else $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json,
 * $DOCKER_CONFIG/config.json or ~/.docker/config.json (first with an entry).
 * In a file, a credential helper named for domain (credHelpers) or for all
 * (credsStore) is asked instead of "auths" (credhelper.h, killed after
 * helper_secs). *user and *pass stay NULL when none is found (anonymous);
 * *user CREDHELPER_TOKEN_USER makes *pass an identity token. New strings.
 */
int auth_lookup(const char *domain, const char *creds, const char *authfile, long helper_secs,
		char **user, char **pass, struct err *e);
/*
 * A docker "auth" value, base64("USER:PASS"), into *user and *pass (new
 * strings); what names it in errors (code "invalid").
 */
int auth_decode(const char *b64, char **user, char **pass, const char *what, struct err *e);

/* A parsed challenge; fields are new strings or NULL. */
struct challenge {
	char *scheme; /* "bearer" or "basic", lowercased */
	char *realm, *service, *scope;
};
/* Parse one WWW-Authenticate value; -1 when it is not a usable challenge. */
int auth_parse_challenge(const char *hdr, struct challenge *c, struct err *e);
void auth_challenge_release(struct challenge *c);
/* "Authorization: Basic base64(user:pass)". New string. */
char *auth_basic_header(const char *user, const char *pass);

#endif
