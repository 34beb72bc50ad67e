/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for flock locks across processes: busy, shared, released on close and on death. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "path.h"

static char tmp[] = "/tmp/ctr-test-lock-XXXXXX";
static int tmpfd = -1;

/*
 * In a child, try lock_at(name, flags) and exit 0 when it was granted, 2 when
 * it failed with code "busy", 3 on any other failure.
 */
static int
try_in_child(const char *name, int flags)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct err e;
		int fd = lock_at(tmpfd, name, flags, &e);

		if (fd >= 0)
			_exit(0);
		_exit(strcmp(e.code, "busy") ? 3 : 2);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void
test_lock_exclusive_busy(void)
{
	struct stat st;
	struct err e;
	int fd = lock_at(tmpfd, "obj.lock", 0, &e);

	ok(fd >= 0, "exclusive lock taken");
	ok(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600, "lock file is 0600");
	ok(fcntl(fd, F_GETFD) & FD_CLOEXEC, "lock fd is close-on-exec");
	is_int(try_in_child("obj.lock", LOCK_TRY), 2, "another process: exclusive try is busy");
	is_int(try_in_child("obj.lock", LOCK_TRY | LOCK_SHARED), 2,
	       "another process: shared try is busy");
	is_int(try_in_child("other.lock", LOCK_TRY), 0, "another object is free");
	/* flock belongs to the open file: a second open in this process conflicts too */
	is_int(lock_at(tmpfd, "obj.lock", LOCK_TRY, &e), -1, "a second open here is busy too");
	is_str(e.code, "busy", "code busy");
	ok(strstr(e.msg, "obj.lock"), "message names the lock: %s", e.msg);
	close(fd);
	is_int(try_in_child("obj.lock", LOCK_TRY), 0, "closing the fd releases the lock");
}

static void
test_lock_shared(void)
{
	struct err e;
	int fd = lock_at(tmpfd, "obj.lock", LOCK_SHARED, &e);

	ok(fd >= 0, "shared lock taken");
	is_int(try_in_child("obj.lock", LOCK_TRY | LOCK_SHARED), 0, "shared + shared is fine");
	is_int(try_in_child("obj.lock", LOCK_TRY), 2, "shared held: exclusive try is busy");
	close(fd);
	is_int(try_in_child("obj.lock", LOCK_TRY), 0, "free again after close");
}

/* A holder killed with SIGKILL leaves no stale lock. */
/*
 * A child that takes name's lock (lock_transient_at when transient, else
 * lock_at) and holds it until it is killed; returns its pid once it has it.
 */
static pid_t
hold_in_child(const char *name, bool transient)
{
	int p[2];
	char c = 0;
	pid_t pid;

	ok(pipe2(p, O_CLOEXEC) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct err e;
		int fd =
		    transient ? lock_transient_at(tmpfd, name, &e) : lock_at(tmpfd, name, 0, &e);

		if (fd < 0 || write(p[1], "L", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ok(read(p[0], &c, 1) == 1 && c == 'L', "a holder has %s", name);
	close(p[0]);
	return pid;
}

static void
test_lock_released_on_death(void)
{
	int status;
	pid_t pid = hold_in_child("dead.lock", false);

	is_int(try_in_child("dead.lock", LOCK_TRY), 2, "busy while the holder lives");
	kill(pid, SIGKILL);
	ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status), "holder killed");
	is_int(try_in_child("dead.lock", LOCK_TRY), 0, "free once the holder is dead");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Without LOCK_TRY the caller waits for the holder and then gets the lock. */
static void
test_lock_waits(void)
{
	int p[2], fd, status;
	struct err e;
	double t0;
	char c;
	pid_t pid;

	ok(pipe2(p, O_CLOEXEC) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (lock_at(tmpfd, "wait.lock", 0, &e) < 0 || write(p[1], "L", 1) != 1)
			_exit(1);
		usleep(300000);
		_exit(0); /* exit releases it */
	}
	close(p[1]);
	ok(read(p[0], &c, 1) == 1, "holder has the lock");
	close(p[0]);
	t0 = now();
	fd = lock_at(tmpfd, "wait.lock", 0, &e);
	ok(fd >= 0, "blocking lock granted");
	ok(now() - t0 > 0.15, "after waiting for the holder (%.3fs)", now() - t0);
	waitpid(pid, &status, 0);
	close(fd);
}

/* A transient lock file exists only while held; a waiter gets a fresh one after the holder. */
static void
test_lock_transient(void)
{
	int p[2], fd, status;
	struct stat sb;
	struct err e;
	char c;
	pid_t pid;

	fd = lock_transient_at(tmpfd, "chain", &e);
	ok(fd >= 0 && fstatat(tmpfd, "chain", &sb, 0) == 0, "held: the file exists");
	lock_transient_release(tmpfd, "chain", fd);
	ok(fstatat(tmpfd, "chain", &sb, 0) < 0 && errno == ENOENT, "released: the file is gone");

	ok(pipe2(p, O_CLOEXEC) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int h = lock_transient_at(tmpfd, "chain", &e);

		if (h < 0 || write(p[1], "L", 1) != 1)
			_exit(1);
		usleep(200000);
		lock_transient_release(tmpfd, "chain", h);
		_exit(0);
	}
	close(p[1]);
	ok(read(p[0], &c, 1) == 1, "a holder has it");
	close(p[0]);
	/* we open the holder's file and wait on it; it is unlinked under us: we retry */
	fd = lock_transient_at(tmpfd, "chain", &e);
	ok(fd >= 0, "granted after the holder released it");
	ok(fstatat(tmpfd, "chain", &sb, 0) == 0, "on a file that exists again, ours");
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the holder ran to its end");
	lock_transient_release(tmpfd, "chain", fd);
}

/* Is pid waiting for an flock (a "->" line of /proc/locks)? */
static bool
blocked_in_flock(pid_t pid)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/locks", "re");
	bool found = false;

	snprintf(want, sizeof(want), " %d ", (int)pid);
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, "-> FLOCK") && strstr(line, want);
	if (f)
		fclose(f);
	return found;
}

