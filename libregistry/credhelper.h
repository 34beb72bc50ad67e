/* SPDX-License-Identifier: Apache-2.0 */
/* Docker credential helpers: docker-credential-NAME get, as docker runs it. */
#ifndef CTR_CREDHELPER_H
#define CTR_CREDHELPER_H

#include "err.h"

/* A helper's "Username" that makes its "Secret" an identity token (an OAuth2 refresh token). */
#define CREDHELPER_TOKEN_USER "<token>"

/*
 * Run `docker-credential-NAME get` with server on its stdin, as docker does,
 * killing it (and what it started) after timeout_secs. Returns 1 with *user
 * and *secret (new strings) from its {"ServerURL","Username","Secret"}, 0
 * when it has none for server ("credentials not found"), -1 otherwise: a
 * name that is no file name or no helper in $PATH ("not-found"), no answer
 * in time ("system"), a failure it reports ("system"), an answer that is no
 * such JSON ("invalid").
 */
int credhelper_get(const char *name, const char *server, long timeout_secs, char **user,
		   char **secret, struct err *e);

#endif
