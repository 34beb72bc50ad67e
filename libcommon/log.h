/* SPDX-License-Identifier: Apache-2.0 */
/* Messages for humans on stderr, prefixed with the program's name. */
#ifndef CTR_LOG_H
#define CTR_LOG_H

enum log_level { LOG_QUIET = 0, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern const char *PROG;	 /* the tool's name, set by prog_init */
extern enum log_level log_level; /* LOG_WARN unless -q, -v or $CTR_LOG */

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse "quiet|error|warn|info|debug"; returns -1 on an unknown word. */
int log_parse_level(const char *s, enum log_level *out);

#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
