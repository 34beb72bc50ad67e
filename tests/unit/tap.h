/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny TAP producer for unit tests: no framework, one header. */
#ifndef CTR_TAP_H
#define CTR_TAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tap_n, tap_failed;

/* ok(cond, "what") records one test point; the condition text helps when it fails. */
#define ok(cond, ...) tap_ok(!!(cond), #cond, __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...)                                                                     \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		if (!ok(g_ && w_ ? !strcmp(g_, w_) : g_ == w_, __VA_ARGS__))                       \
			printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",                    \
			       w_ ? w_ : "(null)");                                                \
	} while (0)
#define is_int(got, want, ...)                                                                     \
	do {                                                                                       \
		long long g_ = (got), w_ = (want);                                                 \
		if (!ok(g_ == w_, __VA_ARGS__))                                                    \
			printf("#   got %lld, want %lld\n", g_, w_);                               \
	} while (0)

static int __attribute__((format(printf, 5, 6)))
tap_ok(int pass, const char *expr, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   failed: %s at %s:%d\n", expr, file, line);
	}
	return pass;
}

/* RUN(test_module_behaviour) runs one test function with a comment header. */
#define RUN(fn)                                                                                    \
	do {                                                                                       \
		printf("# %s\n", #fn);                                                             \
		fn();                                                                              \
	} while (0)

/*
 * mkdtemp(tmpl) and open the new directory: its O_DIRECTORY fd. On failure
 * the whole test bails out (TAP "Bail out!") with exit status 1.
 */
static inline int
tap_tmpdir(char *tmpl)
{
	int fd = mkdtemp(tmpl) ? open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd < 0) {
		printf("Bail out! temporary directory: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/* Create or replace name under dirfd with the string s (a test fixture). */
static inline void
tap_write_file(int dirfd, const char *name, const char *s)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			printf("# write %s: %s\n", name, strerror(errno));
		close(fd);
	}
}

/* Print the plan and return the exit status for main(). */
static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
