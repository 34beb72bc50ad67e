/* SPDX-License-Identifier: Apache-2.0 */
/* The events verb: the shims' event streams as JSON lines, each tagged with its container. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "jsonio.h"
#include "shimclient.h"
#include "xmem.h"

const struct opt_cmd cmd_events_spec = {
    "[ID]", "JSON lines of the exits and OOM kills of running containers (or of ID)", NULL, 0, 0};

static void
no_opt(int c, const char *arg, void *ctx)
{
	(void)c, (void)arg, (void)ctx;
}

/* Subscribe to one container; false when its shim is gone. */
static bool
subscribe(const struct state *st, const char *id, struct shim_conn *k)
{
	struct container c;
	struct err e;
	json_auto_t *req = json_pack("{s:s}", "op", "events");
	bool ok = false;

	container_init(&c, st, id);
	if (container_open(&c, st, &e) == 0 && container_shim_alive(&c, NULL) &&
	    shim_connect(&c, k, &e) == 0) {
		ok = shim_send(k, req, NULL, 0, &e) == 0;
		if (!ok)
			shim_close(k);
	}
	container_release(&c);
	return ok;
}

/* Print every line k has; false once the shim hung up. */
static bool
relay(struct shim_conn *k, const char *id)
{
	struct err e;

	do {
		json_auto_t *ev = shim_recv(k, &e);

		if (!ev)
			return false;
		/* the subscription's own {"ok":true} acknowledgement is not an event */
		if (json_object_get(ev, "ok") && !json_object_get(ev, "event"))
			continue;
		json_object_set_new(ev, "id", json_string(id));
		jsonio_write(stdout, ev);
	} while (shim_has_line(k));
	return true;
}

int
cmd_events(int argc, char **argv, struct state *st)
{
	int i = opt_parse(&cmd_events_spec, argc, argv, st, no_opt, NULL);
	json_auto_t *ids = NULL;
	struct err e;
	size_t n = 0, live;

	opt_operands(&cmd_events_spec, argc, argv, 0, 1);
	if (state_open(st, &e) < 0)
		die_err(&e);
	ids = i < argc ? json_pack("[s]", argv[i]) : container_list(st, &e);
	if (!ids)
		die_err(&e);
	struct shim_conn *k = xcalloc(json_array_size(ids) + 1, sizeof(*k));
	struct pollfd *p = xcalloc(json_array_size(ids) + 1, sizeof(*p));
	const char **names = xcalloc(json_array_size(ids) + 1, sizeof(*names));
	for (size_t j = 0; j < json_array_size(ids); j++) {
		const char *id = json_string_value(json_array_get(ids, j));

		if (subscribe(st, id, &k[n])) {
			names[n] = id;
			p[n] = (struct pollfd){.fd = k[n].fd, .events = POLLIN};
			n++;
		}
	}
	if (i < argc && n == 0)
		die(1, "container '%s' has no live shim", argv[i]);
	for (live = n; live > 0;) {
		if (poll(p, n, -1) < 0)
			continue;
		for (size_t j = 0; j < n; j++)
			if (p[j].fd >= 0 && p[j].revents && !relay(&k[j], names[j])) {
				shim_close(&k[j]);
				p[j].fd = -1;
				live--;
			}
	}
	free(k), free(p), free(names);
	return 0;
}
