/* SPDX-License-Identifier: Apache-2.0 */
/* Progress output on stderr: redrawn bars on a TTY, or one JSON object per event. */
#include "progress.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "human.h"
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

/* stderr's width in columns, asked at each redraw so a resized terminal is followed */
static int
term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* One bar line, never wider than width - 1 so that no terminal wraps it: the bar shrinks,
 * then goes, then the sizes go, and what is left is cut. */
static void
draw_row(const struct progress_row *r, int width)
{
	char have[HUMAN_LEN], size[HUMAN_LEN], sizes[2 * HUMAN_LEN + 1], line[512];
	const char *hex = strchr(r->digest, ':') ? strchr(r->digest, ':') + 1 : r->digest;
	int n, bar, fill,
	    room = width - 1 < (int)sizeof(line) - 1 ? width - 1 : (int)sizeof(line) - 1;

	snprintf(sizes, sizeof(sizes), "%s/%s", human_bytes(r->have, have),
		 human_bytes(r->size, size));
	n = snprintf(line, sizeof(line), "%.12s: %-11s", hex, r->status);
	bar = room - n - 3 - 1 - (int)strlen(sizes); /* " [" bar "] " sizes */
	if (bar > 30)
		bar = 30;
	if (bar >= 10) {
		fill = r->size > 0 ? (int)((int64_t)bar * r->have / r->size) : bar;
		fill = fill > bar ? bar : fill;
		n += snprintf(line + n, sizeof(line) - (size_t)n, " [%.*s%*s] ", fill,
			      "==============================", bar - fill, "");
	} else
		line[n++] = ' ', line[n] = 0;
	snprintf(line + n, sizeof(line) - (size_t)n, "%s", sizes);
	if (room < 1)
		room = 1;
	fprintf(stderr, "\r%.*s\033[K\n", room, line);
}

static void
draw(struct progress *p, bool force)
{
	double now = progress_now();
	int width;

	if (p->mode != PROGRESS_TTY || (!force && now - p->last_draw < REDRAW_SECS))
		return;
	p->last_draw = now;
	width = term_width();
	if (p->drawn) /* back to the first bar; after a resize, clear what a narrower screen wrapped */
		fprintf(stderr, "\033[%dA%s", p->drawn, width != p->width ? "\r\033[J" : "");
	p->width = width;
	for (int i = 0; i < p->nrows; i++)
		draw_row(&p->rows[i], width);
	p->drawn = p->nrows;
	fflush(stderr);
}

/* A line that is not a bar, cut to the terminal's width; whole when --progress=tty goes to a file */
static void __attribute__((format(printf, 1, 2))) line(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int room = isatty(STDERR_FILENO) ? term_width() - 1 : (int)sizeof(buf);

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%.*s\n", room > 0 ? room : 1, buf);
}

void
progress_resolved(struct progress *p, const char *name, const char *digest, int nlayers,
		  int64_t total)
{
	event(p, json_pack("{s:s, s:s, s:s, s:i, s:I}", "event", "resolved", "name", name, "digest",
			   digest, "layers", nlayers, "size", (json_int_t)total));
	if (p->mode == PROGRESS_TTY)
		line("%s: resolved %s", name, digest);
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
progress_layer_restart(struct progress *p, const char *digest, const char *why)
{
	struct progress_row *r = row(p, digest);

	r->have = 0;
	event(p, json_pack("{s:s, s:s, s:s}", "event", "layer-restart", "digest", digest, "reason",
			   why));
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
	char n[HUMAN_LEN];

	event(p, json_pack("{s:s, s:s, s:I, s:f}", "event", "done", "digest", digest, "transferred",
			   (json_int_t)transferred, "seconds", secs));
	if (p->mode == PROGRESS_TTY)
		line("done: %s in %.1fs", human_bytes(transferred, n), secs);
}
