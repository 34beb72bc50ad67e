/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 UTC timestamps with nanoseconds, one format for every record. */
#include "timestamp.h"

#include <stdio.h>

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
