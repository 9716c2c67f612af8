/* Per-client token buckets for the login and command endpoints (server.h): refills continuously at
 * count/period, holds at most count tokens. A small open-addressing table; the least recently used bucket goes
 * when it is full, which can only make a flooding client's limit looser for a moment, never someone else's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otasrv/server.h"
#include "otasrv/strhash.h"

#define RL_SLOTS 4096

struct bucket {
	char key[96];
	double tokens;
	int64_t at;
};

struct osv_ratelimit {
	struct bucket b[RL_SLOTS];
};

struct osv_ratelimit *osv_ratelimit_new(void)
{
	return calloc(1, sizeof(struct osv_ratelimit));
}

void osv_ratelimit_free(struct osv_ratelimit *rl)
{
	free(rl);
}

static struct bucket *find(struct osv_ratelimit *rl, const char *key, const struct osv_rate *r, int64_t now)
{
	uint32_t h = osv_strhash(key);
	struct bucket *oldest = NULL;

	for (int i = 0; i < 16; i++) {
		struct bucket *b = &rl->b[(h + (uint32_t)i) % RL_SLOTS];

		if (!strcmp(b->key, key))
			return b;
		if (!b->key[0] || !oldest || b->at < oldest->at)
			oldest = b;
		if (!b->key[0])
			break;
	}
	snprintf(oldest->key, sizeof(oldest->key), "%s", key);
	oldest->tokens = r->count;
	oldest->at = now;
	return oldest;
}

int osv_ratelimit_take(struct osv_ratelimit *rl, const char *cls, const char *client, const struct osv_rate *r,
		       int64_t now)
{
	char key[96];
	struct bucket *b;
	double rate;

	if (r->count <= 0 || r->period <= 0)
		return 0;
	snprintf(key, sizeof(key), "%s|%s", cls, client);
	b = find(rl, key, r, now);
	rate = (double)r->count / r->period;
	b->tokens += (double)(now - b->at) * rate;
	if (b->tokens > r->count)
		b->tokens = r->count;
	b->at = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 0;
	}
	return (int)((1.0 - b->tokens) / rate) + 1;
}
