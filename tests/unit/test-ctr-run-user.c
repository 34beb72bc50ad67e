/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of ctr-run's user resolution: parsing and the safe file reads. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"
#include "tap.h"
#include "user.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "# a comment\n"
			     "broken line\n"
			     "app:x:1000:1000:App:/home/app:/bin/sh\n"
			     "nobody:x:65534:65534::/:/bin/false";
static const char group[] = "root:x:0:\n"
			    "app:x:1000:\n"
			    "wheel:x:10:root,app\n"
			    "audio:x:29:bob,app\n"
			    "staff:x:50:";

static void
test_user_names_and_ids(void)
{
	struct spec_user u;
	struct err e;

	ok(user_resolve_buf(passwd, group, "app", &u, &e) == 0, "name resolves");
	is_int(u.uid, 1000, "uid of app");
	is_int(u.gid, 1000, "gid of app");
	is_int(u.ngroups, 2, "app is in wheel and audio");
	ok(u.ngroups == 2 && u.groups[0] == 10 && u.groups[1] == 29, "supplementary gids in order");
	spec_user_release(&u);
	ok(user_resolve_buf(passwd, group, "1000", &u, &e) == 0 && u.gid == 1000,
	   "numeric uid found in passwd takes its gid");
	spec_user_release(&u);
	ok(user_resolve_buf(passwd, group, "4242", &u, &e) == 0 && u.uid == 4242 && u.gid == 0,
	   "unknown numeric uid runs with gid 0");
	ok(user_resolve_buf(passwd, group, "app:staff", &u, &e) == 0 && u.gid == 50, "name:group");
	spec_user_release(&u);
	ok(user_resolve_buf(passwd, group, "7:8", &u, &e) == 0 && u.uid == 7 && u.gid == 8,
	   "uid:gid");
	ok(user_resolve_buf(NULL, NULL, "7:8", &u, &e) == 0 && u.uid == 7,
	   "uid:gid needs no files");
	ok(user_resolve_buf(passwd, group, "", &u, &e) == 0 && u.uid == 0 && u.gid == 0,
	   "empty user is root");
}

static void
test_user_bad(void)
{
	struct spec_user u;
	struct err e;

	ok(user_resolve_buf(passwd, group, "ghost", &u, &e) < 0, "missing user fails");
	is_str(e.code, "not-found", "code of missing user");
	ok(user_resolve_buf(passwd, group, "app:ghosts", &u, &e) < 0, "missing group fails");
	ok(user_resolve_buf(passwd, group, "4294967296", &u, &e) < 0, "uid over 2^32-1 fails");
	ok(user_resolve_buf(passwd, group, "4294967295", &u, &e) < 0, "uid -1 fails");
	ok(user_resolve_buf(passwd, group, "1:99999999999999999999", &u, &e) < 0, "huge gid fails");
	ok(user_resolve_buf(passwd, group, ":5", &u, &e) < 0, "empty user part fails");
	ok(user_resolve_buf(NULL, NULL, "app", &u, &e) < 0, "a name without passwd fails");
}

static int
mkroot(char *tmpl)
{
	struct err e;

	if (!mkdtemp(tmpl))
		abort();
	path_mkdir_p(AT_FDCWD, tmpl, 0755, &e);
	return open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void
test_user_files_in_root(void)
{
	char dir[] = "/tmp/test-user-XXXXXX";
	_cleanup_close_ int root = mkroot(dir);
	struct spec_user u;
	struct err e;
	int fd;

	mkdirat(root, "etc", 0755);
	fd = openat(root, "etc/passwd", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ok(fd >= 0 && write(fd, passwd, sizeof(passwd) - 1) > 0, "write passwd");
	close(fd);
	ok(user_resolve(root, "app", &u, &e) == 0 && u.uid == 1000, "resolve from a real root");
	spec_user_release(&u);

	unlinkat(root, "etc/passwd", 0);
	ok(symlinkat("/etc/shadow", root, "etc/passwd") == 0, "plant a link to the host's shadow");
	ok(user_resolve(root, "root", &u, &e) < 0, "a linked passwd is refused");
	ok(strstr(e.msg, "symbolic link") != NULL, "and the message says why: %s", e.msg);

	unlinkat(root, "etc/passwd", 0);
	ok(mkfifoat(root, "etc/passwd", 0644) == 0, "plant a FIFO");
	ok(user_resolve(root, "root", &u, &e) < 0, "a FIFO passwd is refused without hanging");

	unlinkat(root, "etc/passwd", 0);
	fd = openat(root, "etc/passwd", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ok(fd >= 0 && ftruncate(fd, 1ll << 30) == 0, "plant a sparse 1 GiB passwd");
	close(fd);
	ok(user_resolve(root, "root", &u, &e) < 0, "a 1 GiB passwd is refused");
	is_str(e.code, "too-large", "code of a huge passwd");

	unlinkat(root, "etc/passwd", 0);
	ok(symlinkat("/tmp", root, "etc2") == 0 && unlinkat(root, "etc", AT_REMOVEDIR) == 0 &&
	       symlinkat("../../../../etc2", root, "etc") == 0,
	   "an escaping directory link");
	ok(user_resolve(root, "root", &u, &e) < 0, "root by name with no passwd in the root fails");
	ok(user_resolve(root, "0", &u, &e) == 0 && u.uid == 0, "numeric uid still works");
	unlinkat(root, "etc", 0);
	unlinkat(root, "etc2", 0);
	rmdir(dir);
}

int
main(void)
{
	RUN(test_user_names_and_ids);
	RUN(test_user_bad);
	RUN(test_user_files_in_root);
	return tap_done();
}
