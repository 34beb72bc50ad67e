/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation that cannot fail: on ENOMEM the tool exits 111. */
#ifndef CTR_XMEM_H
#define CTR_XMEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *p (of *cap elements of size sz) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t sz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
