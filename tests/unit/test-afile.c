/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for atomic file writes: content, mode, no temp left, old file kept on failure. */
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "afile.h"
#include "fdio.h"
#include "path.h"

static char tmp[] = "/tmp/ctr-test-afile-XXXXXX";
static int tmpfd = -1;

/* Content of name under dirfd, or NULL. Caller frees. */
static char *
slurp(int dirfd, const char *name)
{
	char *s = NULL;
	struct err e;

	if (fdio_read_file_at(dirfd, name, 1 << 20, &s, NULL, &e) < 0)
		return NULL;
	return s;
}

/* How many entries of dirfd start with '.' (temp files are dot files). */
static int
count_dot_files(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
test_afile_write_new_and_replace(void)
{
	struct stat st1, st2;
	struct err e;
	char *s;

	umask(022);
	is_int(afile_write(tmpfd, "rec", "first\n", 6, 0640, &e), 0, "write a new file");
	s = slurp(tmpfd, "rec");
	is_str(s, "first\n", "content");
	free(s);
	ok(fstatat(tmpfd, "rec", &st1, 0) == 0 && (st1.st_mode & 07777) == 0640, "mode 0640");

	is_int(afile_write(tmpfd, "rec", "second, longer\n", 15, 0600, &e), 0, "replace it");
	s = slurp(tmpfd, "rec");
	is_str(s, "second, longer\n", "new content, whole");
	free(s);
	ok(fstatat(tmpfd, "rec", &st2, 0) == 0 && (st2.st_mode & 07777) == 0600, "new mode 0600");
	ok(st1.st_ino != st2.st_ino, "a new inode took the name (rename, not rewrite)");
	is_int(afile_write(tmpfd, "empty", "", 0, 0644, &e), 0, "an empty file");
	ok(fstatat(tmpfd, "empty", &st1, 0) == 0 && st1.st_size == 0, "of size 0");
	is_int(count_dot_files(tmpfd), 0, "no temp file left behind");
}

static void
test_afile_write_json(void)
{
	json_t *doc = json_pack("{s:i, s:[i,i], s:s}", "b", 1, "a", 1, 2, "c", "x\"y");
	struct stat st;
	struct err e;
	char *s;

	is_int(afile_write_json(tmpfd, "doc.json", doc, &e), 0, "write JSON");
	s = slurp(tmpfd, "doc.json");
	is_str(s, "{\"a\":[1,2],\"b\":1,\"c\":\"x\\\"y\"}\n",
	       "compact, sorted keys, final newline");
	free(s);
	ok(fstatat(tmpfd, "doc.json", &st, 0) == 0 && (st.st_mode & 07777) == 0644, "mode 0644");
	json_decref(doc);
	is_int(count_dot_files(tmpfd), 0, "no temp file left behind");
}

static void
test_afile_is_temp(void)
{
	is_int(afile_is_temp(".rec.tmp-123"), 1, "our temp name");
	is_int(afile_is_temp(".a.json.tmp-1"), 1, "a JSON record's temp name");
	is_int(afile_is_temp("rec"), 0, "a record");
	is_int(afile_is_temp(".hidden"), 0, "a dot file");
	is_int(afile_is_temp("rec.tmp-1"), 0, "no leading dot");
}

/* Renaming over a non-empty directory fails; the temp file must go and the directory stay. */
static void
test_afile_rename_failure(void)
{
	struct stat st;
	struct err e;

	mkdirat(tmpfd, "adir", 0755);
	close(openat(tmpfd, "adir/inside", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	is_int(afile_write(tmpfd, "adir", "x", 1, 0644, &e), -1, "replacing a directory fails");
	ok(e.sys != 0 && e.msg[0], "with a system error: %s", e.msg);
	ok(fstatat(tmpfd, "adir/inside", &st, 0) == 0, "the directory is untouched");
	is_int(count_dot_files(tmpfd), 0, "the temp file was removed");
}

/* A symlink planted at the temp name must not be written through. */
static void
test_afile_planted_symlink(void)
{
	char name[64];
	struct err e;
	char *s;

	afile_write(tmpfd, "victim", "safe\n", 5, 0644, &e);
	snprintf(name, sizeof(name), ".planted.tmp-%ld", (long)getpid());
	symlinkat("victim", tmpfd, name);
	is_int(afile_write(tmpfd, "planted", "evil\n", 5, 0644, &e), -1,
	       "planted temp link refused");
	s = slurp(tmpfd, "victim");
	is_str(s, "safe\n", "the link's target is unchanged");
	free(s);
	unlinkat(tmpfd, name, 0);

	symlinkat("victim", tmpfd, "lnk");
	is_int(afile_write(tmpfd, "lnk", "new\n", 4, 0644, &e), 0,
	       "a symlinked record is replaced");
	s = slurp(tmpfd, "lnk");
	is_str(s, "new\n", "the name is now a regular file with the content");
	free(s);
	s = slurp(tmpfd, "victim");
	is_str(s, "safe\n", "and the old target is unchanged");
	free(s);
}

/* The body of the read-only test; returns the number of failed checks. */
static int
ro_attempt(int dirfd)
{
	struct err e;
	char *s;
	int bad = 0;

	bad += afile_write(dirfd, "rec", "new\n", 4, 0644, &e) != -1;
	bad += e.sys != EACCES;
	s = slurp(dirfd, "rec");
	bad += !s || strcmp(s, "old\n");
	free(s);
	bad += count_dot_files(dirfd) != 0;
	return bad;
}

/*
 * A write into a directory we may not write leaves the old file. Root
 * ignores directory modes, so as root the attempt runs in a child that has
 * dropped to nobody.
 */
static void
test_afile_readonly_dir(void)
{
	struct err e;
	int rofd, status;
	pid_t pid;
	char *s;

	path_mkdir_p(tmpfd, "ro", 0755, &e);
	rofd = openat(tmpfd, "ro", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	afile_write(rofd, "rec", "old\n", 4, 0644, &e);
	fchmod(rofd, 0555);
	fchmod(tmpfd, 0711);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(99);
		_exit(ro_attempt(rofd));
	}
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "child ran");
	is_int(WEXITSTATUS(status), 0, "write refused with EACCES, old file kept, no temp left");
	s = slurp(rofd, "rec");
	is_str(s, "old\n", "old content still there");
	free(s);
	fchmod(rofd, 0755);
	fchmod(tmpfd, 0700);
	close(rofd);
}

/* Readers racing with writers see one whole version or the other, never a mix. */
static void
test_afile_readers_never_see_half(void)
{
	const size_t n = 256 * 1024;
	char *a = malloc(n), *b = malloc(n);
	struct err e;
	int status;
	pid_t pid;

	memset(a, 'a', n);
	memset(b, 'b', n);
	afile_write(tmpfd, "race", a, n, 0644, &e);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 300; i++) {
			char *s = slurp(tmpfd, "race");

			if (!s || strlen(s) != n || (memcmp(s, a, n) && memcmp(s, b, n)))
				_exit(1);
			free(s);
		}
		_exit(0);
	}
	for (int i = 0; i < 60; i++)
		afile_write(tmpfd, "race", i % 2 ? a : b, n, 0644, &e);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "300 reads during 60 writes: all whole");
	free(a);
	free(b);
}

int
main(void)
{
	struct err e;

	tmpfd = tap_tmpdir(tmp);
	RUN(test_afile_write_new_and_replace);
	RUN(test_afile_write_json);
	RUN(test_afile_is_temp);
	RUN(test_afile_rename_failure);
	RUN(test_afile_planted_symlink);
	RUN(test_afile_readonly_dir);
	RUN(test_afile_readers_never_see_half);
	close(tmpfd);
	ok(path_rm_rf(AT_FDCWD, tmp, &e) == 0, "temporary directory removed");
	return tap_done();
}
