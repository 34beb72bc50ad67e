/* SPDX-License-Identifier: Apache-2.0 */
/* A container's CNI record and the ctr-netns calls that take down what it names. */
#include "cnistate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonio.h"
#include "netns-dir.h"
#include "spawn.h"
#include "xmem.h"

int
cnistate_netns(const struct state *st, const char *ns, const char *const *args, char **out,
	       struct err *e)
{
	struct spawn_io io = {.max = CNISTATE_OUT_MAX};
	int rc = spawn_tool(st, ns, "ctr-netns", "CTR_NETNS", args, &io, e);

	if (rc == 0 && out)
		*out = steal_ptr(io.out);
	spawn_io_release(&io);
	return rc == 0 ? 0 : -1;
}

json_t *
cnistate_load(const char *statedir)
{
	_cleanup_free_ char *file = xasprintf("%s/" CNISTATE_FILE, statedir);
	_cleanup_close_ int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? NULL : jsonio_load_fd(fd, CNISTATE_OUT_MAX, file, &(struct err){0});
}

int
cnistate_detach(const struct state *st, const char *ns, const char *statedir, struct err *e)
{
	_cleanup_free_ char *file = xasprintf("%s/" CNISTATE_FILE, statedir), *path = NULL;
	json_auto_t *doc = cnistate_load(statedir);
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
