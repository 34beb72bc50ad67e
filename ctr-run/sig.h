/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names and numbers. */
#ifndef CTR_RUN_SIG_H
#define CTR_RUN_SIG_H

/* "9", "KILL", "SIGKILL", "sigterm", "RTMIN+2" -> the number, or -1. */
int sig_parse(const char *s);

#endif
