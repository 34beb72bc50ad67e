/* SPDX-License-Identifier: Apache-2.0 */
/* The events verb: the namespace's event log, replayed from a time and followed as it grows. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cmd.h"
#include "eventlog.h"
#include "jsonio.h"
#include "path.h"
#include "timestamp.h"
#include "xmem.h"

enum { O_SINCE = 0x100, O_UNTIL };

static const struct opt events_opts[] = {
    {"since", O_SINCE, "TIME", "from TIME on (RFC 3339, or a while ago: 90s, 10m, 2h; 0: all kept)",
     NULL},
    {"until", O_UNTIL, "TIME", "stop at TIME (default: run until interrupted)", NULL},
    OPT_END,
};
const struct opt_cmd cmd_events_spec = {
    "[ID...]", "the namespace's container events as JSON lines, as they happen", events_opts, 0, 0};

struct events_args {
	const char *since, *until;
};

static void
events_opt(int c, const char *arg, void *ctx)
{
	struct events_args *a = ctx;

	if (c == O_SINCE)
		a->since = arg;
	else if (c == O_UNTIL)
		a->until = arg;
}

/* TIME: RFC 3339, or a duration before now: "90s", "10m", "2h" ("0" is the oldest kept). */
static struct timespec
parse_time(const char *s, const char *opt)
{
	struct timespec ts = {0};
	char *end;
	long long n;

	if (timestamp_parse(s, &ts) == 0)
		return ts;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (end != s && !errno && n >= 0 && (!*end || (strchr("smh", *end) && !end[1]))) {
		if (n == 0 && !*end)
			return ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec -= n * (*end == 'h' ? 3600 : *end == 'm' ? 60 : 1);
		return ts;
	}
	opt_die(&cmd_events_spec, "%s '%s': not an RFC 3339 time nor a duration such as 10m", opt,
		s);
}

static int
cmp_ts(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec ? (a->tv_sec < b->tv_sec ? -1 : 1)
				      : (a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec);
}

/* Is ev one to print: of one of the ids (none: all), at or after since? */
static bool
wanted(const json_t *ev, char **ids, int nids, const struct timespec *since)
{
	struct timespec t;
	const char *id = jsonio_str(ev, "id");
	bool match = nids == 0;

	for (int i = 0; i < nids && !match && id; i++)
		match = !strcmp(ids[i], id);
	if (!match)
		return false;
	return !since ||
	       (timestamp_parse(jsonio_str(ev, "time") ? jsonio_str(ev, "time") : "", &t) == 0 &&
		cmp_ts(&t, since) >= 0);
}

/* Milliseconds until t (0 once past it); -1 for no t. */
static int
ms_until(const struct timespec *t)
{
	struct timespec now;
	long long ms;

	if (!t)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	ms = (long long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

int
cmd_events(int argc, char **argv, struct state *st)
{
	struct events_args a = {0};
	int i = opt_parse(&cmd_events_spec, argc, argv, st, events_opt, &a);
	struct timespec since = {0}, until = {0};
	struct eventlog_reader r;
	_cleanup_free_ char *nsdir = NULL;
	struct err e;

	if (a.since)
		since = parse_time(a.since, "--since");
	if (a.until)
		until = parse_time(a.until, "--until");
	for (int j = i; j < argc; j++)
		if (path_check_id(argv[j], CONTAINER_ID_MAX, &e) < 0)
			die(100, "%s", e.msg);
	if (state_open(st, &e) < 0)
		die_err(&e);
	nsdir = xasprintf("%s/%s", st->run, st->ns);
	if (path_mkdir_p(AT_FDCWD, nsdir, 0700, &e) < 0)
		die_err(&e);
	if (eventlog_open(&r, nsdir, a.since != NULL) < 0)
		die(111, "open the event log in '%s': %s", nsdir, strerror(errno));
	/* every line out as it comes: a pipe reader sees each event when it happens */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		json_t *ev;
		struct timespec t;

		while ((ev = eventlog_next(&r))) {
			if (a.until && timestamp_parse(jsonio_str(ev, "time") ?: "", &t) == 0 &&
			    cmp_ts(&t, &until) > 0) {
				json_decref(ev);
				goto out;
			}
			if (wanted(ev, argv + i, argc - i, a.since ? &since : NULL))
				jsonio_write(stdout, ev);
			json_decref(ev);
		}
		if (a.until && ms_until(&until) == 0)
			break;
		struct pollfd p = {.fd = eventlog_wait_fd(&r), .events = POLLIN};
		/* without inotify (or a full queue), look again every half second */
		if (poll(&p, 1,
			 p.fd < 0  ? 500
			 : a.until ? ms_until(&until)
				   : -1) < 0 &&
		    errno != EINTR)
			die(111, "wait for events: %s", strerror(errno));
	}
out:
	eventlog_close(&r);
	return 0;
}
