/* SPDX-License-Identifier: Apache-2.0 */
/* Download progress for humans (bars on a TTY) or programs (JSON lines), on stderr. */
#ifndef CTR_PROGRESS_H
#define CTR_PROGRESS_H

#include <stdint.h>

enum progress_mode { PROGRESS_NONE, PROGRESS_TTY, PROGRESS_JSON };

struct progress_row {
	char digest[72];
	int64_t have, size;
	const char *status; /* "waiting", "downloading", "done", "exists" */
};

struct progress {
	enum progress_mode mode;
	struct progress_row *rows;
	int nrows, drawn;
	int width; /* the terminal's columns at the last redraw */
	double last_draw;
	const char *verb; /* a started layer's status: "downloading" unless set */
};

void progress_init(struct progress *p, enum progress_mode mode);
void progress_release(struct progress *p);
/* Name the transfer ("uploading" for ctr-push); the string is borrowed. */
void progress_set_verb(struct progress *p, const char *verb);
void progress_resolved(struct progress *p, const char *name, const char *digest, int nlayers,
		       int64_t total);
/* A layer transfer begins at offset (non-zero when resuming an earlier download). */
void progress_layer_start(struct progress *p, const char *digest, int64_t size, int64_t offset);
/* A transfer that could not be resumed starts again from byte 0, for the reason why. */
void progress_layer_restart(struct progress *p, const char *digest, const char *why);
/* have bytes of size are on disk; throttled to a few events per second. */
void progress_layer_bytes(struct progress *p, const char *digest, int64_t have, int64_t size);
/* how: "downloaded" or "exists"; transferred: bytes this run fetched for it. */
void progress_layer_done(struct progress *p, const char *digest, int64_t size, int64_t transferred,
			 const char *how);
void progress_done(struct progress *p, const char *digest, int64_t transferred, double secs);
double progress_now(void);

#endif
