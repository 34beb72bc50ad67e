/* SPDX-License-Identifier: Apache-2.0 */
/* EINTR-safe whole reads and writes on file descriptors. */
#ifndef CTR_FDIO_H
#define CTR_FDIO_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "err.h"

/* Read up to n bytes, retrying on EINTR and short reads; returns bytes read (< n at EOF) or -1. */
ssize_t fdio_read_full(int fd, void *buf, size_t n);
/* Write all n bytes, retrying on EINTR and short writes; 0 or -1 with errno. */
int fdio_write_full(int fd, const void *buf, size_t n);
/* The same for n pieces (at most FDIO_IOV_MAX) in one writev where the kernel takes them. */
#define FDIO_IOV_MAX 8
int fdio_writev_full(int fd, const struct iovec *iov, int n);
/*
 * Read the whole of fd into a new NUL-terminated buffer (*out, caller frees),
 * refusing more than max bytes. *len gets the size without the NUL.
 */
int fdio_read_all(int fd, size_t max, char **out, size_t *len, struct err *e);
/*
 * Read a regular file name under dirfd, without following a final symlink and
 * refusing FIFOs, devices and files over max bytes.
 */
int fdio_read_file_at(int dirfd, const char *name, size_t max, char **out, size_t *len,
		      struct err *e);

#endif
