/* SPDX-License-Identifier: Apache-2.0 */
/* Scope-bound cleanup helpers: free memory, fds, FILEs and DIRs on return. */
#ifndef CTR_CLEANUP_H
#define CTR_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void
cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno; /* a close in cleanup must not clobber errno */
		close(*fd);
		errno = saved;
	}
}

static inline void
cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void
cleanup_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static inline void
cleanup_strvp(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(cleanup_freep)
#define _cleanup_close_ _cleanup_(cleanup_closep)
#define _cleanup_fclose_ _cleanup_(cleanup_fclosep)
#define _cleanup_closedir_ _cleanup_(cleanup_closedirp)
#define _cleanup_strv_ _cleanup_(cleanup_strvp)

/* Take ownership out of a cleanup variable: returns the value, leaves NULL / -1. */
#define steal_ptr(p)                                                                               \
	({                                                                                         \
		__typeof__(p) steal_tmp_ = (p);                                                    \
		(p) = NULL;                                                                        \
		steal_tmp_;                                                                        \
	})
#define steal_fd(fd)                                                                               \
	({                                                                                         \
		int steal_tmp_ = (fd);                                                             \
		(fd) = -1;                                                                         \
		steal_tmp_;                                                                        \
	})

#endif
