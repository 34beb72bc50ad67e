/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for sizes and ages in words, and for reading RFC 3339 times back. */
#include "tap.h"

#include "human.h"
#include "timestamp.h"

static void
test_human_bytes(void)
{
	static const struct {
		int64_t n;
		const char *want;
	} cases[] = {
	    {-1, "-"},
	    {0, "0 B"},
	    {1, "1 B"},
	    {1023, "1023 B"},
	    {1024, "1.0 KiB"},
	    {1536, "1.5 KiB"},
	    {1048575, "1.0 MiB"}, /* 1023.999 KiB would read "1024.0 KiB" */
	    {1048576, "1.0 MiB"},
	    {54840934, "52.3 MiB"},
	    {(int64_t)3 << 30, "3.0 GiB"},
	    {(int64_t)5 << 40, "5.0 TiB"},
	    {INT64_MAX, "8.0 EiB"},
	};
	char buf[HUMAN_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(human_bytes(cases[i].n, buf), cases[i].want, "%lld bytes",
		       (long long)cases[i].n);
}

static void
test_human_cpu(void)
{
	char buf[HUMAN_LEN];

	is_str(human_cpu(0, buf), "0:00.00", "no time");
	is_str(human_cpu(9999999, buf), "0:00.00", "under a hundredth");
	is_str(human_cpu(40000000, buf), "0:00.04", "40 ms");
	is_str(human_cpu(59990000000LL, buf), "0:59.99", "just under a minute");
	is_str(human_cpu(60000000000LL, buf), "1:00.00", "a minute");
	is_str(human_cpu(727500000000LL, buf), "12:07.50", "12 minutes 7.5 s");
	is_str(human_cpu(-1, buf), "-", "unknown");
}

static void
test_human_since(void)
{
	static const struct {
		long d;
		const char *want;
	} cases[] = {
	    {-5, "just now"},
	    {0, "Less than a second ago"},
	    {1, "1 second ago"},
	    {59, "59 seconds ago"},
	    {60, "About a minute ago"},
	    {119, "About a minute ago"},
	    {120, "2 minutes ago"},
	    {3599, "59 minutes ago"},
	    {3600, "About an hour ago"},
	    {7199, "About an hour ago"},
	    {7200, "2 hours ago"},
	    {47 * 3600, "47 hours ago"},
	    {48 * 3600, "2 days ago"},
	    {13 * 86400, "13 days ago"},
	    {14 * 86400, "2 weeks ago"},
	    {59 * 86400, "8 weeks ago"},
	    {60 * 86400, "2 months ago"},
	    {364 * 86400, "12 months ago"},
	    {365 * 86400, "1 year ago"},
	    {3 * 365 * 86400, "3 years ago"},
	};
	const time_t now = 1800000000;
	char buf[HUMAN_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(human_since(now - cases[i].d, now, buf), cases[i].want, "%ld s", cases[i].d);
}

static void
test_timestamp_parse(void)
{
	static const struct {
		const char *s;
		long long sec;
		long ns;
	} good[] = {
	    {"1970-01-01T00:00:00Z", 0, 0},
	    {"2026-11-28T10:00:00Z", 1795860000, 0},
	    {"2026-11-28T10:00:00.5Z", 1795860000, 500000000},
	    {"2026-11-28T10:00:00.123456789Z", 1795860000, 123456789},
	    {"2026-11-28T10:00:00.1234567891Z", 1795860000, 123456789}, /* beyond ns: dropped */
	    {"2026-11-28T11:30:00+01:30", 1795860000, 0},
	    {"2026-11-28T08:00:00-02:00", 1795860000, 0},
	    {"2026-11-28t10:00:00z", 1795860000, 0},
	};
	static const char *const bad[] = {
	    "",
	    "2026-11-28",
	    "2026-11-28T10:00:00",
	    "2026-11-28T10:00:00.Z",
	    "2026-13-28T10:00:00Z",
	    "2026-11-28T24:00:00Z",
	    "2026-11-28T10:00:00+0100",
	    "2026-11-28T10:00:00Zjunk",
	    "20261128T100000Z",
	    " 2026-11-28T10:00:00Z",
	};
	struct timespec ts;
	char buf[TIMESTAMP_LEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ok(timestamp_parse(good[i].s, &ts) == 0, "'%s' parses", good[i].s);
		ok(ts.tv_sec == good[i].sec && ts.tv_nsec == good[i].ns, "'%s' is %lld.%09ld",
		   good[i].s, good[i].sec, good[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(timestamp_parse(bad[i], &ts), -1, "'%s' refused", bad[i]);
	ts.tv_sec = 1795860000;
	ts.tv_nsec = 42;
	timestamp_format(&ts, buf);
	ts.tv_sec = ts.tv_nsec = 0;
	ok(timestamp_parse(buf, &ts) == 0 && ts.tv_sec == 1795860000 && ts.tv_nsec == 42,
	   "what timestamp_format writes reads back");
	is_str(human_since_rfc3339("2026-11-28T10:00:00Z", 1795860000 + 180, buf), "3 minutes ago",
	       "an RFC 3339 age");
	is_str(human_since_rfc3339("yesterday", 0, buf), "-", "an unreadable time is '-'");
}

int
main(void)
{
	RUN(test_human_bytes);
	RUN(test_human_cpu);
	RUN(test_human_since);
	RUN(test_timestamp_parse);
	return tap_done();
}
