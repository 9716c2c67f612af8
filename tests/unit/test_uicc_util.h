/* Helpers for the card-core unit tests: a fresh card from the demo profile in a private directory, and APDU
 * exchange by hex string. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <osmocom/core/talloc.h>

#include "simguard/hex.h"
#include "uicc/card.h"
#include "uicc/profile.h"

#define DEMO_PROFILE "uicc-applet/profiles/demo.json"

struct tcard {
	char dir[64];
	char image[96];
	struct uicc_card *card;
	uint8_t rsp[UICC_RSP_MAX];
	size_t rsp_len;
};

static inline struct uicc_card *tcard_open(struct tcard *t)
{
	struct sg_error err;

	t->card = uicc_card_open(NULL, DEMO_PROFILE, t->image, &err);
	if (!t->card)
		fail_msg("card: %s", err.msg);
	uicc_card_power_on(t->card);
	return t->card;
}

static inline void tcard_init(struct tcard *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->dir, "/tmp/sg-uicc-test.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->image, sizeof(t->image), "%s/card.img", t->dir);
	tcard_open(t);
}

static inline void tcard_close(struct tcard *t)
{
	uicc_card_free(t->card);
	t->card = NULL;
}

static inline void tcard_cleanup(struct tcard *t)
{
	char path[128];

	if (t->card)
		tcard_close(t);
	snprintf(path, sizeof(path), "%s/card.img", t->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/card.img.lock", t->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/card.img.tmp", t->dir);
	unlink(path);
	rmdir(t->dir);
}

/* Send a hex APDU; returns the SW. Response data is in t->rsp[0 .. t->rsp_len-2). */
static inline uint16_t tx(struct tcard *t, const char *hex)
{
	uint8_t cmd[300];
	struct sg_error err;
	long n = sg_hex_decode(hex, cmd, sizeof(cmd), "apdu", &err);
	int sw;

	if (n < 0)
		fail_msg("%s", err.msg);
	t->rsp_len = sizeof(t->rsp);
	sw = uicc_card_apdu(t->card, cmd, n, t->rsp, &t->rsp_len);
	assert_true(sw >= 0);
	assert_int_equal(sw, (t->rsp[t->rsp_len - 2] << 8) | t->rsp[t->rsp_len - 1]);
	return sw;
}

/* Response data as upper-case hex. */
static inline const char *rsp_hex(struct tcard *t)
{
	static char s[2 * UICC_RSP_MAX + 1];

	return sg_hex_encode(t->rsp, t->rsp_len - 2, s, sizeof(s));
}

#define assert_sw(t, hex, sw) assert_int_equal(tx(t, hex), sw)
