/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the state directory: defaults, overrides, absolute paths, 0700 directories. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "priv.h"
#include "state.h"

static char tmp[] = "/tmp/ctr-test-state-XXXXXX";

static void
clear_env(void)
{
	unsetenv("CTR_ROOT");
	unsetenv("CTR_STATE");
	unsetenv("CTR_NAMESPACE");
}

static void
test_state_defaults(void)
{
	struct state st;

	clear_env();
	state_init(&st);
	if (priv_rootless()) {
		ok(st.root && strcmp(st.root, "/var/lib/ctr"),
		   "a rootless user's root is not root's");
		ok(!st.run || strcmp(st.run, "/run/ctr"), "nor its state");
	} else {
		is_str(st.root, "/var/lib/ctr", "default root");
		is_str(st.run, "/run/ctr", "default state");
	}
	is_str(st.ns, "default", "default namespace");
	ok(st.rootfd == -1 && st.runfd == -1, "nothing opened yet");
	state_release(&st);
	ok(!st.root && !st.run && !st.ns, "release clears the strings");
	state_release(&st); /* a second release is harmless */
	ok(st.rootfd == -1, "and the fds");
}

static void
test_state_user_defaults(void)
{
	char *root, *run;

	state_user_defaults("/d", "/home/u", "/run/user/7", &root, &run);
	is_str(root, "/d/ctr", "$XDG_DATA_HOME/ctr first");
	is_str(run, "/run/user/7/ctr", "$XDG_RUNTIME_DIR/ctr");
	free(root);
	free(run);
	state_user_defaults(NULL, "/home/u", NULL, &root, &run);
	is_str(root, "/home/u/.local/share/ctr", "else ~/.local/share/ctr");
	ok(!run, "no XDG_RUNTIME_DIR: no state directory (refused when opened)");
	free(root);
	state_user_defaults("rel", "/home/u", "rel/run", &root, &run);
	is_str(root, "/home/u/.local/share/ctr", "a relative XDG_DATA_HOME is ignored");
	ok(!run, "and a relative XDG_RUNTIME_DIR");
	free(root);
	state_user_defaults(NULL, NULL, NULL, &root, &run);
	ok(!root && !run, "no HOME either: nothing");
}

static void
test_state_missing_refused(void)
{
	struct state st;
	struct err e;
	char abs[256];

	state_init(&st);
	free(st.run);
	st.run = NULL; /* what state_init leaves a user without XDG_RUNTIME_DIR */
	snprintf(abs, sizeof(abs), "%s/mroot", tmp);
	state_set_root(&st, abs);
	is_int(state_open(&st, &e), -1, "no state directory: refused");
	ok(strstr(e.msg, "XDG_RUNTIME_DIR") && strstr(e.msg, "--state"),
	   "names what is missing and what to give: %s", e.msg);
	is_str(e.code, "invalid", "code invalid");
	state_release(&st);
}

static void
test_state_env_and_setters(void)
{
	struct state st;

	setenv("CTR_ROOT", "/srv/root", 1);
	setenv("CTR_STATE", "/srv/run", 1);
	setenv("CTR_NAMESPACE", "ns1", 1);
	state_init(&st);
	is_str(st.root, "/srv/root", "$CTR_ROOT");
	is_str(st.run, "/srv/run", "$CTR_STATE");
	is_str(st.ns, "ns1", "$CTR_NAMESPACE");
	state_set_root(&st, "/opt/r");
	state_set_run(&st, "/opt/s");
	state_set_ns(&st, "ns2");
	is_str(st.root, "/opt/r", "--root beats the environment");
	is_str(st.run, "/opt/s", "--state beats the environment");
	is_str(st.ns, "ns2", "-n beats the environment");
	state_release(&st);

	setenv("CTR_ROOT", "", 1);
	setenv("CTR_STATE", "", 1);
	setenv("CTR_NAMESPACE", "", 1);
	state_init(&st);
	if (!priv_rootless()) {
		is_str(st.root, "/var/lib/ctr", "empty $CTR_ROOT means the default");
		is_str(st.run, "/run/ctr", "empty $CTR_STATE means the default");
	}
	is_str(st.ns, "default", "empty $CTR_NAMESPACE means the default");
	state_release(&st);
	clear_env();
}

