/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for -o FILE: files renamed into place, links followed, pipes written in place. */
#include "tap.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

static char dir[] = "/tmp/ctr-test-outfile-XXXXXX";

static char *
at(const char *name)
{
	static char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
test_outfile_file_and_link(void)
{
	char buf[16] = "";
	struct outfile o;
	struct err e;
	struct stat sb;
	int fd;

	is_int(outfile_open(&o, at("new"), "a tar", &e), 0, "a new name is opened");
	ok(o.tmp && access(at("new"), F_OK) != 0, "through a temporary name");
	is_int(write(o.fd, "one", 3), 3, "written");
	is_int(outfile_close(&o, true, &e), 0, "closed");
	fd = open(at("new"), O_RDONLY);
	is_int(read(fd, buf, sizeof(buf)), 3, "renamed into place");
	close(fd);

	ok(symlink("new", at("link")) == 0, "a link to it");
	is_int(outfile_open(&o, at("link"), "a tar", &e), 0, "the link is opened");
	is_int(write(o.fd, "four", 4), 4, "written");
	is_int(outfile_close(&o, true, &e), 0, "closed");
	ok(lstat(at("link"), &sb) == 0 && S_ISLNK(sb.st_mode), "the link is still a link");
	ok(stat(at("new"), &sb) == 0 && sb.st_size == 4, "the file it names was replaced");

	is_int(outfile_open(&o, at("new"), "a tar", &e), 0, "opened again");
	is_int(outfile_close(&o, false, &e), -1, "a failed write");
	ok(stat(at("new"), &sb) == 0 && sb.st_size == 4, "leaves the old file");
	unlink(at("link"));
	unlink(at("new"));
}

static void
test_outfile_fifo_and_directory(void)
{
	struct outfile o;
	struct stat sb;
	struct err e;
	char buf[8] = "";
	int rd;

	ok(mkfifo(at("fifo"), 0600) == 0, "a fifo");
	rd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
	is_int(outfile_open(&o, at("fifo"), "a tar", &e), 0, "the fifo is opened");
	ok(!o.tmp, "in place");
	is_int(write(o.fd, "hi", 2), 2, "written");
	is_int(outfile_close(&o, true, &e), 0, "closed");
	is_int(read(rd, buf, sizeof(buf)), 2, "the reader has it");
	ok(lstat(at("fifo"), &sb) == 0 && S_ISFIFO(sb.st_mode), "still a fifo");
	close(rd);
	unlink(at("fifo"));

	is_int(outfile_open(&o, dir, "a tar", &e), -1, "a directory is refused");
	is_str(e.code, "invalid", "as bad input");
	is_int(outfile_close(&o, true, &e), 0, "closing nothing is fine");
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(test_outfile_file_and_link);
	RUN(test_outfile_fifo_and_directory);
	rmdir(dir);
	return tap_done();
}
