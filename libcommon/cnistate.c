/* SPDX-License-Identifier: Apache-2.0 */
/* A container's CNI record and the ctr-netns calls that take down what it names. */
#include "cnistate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "netns-dir.h"
#include "spawn.h"
#include "xmem.h"

/* The last line of ctr-netns's stderr, without its "fatal:" prefix, as e. */
static int
netns_failed(int er, int rc, struct err *e)
{
	_cleanup_free_ char *msg = NULL;
	char *line, *nl;
	size_t len;

	lseek(er, 0, SEEK_SET);
	fdio_read_all(er, 4096, &msg, &len, &(struct err){0});
	line = msg ? msg : "";
	while ((nl = strrchr(line, '\n')) && !nl[1])
		*nl = 0;
	if ((nl = strrchr(line, '\n')))
		line = nl + 1;
	if (!strncmp(line, "ctr-netns: fatal: ", 18))
		line += 18;
	return err_code(e, rc == 100 ? "invalid" : "system", "%s",
			*line ? line : "ctr-netns failed");
}

int
cnistate_netns(const struct state *st, const char *ns, const char *const *args, char **out,
	       struct err *e)
{
	_cleanup_free_ char *exe = spawn_sibling("ctr-netns", "CTR_NETNS");
	_cleanup_close_ int o = memfd_create("ctr-netns-out", MFD_CLOEXEC);
	_cleanup_close_ int er = memfd_create("ctr-netns-err", MFD_CLOEXEC);
	const char *argv[24] = {exe, "--root", st->root, "--state", st->run, "-n", ns};
	struct spawn_opts so = SPAWN_OPTS_INIT;
	size_t n = 7, len;
	int rc;

	for (; *args && n < sizeof(argv) / sizeof(*argv) - 1; args++)
		argv[n++] = *args;
	if (o < 0 || er < 0)
		return err_set(e, errno, "memfd_create");
	so.stdin_fd = -1;
	so.stdout_fd = o;
	so.stderr_fd = er;
	rc = spawn_run((char *const *)argv, &so, e);
	if (rc < 0)
		return -1;
	if (rc != 0)
		return netns_failed(er, rc, e);
	if (!out)
		return 0;
	lseek(o, 0, SEEK_SET);
	return fdio_read_all(o, CNISTATE_OUT_MAX, out, &len, e);
}

int
cnistate_detach(const struct state *st, const char *ns, const char *statedir, struct err *e)
{
	_cleanup_free_ char *file = xasprintf("%s/" CNISTATE_FILE, statedir), *path = NULL;
	_cleanup_close_ int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_auto_t *doc =
	    fd < 0 ? NULL : jsonio_load_fd(fd, CNISTATE_OUT_MAX, file, &(struct err){0});
	const char *name = jsonio_str(doc, "netns");
	json_t *nets = json_object_get(doc, "networks");
	char ifname[24];
	int rc = 0;

	if (!doc)
		return 0;
	if (!name)
		return err_code(e, "corrupt", "%s: no \"netns\"", file);
	if (netns_dir_check_name(name, e) < 0)
		return -1;
	/* reverse order, each network told even when another failed; the first failure is said */
	for (size_t i = json_array_size(nets); i-- > 0;) {
		const char *net = json_string_value(json_array_get(nets, i));
		struct err one;

		snprintf(ifname, sizeof(ifname), "eth%zu", i);
		if (net &&
		    cnistate_netns(
			st, ns, (const char *[]){"cni", "del", "--ifname", ifname, net, name, NULL},
			NULL, &one) < 0 &&
		    rc == 0) {
			*e = one;
			rc = -1;
		}
	}
	path = netns_dir_path(name, e);
	if (path && access(path, F_OK) == 0 &&
	    cnistate_netns(st, ns, (const char *[]){"rm", name, NULL}, NULL,
			   rc ? &(struct err){0} : e) < 0)
		rc = -1;
	if (rc == 0)
		unlink(file);
	return rc;
}
