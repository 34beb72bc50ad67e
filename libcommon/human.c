/* SPDX-License-Identifier: Apache-2.0 */
/* Sizes in binary units and ages in words, for the text tables; --json keeps exact numbers. */
#include "human.h"

#include <stdio.h>

#include "timestamp.h"

const char *
human_bytes(int64_t n, char buf[HUMAN_LEN])
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)n;
	int u = -1;

	if (n < 0)
		return snprintf(buf, HUMAN_LEN, "-"), buf;
	if (n < 1024)
		return snprintf(buf, HUMAN_LEN, "%lld B", (long long)n), buf;
	/* step up while the rounded figure would read 1024.0 or more */
	do {
		v /= 1024;
		u++;
	} while (v >= 1023.95 && u < 5);
	snprintf(buf, HUMAN_LEN, "%.1f %s", v, unit[u]);
	return buf;
}

const char *
human_cpu(long long ns, char buf[HUMAN_LEN])
{
	long long cs = ns / 10000000;

	if (ns < 0)
		return snprintf(buf, HUMAN_LEN, "-"), buf;
	snprintf(buf, HUMAN_LEN, "%lld:%02lld.%02lld", cs / 6000, cs / 100 % 60, cs % 100);
	return buf;
}

static const char *
ago(char buf[HUMAN_LEN], long n, const char *one, const char *many)
{
	if (n == 1)
		snprintf(buf, HUMAN_LEN, "%s ago", one);
	else
		snprintf(buf, HUMAN_LEN, "%ld %s ago", n, many);
	return buf;
}

const char *
human_since(time_t then, time_t now, char buf[HUMAN_LEN])
{
	long d = (long)(now - then);

	if (d < 0)
		return snprintf(buf, HUMAN_LEN, "just now"), buf;
	if (d < 1)
		return snprintf(buf, HUMAN_LEN, "Less than a second ago"), buf;
	if (d < 60)
		return ago(buf, d, "1 second", "seconds");
	if (d < 60 * 60)
		return ago(buf, d / 60, "About a minute", "minutes");
	if (d < 2 * 60 * 60 && d / 3600 == 1)
		return snprintf(buf, HUMAN_LEN, "About an hour ago"), buf;
	if (d < 48 * 60 * 60)
		return ago(buf, d / 3600, "About an hour", "hours");
	if (d < 14L * 24 * 3600)
		return ago(buf, d / 86400, "1 day", "days");
	if (d < 60L * 24 * 3600)
		return ago(buf, d / (7 * 86400), "1 week", "weeks");
	if (d < 365L * 24 * 3600)
		return ago(buf, d / (30 * 86400), "1 month", "months");
	return ago(buf, d / (365 * 86400), "1 year", "years");
}

const char *
human_since_rfc3339(const char *s, time_t now, char buf[HUMAN_LEN])
{
	struct timespec ts;

	if (!s || timestamp_parse(s, &ts) < 0)
		return snprintf(buf, HUMAN_LEN, "-"), buf;
	return human_since(ts.tv_sec, now, buf);
}
