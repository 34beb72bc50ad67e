/* SPDX-License-Identifier: Apache-2.0 */
/* Image references, parsed and normalised exactly as Docker and containerd do. */
#ifndef CTR_REF_H
#define CTR_REF_H

#include "err.h"

/*
 * A normalised reference. "alpine" becomes domain "docker.io", path
 * "library/alpine", tag "latest". A reference with a digest keeps its tag
 * only when one was given ("a:1@sha256:..."); a bare name gets "latest".
 * All strings are owned by the struct.
 */
struct ref {
	char *domain; /* "docker.io", "localhost:5000", "[::1]:5000" */
	char *path;   /* "library/alpine" */
	char *tag;    /* NULL when absent */
	char *digest; /* NULL when absent; else valid per digest_valid() */
};

/* Parse and normalise s; on error e says why and r is left empty. */
int ref_parse(const char *s, struct ref *r, struct err *e);
void ref_release(struct ref *r);
/* "docker.io/library/alpine:latest", "host/p@sha256:...": new string. */
char *ref_string(const struct ref *r);
/* ref_parse + ref_string: s in its full form, a new string, or NULL with e filled. */
char *ref_normalize(const char *s, struct err *e);
/* The name without tag or digest: "docker.io/library/alpine". New string. */
char *ref_name(const struct ref *r);
/* Docker's short form for humans: "alpine:latest", "localhost:5000/a/b:t". New string. */
char *ref_familiar(const struct ref *r);
/* The host to contact: "registry-1.docker.io" for "docker.io", else domain. Borrowed. */
const char *ref_registry_host(const struct ref *r);
/* Is the registry on a loopback address (localhost, 127.0.0.0/8, ::1)? Plain HTTP is allowed there. */
int ref_is_loopback(const struct ref *r);

#endif
