/* SPDX-License-Identifier: Apache-2.0 */
/* Detach keys: what, typed on a terminal relayed to a container, gives the terminal back. */
#ifndef CTR_DETACHKEYS_H
#define CTR_DETACHKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define DETACHKEYS_MAX 16
#define DETACHKEYS_DEFAULT "ctrl-p,ctrl-q" /* docker's and podman's */

struct detachkeys {
	unsigned char key[DETACHKEYS_MAX];
	size_t len;  /* 0: no keys, nothing detaches */
	size_t held; /* key[0..held) typed and not passed on yet: they may be the keys */
};

/*
 * Parse docker's --detach-keys format: comma-separated keys, each one
 * character or ctrl-<a-z, @, [, \, ], ^, _>; "" is no keys. Code "usage".
 */
int detachkeys_parse(struct detachkeys *k, const char *spec, struct err *e);
/*
 * Filter n typed bytes: what passes on goes to out (room for n +
 * DETACHKEYS_MAX), *outlen bytes. A partial match is held across calls and
 * passes on with the byte that breaks it. True when the keys were typed: out
 * holds what came before them, and what followed them in this call is dropped.
 */
bool detachkeys_feed(struct detachkeys *k, const char *in, size_t n, char *out, size_t *outlen);

#endif
