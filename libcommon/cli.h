/* SPDX-License-Identifier: Apache-2.0 */
/* Option values and operands several tools share: numbers, progress modes, creds, image names. */
#ifndef CTR_CLI_H
#define CTR_CLI_H

#include <stdbool.h>

#include "opt.h"
#include "progress.h"

/* s as a number in [min, max]; anything else dies with usage naming what. */
long cli_number(const char *s, long min, long max, const char *what);
/* s as bytes in [min, max], with an optional binary suffix K, M, G (or KiB, MiB, GiB); else dies. */
long long cli_size(const char *s, long long min, long long max, const char *what);
/* "auto" (tty when stderr is a terminal), "tty", "json" or "none"; else dies. */
enum progress_mode cli_progress_mode(const char *s);
/* "USER:PASS" as is; "USER" alone takes the password from stdin's first line. */
const char *cli_creds(const char *s);
/* An image NAME operand as its normalised record name (ref_normalize); else dies. New string. */
char *cli_image_name(const char *s);

/* --progress MODE, -q (no progress, errors only) and --json of a transfer, to OPT_INCLUDE. */
enum { CLI_OPT_PROGRESS = 0x180, CLI_OPT_JSON };
extern const struct opt cli_transfer_opts[];
/* Take one of cli_transfer_opts into *mode (and the log level); false when c is not one. */
bool cli_transfer_opt(int c, const char *arg, enum progress_mode *mode);

#endif
