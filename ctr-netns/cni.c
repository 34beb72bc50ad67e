/* SPDX-License-Identifier: Apache-2.0 */
/* CNI mode: environment and config in, IPAM delegated, result or error out. */
#include "cni.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdio.h"
#include "plugin.h"
#include "jsonio.h"
#include "prog.h"
#include "result.h"
#include "xmem.h"

static const char *const versions[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", NULL};

void
cni_fail(const struct cni *c, int code, const char *fmt, ...)
{
	char msg[512];
	json_t *doc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: fatal: %s\n", PROG, msg);
	/* the runtime reads the error from stdout; exit 1 tells it to look */
	doc =
	    json_pack("{s:s, s:i, s:s}", "cniVersion",
		      c && c->version ? c->version : RESULT_CNI_VERSION, "code", code, "msg", msg);
	if (doc)
		jsonio_write(stdout, doc);
	exit(1);
}

int
cni_parse_config(struct cni *c, int *code, struct err *e)
{
	json_error_t je;
	int gw = 0;
	json_int_t mtu = 0;

	*code = CNI_ERR_DECODE;
	c->cfg = jsonio_parse(c->conf, c->conflen, "stdin", e);
	if (!c->cfg)
		return -1;
	*code = CNI_ERR_CONFIG;
	c->bridge = "cni0";
	if (json_unpack_ex(c->cfg, &je, 0, "{s:s, s?s, s?b, s?I, s?{s:s}}", "cniVersion",
			   &c->version, "bridge", &c->bridge, "isGateway", &gw, "mtu", &mtu, "ipam",
			   "type", &c->ipam_type) < 0)
		return err_code(e, "invalid", "network config: %s", je.text);
	c->is_gw = gw;
	if (mtu && (mtu < 68 || mtu > 65535))
		return err_code(e, "invalid", "network config: invalid mtu %lld", (long long)mtu);
	c->mtu = (unsigned)mtu;
	*code = CNI_ERR_UNSUPPORTED;
	if (json_is_true(json_object_get(c->cfg, "ipMasq")))
		return err_code(e, "invalid",
				"ipMasq is not supported; chain a masquerading plugin");
	*code = CNI_ERR_CONFIG;
	if (inet_check_ifname(c->bridge, e) < 0)
		return err_prefix(e, "bridge");
	return 0;
}

static void
read_config(struct cni *c)
{
	struct err e;
	int code;

	if (fdio_read_all(0, JSONIO_MAX, &c->conf, &c->conflen, &e) < 0)
		cni_fail(c, CNI_ERR_SYSTEM, "read config: %s", e.msg);
	if (cni_parse_config(c, &code, &e) < 0)
		cni_fail(c, code, "%s", e.msg);
}

static void
check_version(struct cni *c)
{
	for (const char *const *v = versions; *v; v++)
		if (!strcmp(*v, c->version))
			return;
	cni_fail(c, CNI_ERR_VERSION, "unsupported cniVersion '%s'", c->version);
}

/* CNI_* variables; containerid, netns, ifname and path as the spec requires for cmd. */
static void
read_env(struct cni *c)
{
	struct err e;

	c->containerid = getenv("CNI_CONTAINERID");
	c->netns = getenv("CNI_NETNS");
	c->ifname = getenv("CNI_IFNAME");
	c->path = getenv("CNI_PATH");
	if (!c->containerid || !*c->containerid)
		cni_fail(c, CNI_ERR_ENV, "CNI_CONTAINERID is not set");
	if (!c->ifname || inet_check_ifname(c->ifname, &e) < 0)
		cni_fail(c, CNI_ERR_ENV, "CNI_IFNAME: %s", c->ifname ? e.msg : "not set");
	if (strcmp(c->command, "DEL") != 0 && (!c->netns || c->netns[0] != '/'))
		cni_fail(c, CNI_ERR_ENV, "CNI_NETNS must be an absolute path");
	if (!c->path)
		cni_fail(c, CNI_ERR_ENV, "CNI_PATH is not set");
}

static void
print_version(void)
{
	json_auto_t *doc =
	    json_pack("{s:s, s:[]}", "cniVersion", RESULT_CNI_VERSION, "supportedVersions");

	for (const char *const *v = versions; *v; v++)
		json_array_append_new(json_object_get(doc, "supportedVersions"), json_string(*v));
	jsonio_write(stdout, doc);
}

int
cni_main(void)
{
	struct cni c = {0};
	const char *cmd = getenv("CNI_COMMAND");

	c.command = xstrdup(cmd);
	if (!strcmp(cmd, "VERSION")) {
		print_version();
		return 0;
	}
	read_config(&c);
	check_version(&c);
	read_env(&c);
	if (!strcmp(c.command, "ADD"))
		cni_add(&c);
	else if (!strcmp(c.command, "DEL"))
		cni_del(&c);
	else if (!strcmp(c.command, "CHECK"))
		cni_check(&c);
	else
		cni_fail(&c, CNI_ERR_ENV, "unknown CNI_COMMAND '%s'", c.command);
	json_decref(c.ipam_res);
	json_decref(c.cfg);
	free(c.conf);
	free(c.command);
	return 0;
}
