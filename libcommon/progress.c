/* SPDX-License-Identifier: Apache-2.0 */
/* Progress output on stderr: redrawn bars on a TTY, or one JSON object per event. */
#include "progress.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xmem.h"

#define REDRAW_SECS 0.2

double
progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
progress_init(struct progress *p, enum progress_mode mode)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
}

void
progress_set_verb(struct progress *p, const char *verb)
{
	p->verb = verb;
}

void
progress_release(struct progress *p)
{
	free(p->rows);
	p->rows = NULL;
}

/* stderr carries progress: stdout is reserved for the image document */
static void
event(struct progress *p, json_t *ev)
{
	if (p->mode == PROGRESS_JSON && ev) {
		json_dumpf(ev, stderr, JSON_COMPACT);
		fputc('\n', stderr);
		fflush(stderr);
	}
	json_decref(ev);
}

static struct progress_row *
row(struct progress *p, const char *digest)
{
	for (int i = 0; i < p->nrows; i++)
		if (!strcmp(p->rows[i].digest, digest))
			return &p->rows[i];
	p->rows = xrealloc(p->rows, (size_t)(p->nrows + 1) * sizeof(*p->rows));
	memset(&p->rows[p->nrows], 0, sizeof(*p->rows));
	snprintf(p->rows[p->nrows].digest, sizeof(p->rows->digest), "%s", digest);
	p->rows[p->nrows].status = "waiting";
	return &p->rows[p->nrows++];
}

static void
draw(struct progress *p, bool force)
{
	double now = progress_now();

	if (p->mode != PROGRESS_TTY || (!force && now - p->last_draw < REDRAW_SECS))
		return;
	p->last_draw = now;
	if (p->drawn)
		fprintf(stderr, "\033[%dA", p->drawn); /* back to the first bar */
	for (int i = 0; i < p->nrows; i++) {
		struct progress_row *r = &p->rows[i];
		int fill = r->size > 0 ? (int)(30 * r->have / r->size) : 30;

		fprintf(stderr, "\r%.19s [%.*s%*s] %8.1f/%.1f MB %s\033[K\n", r->digest + 7, fill,
			"==============================", 30 - fill, "", (double)r->have / 1e6,
			(double)r->size / 1e6, r->status);
	}
	p->drawn = p->nrows;
	fflush(stderr);
}

void
progress_resolved(struct progress *p, const char *name, const char *digest, int nlayers,
		  int64_t total)
{
	event(p, json_pack("{s:s, s:s, s:s, s:i, s:I}", "event", "resolved", "name", name, "digest",
			   digest, "layers", nlayers, "size", (json_int_t)total));
	if (p->mode == PROGRESS_TTY)
		fprintf(stderr, "%s: resolved %s\n", name, digest);
}

void
progress_layer_start(struct progress *p, const char *digest, int64_t size, int64_t offset)
{
	struct progress_row *r = row(p, digest);

	r->have = offset;
	r->size = size;
	r->status = offset ? "resuming" : p->verb ? p->verb : "downloading";
	event(p, json_pack("{s:s, s:s, s:I, s:I}", "event", "layer-start", "digest", digest, "size",
			   (json_int_t)size, "offset", (json_int_t)offset));
	draw(p, true);
}

void
progress_layer_bytes(struct progress *p, const char *digest, int64_t have, int64_t size)
{
	struct progress_row *r = row(p, digest);
	double now = progress_now();

	r->have = have;
	r->size = size;
	if (p->mode == PROGRESS_JSON && now - p->last_draw >= REDRAW_SECS) {
		p->last_draw = now;
		event(p, json_pack("{s:s, s:s, s:I, s:I}", "event", "layer-progress", "digest",
				   digest, "bytes", (json_int_t)have, "size", (json_int_t)size));
	}
	draw(p, false);
}

void
progress_layer_done(struct progress *p, const char *digest, int64_t size, int64_t transferred,
		    const char *how)
{
	struct progress_row *r = row(p, digest);

	r->have = r->size = size;
	r->status = how;
	event(p, json_pack("{s:s, s:s, s:I, s:I, s:s}", "event", "layer-done", "digest", digest,
			   "size", (json_int_t)size, "transferred", (json_int_t)transferred,
			   "status", how));
	draw(p, true);
}

void
progress_done(struct progress *p, const char *digest, int64_t transferred, double secs)
{
	event(p, json_pack("{s:s, s:s, s:I, s:f}", "event", "done", "digest", digest, "transferred",
			   (json_int_t)transferred, "seconds", secs));
	if (p->mode == PROGRESS_TTY)
		fprintf(stderr, "done: %.1f MB in %.1fs\n", (double)transferred / 1e6, secs);
}
