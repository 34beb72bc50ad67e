/* SPDX-License-Identifier: Apache-2.0 */
/* CNI networks through ctr-netns: a pinned namespace, each network's attachment, a record of both. */
#include "cni-attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "afile.h"
#include "cleanup.h"
#include "fdio.h"
#include "jsonio.h"
#include "netns-dir.h"
#include "path.h"
#include "spawn.h"
#include "xmem.h"

#define CNI_FILE "cni.json"
#define CNI_OUT_MAX (1 << 20)

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

/*
 * ctr-netns ARGS... with our root, state and namespace; its stdout in *out
 * when out is not NULL. A failure is one line: ctr-netns's own, folded in.
 */
static int
netns_tool(const struct state *st, const char *const *args, char **out, struct err *e)
{
	_cleanup_free_ char *exe = spawn_sibling("ctr-netns", "CTR_NETNS");
	_cleanup_close_ int o = memfd_create("ctr-netns-out", MFD_CLOEXEC);
	_cleanup_close_ int er = memfd_create("ctr-netns-err", MFD_CLOEXEC);
	_cleanup_free_ char *msg = NULL;
	const char *argv[24] = {exe, "--root", st->root, "--state", st->run, "-n", st->ns};
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
	if (rc != 0) {
		char *line, *nl;

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
	if (out) {
		lseek(o, 0, SEEK_SET);
		return fdio_read_all(o, CNI_OUT_MAX, out, &len, e);
	}
	return 0;
}

static int
save(const char *statedir, const json_t *doc, struct err *e)
{
	_cleanup_close_ int fd = open(statedir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "open '%s'", statedir);
	return afile_write_json(fd, CNI_FILE, doc, e);
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
	if (netns_tool(st, (const char *[]){"create", name, NULL}, NULL, e) < 0)
		goto undo;
	for (char *s = strtok_r(copy, ",", &save_ptr); s; s = strtok_r(NULL, ",", &save_ptr), i++) {
		_cleanup_free_ char *out = NULL;
		json_t *res;

		snprintf(ifname, sizeof(ifname), "eth%d", i);
		json_array_append_new(json_object_get(doc, "networks"), json_string(s));
		if (save(statedir, doc, e) < 0 ||
		    netns_tool(st,
			       (const char *[]){"cni", "add", "--ifname", ifname, s, name, NULL},
			       &out, e) < 0) {
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

static json_t *
load(const char *statedir)
{
	_cleanup_free_ char *path = xasprintf("%s/" CNI_FILE, statedir);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? NULL : jsonio_load_fd(fd, CNI_OUT_MAX, CNI_FILE, &(struct err){0});
}

int
cni_detach(const struct state *st, const char *statedir, struct err *e)
{
	json_auto_t *doc = load(statedir);
	const char *name = jsonio_str(doc, "netns");
	json_t *nets = json_object_get(doc, "networks");
	_cleanup_free_ char *path = NULL;
	char ifname[24];
	int rc = 0;

	if (!doc || !name || netns_dir_check_name(name, e) < 0)
		return doc ? -1 : 0;
	/* reverse order, each network told even when another failed; the first failure is said */
	for (size_t i = json_array_size(nets); i-- > 0;) {
		struct err one;

		snprintf(ifname, sizeof(ifname), "eth%zu", i);
		if (netns_tool(st,
			       (const char *[]){"cni", "del", "--ifname", ifname,
						json_string_value(json_array_get(nets, i)), name,
						NULL},
			       NULL, &one) < 0 &&
		    rc == 0) {
			*e = one;
			rc = -1;
		}
	}
	path = netns_dir_path(name, e);
	if (path && access(path, F_OK) == 0 &&
	    netns_tool(st, (const char *[]){"rm", name, NULL}, NULL, rc ? &(struct err){0} : e) < 0)
		rc = -1;
	if (rc == 0) {
		_cleanup_free_ char *f = xasprintf("%s/" CNI_FILE, statedir);

		unlink(f);
	}
	return rc;
}

json_t *
cni_describe(const char *statedir)
{
	json_auto_t *doc = load(statedir);
	json_t *res = json_object_get(doc, "results");

	return res ? json_incref(res) : NULL;
}
