/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 UTC timestamps with nanoseconds, one format for every record. */
#include "timestamp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
timestamp_format(const struct timespec *ts, char buf[TIMESTAMP_LEN])
{
	struct tm tm;
	size_t n;

	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, TIMESTAMP_LEN - n, ".%09ldZ", ts->tv_nsec);
}

void
timestamp_now(char buf[TIMESTAMP_LEN])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	timestamp_format(&ts, buf);
}

static int
digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	*out = v;
	return 0;
}

static int
expect(const char **s, const char *set)
{
	if (!**s || !strchr(set, **s))
		return -1;
	(*s)++;
	return 0;
}

int
timestamp_parse(const char *s, struct timespec *ts)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	long ns = 0, scale = 100000000;

	if (digits(&s, 4, &y) || expect(&s, "-") || digits(&s, 2, &mo) || expect(&s, "-") ||
	    digits(&s, 2, &d) || expect(&s, "Tt ") || digits(&s, 2, &h) || expect(&s, ":") ||
	    digits(&s, 2, &mi) || expect(&s, ":") || digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			if (scale)
				ns += (*s - '0') * scale;
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (digits(&s, 2, &oh) || expect(&s, ":") || digits(&s, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
	} else
		return -1;
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	ts->tv_sec = timegm(&tm) - sign * (oh * 3600 + om * 60);
	ts->tv_nsec = ns;
	return 0;
}

int
timestamp_source_date(long long *out, struct err *e)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;

	if (!s || !*s)
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno || *end || *out < 0 || *s < '0' || *s > '9')
		return err_code(e, "usage", "SOURCE_DATE_EPOCH '%.32s' is not a number of seconds",
				s);
	return 1;
}
