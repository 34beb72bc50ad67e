/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for Mount lists: shape checks; as root, real bind, tmpfs and long overlay mounts. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonio.h"
#include "mount.h"
#include "path.h"
#include "xmem.h"

static char tmp[] = "/tmp/ctr-test-mount-XXXXXX";

static int
check(const char *json)
{
	struct err e;
	json_auto_t *m = jsonio_parse(json, strlen(json), "case", &e);

	return m ? mount_check(m, &e) : -2;
}

static void
test_mount_check_shapes(void)
{
	is_int(check("[{\"type\":\"bind\",\"source\":\"/x\",\"options\":[\"ro\",\"rbind\"]}]"), 0,
	       "bind list");
	is_int(
	    check(
		"[{\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=/a:/b\"]}]"),
	    0, "overlay list");
	is_int(check("[{\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]"), 0, "options may be absent");
	is_int(check("[]"), -1, "empty list");
	is_int(check("{}"), -1, "not an array");
	is_int(check("[{\"source\":\"/x\"}]"), -1, "no type");
	is_int(check("[{\"type\":\"\",\"source\":\"/x\"}]"), -1, "empty type");
	is_int(check("[{\"type\":\"bind\",\"source\":\"/x\",\"options\":[1]}]"), -1,
	       "option not a string");
	is_int(check("[{\"type\":\"tmpfs\",\"source\":\"t\",\"options\":[\"size=1m,mode=777\"]}]"),
	       -1, "a comma inside one option");
	is_int(check("[{\"type\":\"tmpfs\",\"source\":\"t\",\"options\":\"ro\"}]"), -1,
	       "options not an array");
}

static char *
mkdir_in(const char *name)
{
	char *p = xasprintf("%s/%s", tmp, name);
	struct err e;

	path_mkdir_p(AT_FDCWD, p, 0755, &e);
	return p;
}

static void
test_mount_bind_ro_and_rollback(void)
{
	_cleanup_free_ char *src = mkdir_in("src"), *dst = mkdir_in("dst");
	_cleanup_free_ char *j = xasprintf(
	    "[{\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"ro\",\"rbind\",\"nosuid\"]}]",
	    src);
	_cleanup_free_ char *bad = xasprintf("[{\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
					     "{\"type\":\"no-such-fs\",\"source\":\"%s\"}]",
					     src);
	_cleanup_free_ char *file = xasprintf("%s/f", dst);
	json_auto_t *m = jsonio_parse(j, strlen(j), "bind", &(struct err){0});
	json_auto_t *mb = jsonio_parse(bad, strlen(bad), "bad", &(struct err){0});
	struct statvfs sv;
	struct err e;

	ok(mount_apply(m, dst, &e) == 0, "bind mount");
	ok(statvfs(dst, &sv) == 0 && (sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NOSUID),
	   "read-only and nosuid took effect");
	ok(open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644) < 0 && errno == EROFS, "write refused");
	ok(mount_unmount(dst, &e) == 0, "unmount");
	ok(mount_unmount(dst, &e) < 0 && !strcmp(e.code, "invalid"), "not a mount point now");
	ok(mount_apply(mb, dst, &e) < 0, "a list whose second mount fails");
	ok(mount_unmount(dst, &e) < 0 && !strcmp(e.code, "invalid"), "nothing stays mounted");
}

/* 200 lowerdirs under a long path: far more than a page of mount data. */
static void
test_mount_overlay_long(void)
{
	_cleanup_free_ char *base = mkdir_in("a-rather-long-directory-name/to-push/the-options");
	_cleanup_free_ char *dst = mkdir_in("ovl");
	_cleanup_free_ char *opt = xstrdup("lowerdir=");
	_cleanup_free_ char *probe = xasprintf("%s/f150", dst);
	json_auto_t *m = NULL;
	struct err e = {0};

	for (int i = 0; i < 200; i++) {
		char *d = xasprintf("%s/layer-%03d", base, i), *n;
		char *f = xasprintf("%s/f%d", d, i);

		mkdir(d, 0755);
		close(open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		n = xasprintf("%s%s%s", opt, i ? ":" : "", d);
		free(opt);
		opt = n;
		free(d);
		free(f);
	}
	ok(strlen(opt) > 4096, "options longer than a page (%zu bytes)", strlen(opt));
	m = json_pack("[{s:s, s:s, s:[s]}]", "type", "overlay", "source", "overlay", "options",
		      opt);
	ok(mount_apply(m, dst, &e) == 0, "overlay of 200 layers mounts");
	if (e.msg[0])
		printf("# %s\n", e.msg);
	ok(access(probe, F_OK) == 0, "a file of layer 150 shows");
	ok(mount_unmount(dst, &e) == 0, "unmount");
}

int
main(void)
{
	struct err e = {0};

	if (!mkdtemp(tmp))
		return 1;
	RUN(test_mount_check_shapes);
	if (geteuid() == 0) {
		RUN(test_mount_bind_ro_and_rollback);
		RUN(test_mount_overlay_long);
	} else {
		printf("ok %d - # SKIP mounts need root\n", ++tap_n);
	}
	path_rm_rf(AT_FDCWD, tmp, &e);
	return tap_done();
}
