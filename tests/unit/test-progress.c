/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for progress bars: drawn on a real pty of several widths, no line may wrap. */
#include "tap.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "progress.h"

#define LAYER "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CONFIG "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define LONG_NAME "registry.example:5000/some/rather/long/repository/name:tag"

/* Draw a pull's bars with stderr on a pty of cols columns; what the terminal got, in out. */
static void
draw_at(int cols, char *out, size_t outsz)
{
	struct winsize ws = {.ws_row = 40, .ws_col = (unsigned short)cols};
	struct termios raw;
	struct progress p;
	int master, slave, saved = dup(STDERR_FILENO);
	size_t n = 0;
	ssize_t r;

	if (openpty(&master, &slave, NULL, NULL, &ws) < 0) {
		printf("Bail out! openpty: %s\n", strerror(errno));
		exit(1);
	}
	tcgetattr(slave, &raw);
	cfmakeraw(&raw); /* no \n to \r\n, so lines are split as written */
	tcsetattr(slave, TCSANOW, &raw);
	dup2(slave, STDERR_FILENO);
	progress_init(&p, PROGRESS_TTY);
	progress_resolved(&p, LONG_NAME, CONFIG, 1, 54840934 + 1469);
	progress_layer_start(&p, CONFIG, 1469, 0);
	progress_layer_done(&p, CONFIG, 1469, 1469, "downloaded");
	progress_layer_start(&p, LAYER, 54840934, 0);
	progress_layer_bytes(&p, LAYER, 27420467, 54840934);
	progress_layer_done(&p, LAYER, 54840934, 54840934, "downloaded");
	progress_done(&p, LAYER, 54840934 + 1469, 1.5);
	progress_release(&p);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(slave);
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (n + 1 < outsz && (r = read(master, out + n, outsz - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(master);
}

/* The widest line as the terminal shows it: escape sequences take no columns. */
static int
widest(const char *s, int *lines)
{
	int col = 0, max = 0;

	*lines = 0;
	for (; *s; s++) {
		if (*s == '\033') {
			while (s[1] &&
			       !((s[1] >= 'A' && s[1] <= 'Z') || (s[1] >= 'a' && s[1] <= 'z')))
				s++;
			s += !!s[1];
		} else if (*s == '\r')
			col = 0;
		else if (*s == '\n')
			col = 0, ++*lines;
		else if (++col > max)
			max = col;
	}
	return max;
}

static void
test_progress_fits(void)
{
	static const int widths[] = {120, 80, 50, 30, 20};
	char out[16384];
	int lines;

	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		int w;

		draw_at(widths[i], out, sizeof(out));
		w = widest(out, &lines);
		ok(w > 0 && w < widths[i], "%d columns: widest line %d", widths[i], w);
		ok(lines >= 3, "%d columns: %d lines drawn", widths[i], lines);
	}
	draw_at(120, out, sizeof(out));
	ok(strstr(out, "0123456789ab: downloaded") != NULL,
	   "a bar names the layer by 12 hex digits");
	ok(strstr(out, "52.3 MiB/52.3 MiB") != NULL, "sizes in binary units");
	ok(strstr(out, "1.4 KiB/1.4 KiB") != NULL, "a config blob is not 0.0/0.0");
	ok(strstr(out, "[==============================]") != NULL, "a full bar at 120 columns");
	ok(strstr(out, "done: 52.3 MiB in 1.5s") != NULL, "the summary line");
	draw_at(50, out, sizeof(out));
	ok(strstr(out, "52.3 MiB/52.3 MiB") != NULL, "50 columns keep the sizes");
	draw_at(30, out, sizeof(out));
	ok(strstr(out, "[=") == NULL, "30 columns drop the bar");
}

/* --progress=tty into a file or a pipe: no terminal to fit, a digest is never cut */
static void
test_progress_pipe_whole(void)
{
	char out[4096];
	struct progress p;
	int fds[2], saved = dup(STDERR_FILENO);
	ssize_t n;

	if (pipe(fds) < 0) {
		printf("Bail out! pipe: %s\n", strerror(errno));
		exit(1);
	}
	dup2(fds[1], STDERR_FILENO);
	progress_init(&p, PROGRESS_TTY);
	progress_resolved(&p, LONG_NAME, CONFIG, 1, 1469);
	progress_release(&p);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	out[n > 0 ? n : 0] = 0;
	ok(!strcmp(out, LONG_NAME ": resolved " CONFIG "\n"), "the whole line: %s", out);
}

int
main(void)
{
	RUN(test_progress_fits);
	RUN(test_progress_pipe_whole);
	return tap_done();
}
