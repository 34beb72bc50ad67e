/* SPDX-License-Identifier: Apache-2.0 */
/* Times as records store them: RFC 3339 in UTC with nanoseconds. */
#ifndef CTR_TIMESTAMP_H
#define CTR_TIMESTAMP_H

#include <time.h>

#include "err.h"

#define TIMESTAMP_LEN 40 /* "2026-11-28T10:00:00.123456789Z" and its NUL, with room */

/* Format ts as "YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ" into buf. */
void timestamp_format(const struct timespec *ts, char buf[TIMESTAMP_LEN]);
/* The current time (CLOCK_REALTIME), formatted. */
void timestamp_now(char buf[TIMESTAMP_LEN]);
/* An RFC 3339 time ("2026-11-28T10:00:00Z", a fraction of up to 9 digits, Z or +HH:MM)
 * into ts, in UTC; -1 when s is anything else. */
int timestamp_parse(const char *s, struct timespec *ts);
/*
 * $SOURCE_DATE_EPOCH (reproducible-builds.org), the time that reproducible
 * output uses instead of now: 1 and *out set when it is set, 0 when not, -1
 * ("usage") when it is not a number of seconds.
 */
int timestamp_source_date(long long *out, struct err *e);

#endif
