/* SPDX-License-Identifier: Apache-2.0 */
/* The one-time tokens of the streaming server: a small table under a mutex. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "stream-token.h"

struct slot {
	char tok[STREAM_TOKEN_LEN + 1];
	time_t expires; /* CLOCK_MONOTONIC seconds */
	struct stream_req req;
	bool used;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[STREAM_TOKEN_MAX];
static int ttl = 60;

void
stream_token_set_ttl(int seconds)
{
	ttl = seconds;
}

static time_t
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void
stream_req_release(struct stream_req *r)
{
	free(r->container);
	for (size_t i = 0; r->cmd && r->cmd[i]; i++)
		free(r->cmd[i]);
	free(r->cmd);
	free(r->netns);
	memset(r, 0, sizeof(*r));
}

static int
random_token(char *tok, struct err *e)
{
	static const char b64url[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char b[8];
	uint64_t v = 0;

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return err_set(e, errno, "getrandom");
	for (size_t i = 0; i < sizeof(b); i++)
		v = v << 8 | b[i];
	/* 64 bits in 11 digits of 6 bits, the last one holding 4 */
	for (int i = 0; i < STREAM_TOKEN_LEN; i++)
		tok[i] = b64url[i < 10 ? (v >> (58 - 6 * i)) & 63 : (v & 15) << 2];
	tok[STREAM_TOKEN_LEN] = '\0';
	return 0;
}

int
stream_token_mint(struct stream_req *r, char *tok, struct err *e)
{
	struct slot *free_slot = NULL;
	time_t t = now();

	if (random_token(tok, e) < 0) {
		stream_req_release(r);
		return -1;
	}
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < STREAM_TOKEN_MAX; i++) {
		if (slots[i].used && slots[i].expires <= t) {
			stream_req_release(&slots[i].req);
			slots[i].used = false;
		}
		if (!slots[i].used && !free_slot)
			free_slot = &slots[i];
	}
	if (free_slot) {
		memcpy(free_slot->tok, tok, sizeof(free_slot->tok));
		free_slot->expires = t + ttl;
		free_slot->req = *r;
		free_slot->used = true;
	}
	pthread_mutex_unlock(&lock);
	if (!free_slot) {
		stream_req_release(r);
		return err_code(e, "limit", "%d streaming requests wait for their client",
				STREAM_TOKEN_MAX);
	}
	memset(r, 0, sizeof(*r));
	return 0;
}

int
stream_token_take(const char *tok, struct stream_req *r)
{
	int found = -1;
	time_t t = now();

	if (strlen(tok) != STREAM_TOKEN_LEN)
		return -1;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < STREAM_TOKEN_MAX && found < 0; i++) {
		if (!slots[i].used || strcmp(slots[i].tok, tok) != 0)
			continue;
		found = slots[i].expires > t ? 0 : -1;
		if (found == 0)
			*r = slots[i].req;
		else
			stream_req_release(&slots[i].req);
		slots[i].used = false;
		memset(&slots[i].req, 0, sizeof(slots[i].req));
	}
	pthread_mutex_unlock(&lock);
	return found;
}

void
stream_token_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < STREAM_TOKEN_MAX; i++)
		if (slots[i].used) {
			stream_req_release(&slots[i].req);
			slots[i].used = false;
		}
	pthread_mutex_unlock(&lock);
}
