/* The replayed card's script (see card_replay.c for the file format), exposed for tests and the fuzz target. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcsct/card_access.h"
#include "simguard/sg_error.h"

#define PCSCT_REPLAY_MAX_FILE (1 << 20)

struct pcsct_replay_item {
	unsigned int line;
	uint8_t cmd[APDU_SHORT_MAX];
	bool any[APDU_SHORT_MAX]; /* byte matches anything ("..") */
	size_t cmd_len;
	bool prefix; /* a final '*': more bytes may follow */
	bool has_answer;
	bool mute;
	uint8_t rsp[PCSCT_RAW_MAX];
	size_t rsp_len;
};

struct pcsct_replay {
	uint8_t atr[PCSCT_ATR_MAX];
	size_t atr_len;
	struct pcsct_replay_item *items; /* talloc array */
	size_t n;
};

/* Parse len bytes of replay text; items are a talloc child of ctx. -1 with err naming the line. */
int pcsct_replay_parse(void *ctx, const char *text, size_t len, struct pcsct_replay *r, struct sg_error *err);
/* True when cmd matches the item's command pattern. */
bool pcsct_replay_match(const struct pcsct_replay_item *it, const uint8_t *cmd, size_t len);
