/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the event log: appends, turnover at EVENTLOG_MAX, readers across it. */
#include "tap.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include "eventlog.h"

static char dir[] = "/tmp/test-eventlog-XXXXXX";

static void
append_n(int n, int from, const char *id)
{
	for (int i = from; i < from + n; i++) {
		json_t *ev = json_pack("{s:s, s:i, s:s}", "event", "tick", "n", i, "pad",
				       "0123456789012345678901234567890123456789");

		eventlog_append(dir, id, ev);
		json_decref(ev);
	}
}

static void
test_eventlog_append_read(void)
{
	struct eventlog_reader r, late;
	json_t *ev;
	int n = 0;

	ok(eventlog_open(&r, dir, true) == 0, "a reader opens before the log exists");
	ok(eventlog_next(&r) == NULL, "nothing yet");
	ok(eventlog_open(&late, dir, false) == 0, "a follower from the end");
	append_n(3, 0, "c1");
	while ((ev = eventlog_next(&r))) {
		ok(json_integer_value(json_object_get(ev, "n")) == n, "event %d in order", n);
		is_str(json_string_value(json_object_get(ev, "id")), "c1", "its id");
		ok(json_object_get(ev, "time") != NULL, "its time");
		json_decref(ev);
		n++;
	}
	is_int(n, 3, "three events read");
	ev = eventlog_next(&late);
	ok(ev && json_integer_value(json_object_get(ev, "n")) == 0,
	   "a follower that opened before the log existed reads it from its start");
	json_decref(ev);
	eventlog_close(&late);
	eventlog_close(&r);
}

/* Four processes append at once past two turnovers; a reader from the start sees whole lines
 * only, each process's in order, and the newest ones; at most twice the limit is kept. */
static void
test_eventlog_turnover(void)
{
	struct eventlog_reader r;
	struct stat a, b;
	const int per = 8000; /* ~100 bytes each: 4 x 800 KB, the log turns over */
	int last[4] = {-1, -1, -1, -1}, order_ok = 1, bad = 0, seen = 0;
	json_t *ev;

	ok(eventlog_open(&r, dir, false) == 0, "a follower from the end");
	for (int p = 0; p < 4; p++)
		if (fork() == 0) {
			char id[8];

			snprintf(id, sizeof(id), "p%d", p);
			append_n(per, 0, id);
			_exit(0);
		}
	for (int p = 0; p < 4; p++)
		wait(NULL);
	ok(stat(dir, &a) == 0, "the directory is there");
	char path[256], old[256];
	snprintf(path, sizeof(path), "%s/" EVENTLOG_NAME, dir);
	snprintf(old, sizeof(old), "%s/" EVENTLOG_OLD, dir);
	ok(stat(path, &a) == 0 && stat(old, &b) == 0, "the log turned over");
	ok(a.st_size <= EVENTLOG_MAX + 4096 && b.st_size <= EVENTLOG_MAX + 4096,
	   "each file near the limit at most (%lld, %lld)", (long long)a.st_size,
	   (long long)b.st_size);
	is_int(a.st_mode & 0777, 0600, "the log is the owner's only");
	while ((ev = eventlog_next(&r))) {
		const char *id = json_string_value(json_object_get(ev, "id"));
		int n = (int)json_integer_value(json_object_get(ev, "n"));

		if (!id || id[0] != 'p' || id[1] < '0' || id[1] > '3' ||
		    !json_object_get(ev, "pad")) {
			bad++;
		} else {
			if (n <= last[id[1] - '0'])
				order_ok = 0;
			last[id[1] - '0'] = n;
		}
		seen++;
		json_decref(ev);
	}
	is_int(bad, 0, "no torn or foreign line among %d read", seen);
	ok(order_ok, "each appender's events in its order");
	/* a follower that fell behind skips files that turned over meanwhile, but it reads the
	 * newest: some appender's last event is among what it read */
	ok(last[0] == per - 1 || last[1] == per - 1 || last[2] == per - 1 || last[3] == per - 1,
	   "the newest events read (%d %d %d %d)", last[0], last[1], last[2], last[3]);
	eventlog_close(&r);
	ok(eventlog_open(&r, dir, true) == 0, "a reader from the oldest kept");
	ev = eventlog_next(&r);
	ok(ev && json_integer_value(json_object_get(ev, "n")) > 0,
	   "the oldest events are gone (first kept: %lld)",
	   ev ? (long long)json_integer_value(json_object_get(ev, "n")) : -1LL);
	json_decref(ev);
	eventlog_close(&r);
}

int
main(void)
{
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	RUN(test_eventlog_append_read);
	RUN(test_eventlog_turnover);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
