/* SPDX-License-Identifier: Apache-2.0 */
/* Numbers for people: sizes in binary units, ages as "3 minutes ago". */
#ifndef CTR_HUMAN_H
#define CTR_HUMAN_H

#include <stdint.h>
#include <time.h>

#define HUMAN_LEN 32

/* "0 B", "512 B", "1.5 KiB", "52.3 MiB", "1.2 GiB"; "-" for a negative (unknown) size. */
const char *human_bytes(int64_t n, char buf[HUMAN_LEN]);
/* CPU time as top's TIME+ column says it: "0:00.04", "12:07.50" (minutes, seconds,
 * hundredths); "-" for a negative (unknown) time. */
const char *human_cpu(long long ns, char buf[HUMAN_LEN]);
/* How long before now then was, as docker says it: "Less than a second ago", "3 minutes ago",
 * "About an hour ago", "2 days ago", "3 months ago"; a time in the future is "just now". */
const char *human_since(time_t then, time_t now, char buf[HUMAN_LEN]);
/* human_since of an RFC 3339 time; "-" when s does not parse. */
const char *human_since_rfc3339(const char *s, time_t now, char buf[HUMAN_LEN]);

#endif
