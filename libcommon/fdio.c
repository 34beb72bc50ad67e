/* SPDX-License-Identifier: Apache-2.0 */
/* EINTR-safe whole reads and writes. */
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cleanup.h"
#include "xmem.h"

ssize_t
fdio_read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int
fdio_write_full(int fd, const void *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		buf = (const char *)buf + r;
		n -= (size_t)r;
	}
	return 0;
}

int
fdio_writev_full(int fd, const struct iovec *iov, int n)
{
	struct iovec cur[FDIO_IOV_MAX];
	int i = 0;

	if (n > FDIO_IOV_MAX)
		return errno = EINVAL, -1;
	memcpy(cur, iov, (size_t)n * sizeof(*iov));
	while (i < n) {
		ssize_t r = writev(fd, cur + i, n - i);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		/* a short write: skip what went, resume inside the piece it stopped in */
		for (; i < n && (size_t)r >= cur[i].iov_len; i++)
			r -= (ssize_t)cur[i].iov_len;
		if (i < n) {
			cur[i].iov_base = (char *)cur[i].iov_base + r;
			cur[i].iov_len -= (size_t)r;
		}
	}
	return 0;
}

int
fdio_read_all(int fd, size_t max, char **out, size_t *len, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, n = 0;

	for (;;) {
		ssize_t r;

		xgrow((void **)&buf, &cap, n + 4096 + 1, 1);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set(e, errno, "read");
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			return err_code(e, "too-large", "input is larger than %zu bytes", max);
	}
	buf[n] = '\0';
	*out = steal_ptr(buf);
	if (len)
		*len = n;
	return 0;
}

int
fdio_read_file_at(int dirfd, const char *name, size_t max, char **out, size_t *len, struct err *e)
{
	/* O_NONBLOCK: opening a FIFO planted where a file belongs must not hang */
	_cleanup_close_ int fd =
	    openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		return err_set(e, errno, "open '%s'", name);
	if (fstat(fd, &st) < 0)
		return err_set(e, errno, "stat '%s'", name);
	if (!S_ISREG(st.st_mode))
		return err_code(e, "invalid", "'%s' is not a regular file", name);
	if ((size_t)st.st_size > max)
		return err_code(e, "too-large", "'%s' is larger than %zu bytes", name, max);
	if (fdio_read_all(fd, max, out, len, e) < 0)
		return err_prefix(e, "'%s'", name);
	return 0;
}
