/* SPDX-License-Identifier: Apache-2.0 */
/* CNI networks through ctr-netns: a pinned namespace, each network's attachment, a record of both. */
#include "cni-attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "cnistate.h"
#include "jsonio.h"
#include "netns-dir.h"
#include "path.h"
#include "spawn.h"
#include "xmem.h"

int
cni_check_list(const char *list, struct err *e)
{
	_cleanup_free_ char *copy = xstrdup(list);
	char *save = NULL;
	int n = 0;

	for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save), n++)
		if (path_check_name(s, 128, e) < 0)
			return err_prefix(e, "--net cni: network name");
	if (n == 0 || n > CNI_NETS_MAX || list[strlen(list) - 1] == ',' || list[0] == ',' ||
	    strstr(list, ",,"))
		return err_code(e, "invalid",
				"--net cni:%.64s: want 1 to %d names, comma-separated", list,
				CNI_NETS_MAX);
	return 0;
}

static int
save(const char *statedir, const json_t *doc, struct err *e)
{
	_cleanup_close_ int fd = open(statedir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "open '%s'", statedir);
	return afile_write_json(fd, CNISTATE_FILE, doc, e);
}

int
cni_attach(const struct state *st, const char *statedir, const char *name, const char *list,
	   char **nspath, struct err *e)
{
	_cleanup_free_ char *copy = xstrdup(list);
	json_auto_t *doc = json_pack("{s:s, s:[], s:[]}", "netns", name, "networks", "results");
	char *save_ptr = NULL, ifname[24];
	struct err ignored;
	int i = 0;

	if (netns_dir_check_name(name, e) < 0)
		return err_prefix(e, "--net cni");
	/* the record first: whatever follows, a delete finds what to take down */
	if (save(statedir, doc, e) < 0)
		return -1;
	if (cnistate_netns(st, st->ns, (const char *[]){"create", name, NULL}, NULL, e) < 0)
		goto undo;
	for (char *s = strtok_r(copy, ",", &save_ptr); s; s = strtok_r(NULL, ",", &save_ptr), i++) {
		_cleanup_free_ char *out = NULL;
		json_t *res;

		snprintf(ifname, sizeof(ifname), "eth%d", i);
		json_array_append_new(json_object_get(doc, "networks"), json_string(s));
		if (save(statedir, doc, e) < 0 ||
		    cnistate_netns(
			st, st->ns,
			(const char *[]){"cni", "add", "--ifname", ifname, s, name, NULL}, &out,
			e) < 0) {
			err_prefix(e, "network '%s'", s);
			goto undo;
		}
		res = json_loads(out, 0, NULL);
		json_array_append_new(
		    json_object_get(doc, "results"),
		    json_pack("{s:s, s:s, s:o*}", "network", s, "ifname", ifname, "result", res));
	}
	if (save(statedir, doc, e) < 0)
		goto undo;
	if (!(*nspath = netns_dir_path(name, e)))
		goto undo;
	return 0;
undo:
	cni_detach(st, statedir, &ignored);
	return -1;
}

int
cni_detach(const struct state *st, const char *statedir, struct err *e)
{
	return cnistate_detach(st, st->ns, statedir, e);
}

json_t *
cni_describe(const char *statedir)
{
	json_auto_t *doc = cnistate_load(statedir);
	json_t *res = json_object_get(doc, "results");

	return res ? json_incref(res) : NULL;
}