/*
 * A waiter whose file is unlinked while it waits on it (by a reaper, which
 * unlinks only while it holds the file, as here) does not keep the lock of
 * a file no name reaches: it takes the one the name has now.
 */
static void
test_lock_transient_unlinked_under_waiter(void)
{
	int fd, status, tries = 0;
	struct err e;
	pid_t pid;

	fd = lock_at(tmpfd, "reaped", 0, &e);
	ok(fd >= 0, "the file is held");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct stat held, now;
		int h;

		close(fd); /* the open file is the flock's owner: ours must not be shared */
		h = lock_transient_at(tmpfd, "reaped", &e);

		_exit(h >= 0 && fstat(h, &held) == 0 && fstatat(tmpfd, "reaped", &now, 0) == 0 &&
			      held.st_nlink == 1 && held.st_ino == now.st_ino
			  ? 0
			  : 1);
	}
	while (!blocked_in_flock(pid) && tries++ < 500)
		usleep(10000);
	ok(blocked_in_flock(pid), "the waiter waits on the file");
	ok(unlinkat(tmpfd, "reaped", 0) == 0, "unlinked under it");
	close(fd);
	/* (an inode number alone may be the unlinked file's, reused) */
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the waiter holds the file the name has now, not the unlinked one");
	unlinkat(tmpfd, "reaped", 0);
}

/* A transient lock file nobody holds is removed; a held one, or none, is left. */
static void
test_lock_transient_reap(void)
{
	struct stat sb;
	struct err e;
	int status;
	pid_t pid;

	is_int(lock_transient_reap(tmpfd, "none", false, &e), 0, "no such file: nothing to do");
	pid = hold_in_child("left", true);
	is_int(lock_transient_reap(tmpfd, "left", false, &e), 0, "held: kept");
	ok(fstatat(tmpfd, "left", &sb, 0) == 0, "the holder's file is there");
	kill(pid, SIGKILL);
	ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status), "holder killed");
	ok(fstatat(tmpfd, "left", &sb, 0) == 0, "its file stays after it");
	is_int(lock_transient_reap(tmpfd, "left", true, &e), 1, "free: reaped (keep)");
	ok(fstatat(tmpfd, "left", &sb, 0) == 0, "keep: still there");
	is_int(lock_transient_reap(tmpfd, "left", false, &e), 1, "free: reaped");
	ok(fstatat(tmpfd, "left", &sb, 0) < 0 && errno == ENOENT, "and gone");
	symlinkat("obj.lock", tmpfd, "link");
	is_int(lock_transient_reap(tmpfd, "link", false, &e), -1, "a symlink is refused");
	is_int(e.sys, ELOOP, "with ELOOP");
	unlinkat(tmpfd, "link", 0);
}

static void
test_lock_errors(void)
{
	struct err e;

	symlinkat("obj.lock", tmpfd, "link.lock");
	is_int(lock_at(tmpfd, "link.lock", LOCK_TRY, &e), -1, "a symlinked lock file is refused");
	is_int(e.sys, ELOOP, "with ELOOP");
	is_int(lock_at(tmpfd, "nodir/x.lock", 0, &e), -1, "missing directory");
	is_str(e.code, "not-found", "code not-found");
}

int
main(void)
{
	struct err e;

	tmpfd = tap_tmpdir(tmp);
	RUN(test_lock_exclusive_busy);
	RUN(test_lock_shared);
	RUN(test_lock_released_on_death);
	RUN(test_lock_waits);
	RUN(test_lock_transient);
	RUN(test_lock_transient_unlinked_under_waiter);
	RUN(test_lock_transient_reap);
	RUN(test_lock_errors);
	close(tmpfd);
	ok(path_rm_rf(AT_FDCWD, tmp, &e) == 0, "temporary directory removed");
	return tap_done();
}