static void
test_state_relative_refused(void)
{
	struct state st;
	struct err e;
	char abs[256];

	state_init(&st);
	state_set_root(&st, "relative/root");
	snprintf(abs, sizeof(abs), "%s/run", tmp);
	state_set_run(&st, abs);
	is_int(state_open(&st, &e), -1, "relative root refused");
	ok(strstr(e.msg, "absolute"), "message says why: %s", e.msg);
	is_str(e.code, "invalid", "code invalid");
	ok(access("relative", F_OK) != 0, "nothing created in the working directory");

	snprintf(abs, sizeof(abs), "%s/root", tmp);
	state_set_root(&st, abs);
	state_set_run(&st, "run");
	is_int(state_open(&st, &e), -1, "relative state refused");
	ok(strstr(e.msg, "absolute"), "message says why: %s", e.msg);
	state_release(&st);
}

static void
test_state_bad_namespace(void)
{
	static const char *const bad[] = {"",	     ".",      "..",  "a/b",	 "a\nb",
					  "runtime", "unpack", "cni", "cri.sock"};
	char root[256], run[256];
	struct state st;
	struct err e;

	snprintf(root, sizeof(root), "%s/nsroot", tmp);
	snprintf(run, sizeof(run), "%s/nsrun", tmp);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		state_init(&st);
		state_set_root(&st, root);
		state_set_run(&st, run);
		state_set_ns(&st, bad[i]);
		is_int(state_open(&st, &e), -1, "bad namespace #%zu refused", i);
		ok(!strncmp(e.msg, "namespace", 9), "#%zu: message starts with 'namespace'", i);
		state_release(&st);
	}
	ok(access(root, F_OK) != 0, "a bad namespace creates nothing");
}

static mode_t
mode_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) < 0 ? (mode_t)-1 : st.st_mode;
}

static void
test_state_open_and_dirs(void)
{
	char root[256], run[256], p[512];
	struct state st;
	struct err e;
	struct stat sb;
	int fd;

	umask(022);
	snprintf(root, sizeof(root), "%s/deep/root", tmp);
	snprintf(run, sizeof(run), "%s/deep/run", tmp);
	state_init(&st);
	state_set_root(&st, root);
	state_set_run(&st, run);
	is_int(state_dir(&st, "images", 0, &e), -1, "state_dir before state_open fails");
	is_int(state_open(&st, &e), 0, "state_open creates missing directories");
	is_int(mode_of(root) & 07777, 0700, "root is 0700");
	is_int(mode_of(run) & 07777, 0700, "run is 0700");
	ok(st.rootfd >= 0 && st.runfd >= 0, "both opened");
	ok(fcntl(st.rootfd, F_GETFD) & FD_CLOEXEC, "rootfd is close-on-exec");
	is_int(state_open(&st, &e), 0, "a second state_open is fine");

	fd = state_dir(&st, "images/default", 0, &e);
	ok(fd >= 0, "state_dir images/default");
	snprintf(p, sizeof(p), "%s/images/default", root);
	is_int(mode_of(p) & 07777, 0700, "created 0700");
	snprintf(p, sizeof(p), "%s/images", root);
	is_int(mode_of(p) & 07777, 0700, "its parent too");
	ok(fd >= 0 && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode), "an O_DIRECTORY fd");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "close-on-exec");
	if (fd >= 0)
		close(fd);

	fd = state_dir(&st, "default/c1", 1, &e);
	snprintf(p, sizeof(p), "%s/default/c1", run);
	ok(fd >= 0 && S_ISDIR(mode_of(p)), "state_dir under run");
	if (fd >= 0)
		close(fd);

	snprintf(p, sizeof(p), "%s/elsewhere", tmp);
	mkdir(p, 0700);
	snprintf(root + strlen(root), sizeof(root) - strlen(root), "/link");
	symlink(p, root);
	is_int(state_dir(&st, "link", 0, &e), -1, "a symlink as the last component is refused");
	ok(e.sys == ELOOP || e.sys == ENOTDIR, "with ELOOP or ENOTDIR (%d)", e.sys);
	state_release(&st);
	ok(st.rootfd == -1 && st.runfd == -1, "release closes the fds");
}

int
main(void)
{
	struct err e;

	if (!mkdtemp(tmp)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	RUN(test_state_defaults);
	RUN(test_state_user_defaults);
	RUN(test_state_missing_refused);
	RUN(test_state_env_and_setters);
	RUN(test_state_relative_refused);
	RUN(test_state_bad_namespace);
	RUN(test_state_open_and_dirs);
	ok(path_rm_rf(AT_FDCWD, tmp, &e) == 0, "temporary directory removed");
	return tap_done();
}
