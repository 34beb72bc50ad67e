/* SPDX-License-Identifier: Apache-2.0 */
/* Stalls: a transfer with no byte moving for --stall-timeout fails then, and is retried once. */
#include <stdio.h>

#include "progress.h"
#include "registry.h"

/*
 * Why not libcurl's LOW_SPEED_TIME alone: it compares the speed averaged
 * over the last few seconds, so a body that stops after a burst looks alive
 * for those seconds and fails at about twice the setting. Here the clock
 * restarts only when a byte moves (either way), and time a transfer spends
 * paused by us (a full pipe to ctr-unpack) is not the server's.
 */
int
registry_watch(const struct registry *r, struct registry_watch *w, curl_off_t dlnow,
	       curl_off_t ulnow, bool held)
{
	double now = progress_now();

	if (!w->last || held || dlnow + ulnow != w->moved) {
		w->last = now;
		w->moved = dlnow + ulnow;
		return 0;
	}
	if (now - w->last < (double)r->o.stall_secs)
		return 0;
	w->stalled = true;
	return 1;
}

void
registry_watch_start(struct registry_watch *w)
{
	w->last = 0;
	w->moved = 0;
	w->stalled = false;
}

int
registry_watch_progress(void *w, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			curl_off_t ulnow)
{
	struct registry_watch *rw = w;

	(void)dltotal, (void)ultotal;
	return registry_watch(rw->r, rw, dlnow, ulnow, false);
}

bool
registry_again(const struct registry *r, struct registry_watch *w, CURLcode rc, long status,
	       int tries)
{
	if (tries >= r->o.retries)
		return false;
	if (rc == CURLE_ABORTED_BY_CALLBACK && w->stalled)
		return w->stalls++ < 1;
	return registry_retryable(rc, status);
}

const char *
registry_failure(const struct registry *r, const struct registry_watch *w, CURLcode rc,
		 char buf[64])
{
	if (rc == CURLE_ABORTED_BY_CALLBACK && w->stalled) {
		snprintf(buf, 64, "stalled: no data for %ld s", r->o.stall_secs);
		return buf;
	}
	return curl_easy_strerror(rc);
}
