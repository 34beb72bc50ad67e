/* SPDX-License-Identifier: Apache-2.0 */
/* Option values shared by ctr-pull, ctr-push and ctr-image: numbers, progress modes, creds. */
#ifndef CTR_CLI_H
#define CTR_CLI_H

#include "progress.h"

/* s as a number in [min, max]; anything else dies with usage naming what. */
long cli_number(const char *s, long min, long max, const char *what);
/* s as bytes in [min, max], with an optional binary suffix K, M, G (or KiB, MiB, GiB); else dies. */
long long cli_size(const char *s, long long min, long long max, const char *what);
/* "auto" (tty when stderr is a terminal), "tty", "json" or "none"; else dies. */
enum progress_mode cli_progress_mode(const char *s);
/* "USER:PASS" as is; "USER" alone takes the password from stdin's first line. */
const char *cli_creds(const char *s);

#endif
