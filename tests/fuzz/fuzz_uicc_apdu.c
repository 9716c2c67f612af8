/* libFuzzer target for the card's APDU entry point (uicc_card_apdu): a sequence of APDUs against a fresh demo card
 * with an in-memory image. Input: frames of [length byte][APDU bytes]; length FF power-cycles the card instead.
 * Every APDU must get a response of 2..258 bytes whose last two bytes are the returned status word, and the card
 * must stay usable: SELECT MF at the end answers 9000, or 91xx when a proactive command is pending (after a
 * TERMINAL PROFILE the card may well have one, TS 102 221 10.2.1.1); then FETCH must deliver those xx bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/talloc.h>

#include "uicc/card.h"
#include "uicc/profile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *profile_text;
static size_t profile_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *f = fopen("uicc-applet/profiles/demo.json", "r");

	if (!f)
		abort();
	profile_text = malloc(16384);
	profile_len = fread(profile_text, 1, 16384, f);
	fclose(f);
	return 0;
}

static void exchange(struct uicc_card *card, const uint8_t *cmd, size_t len)
{
	uint8_t rsp[UICC_RSP_MAX];
	size_t rsp_len = sizeof(rsp);
	int sw = uicc_card_apdu(card, cmd, len, rsp, &rsp_len);

	if (sw < 0 || rsp_len < 2 || rsp_len > UICC_RSP_MAX || ((rsp[rsp_len - 2] << 8) | rsp[rsp_len - 1]) != sw)
		abort();
	/* 61xx announces data for GET RESPONSE: only a partial GET RESPONSE carries data along with it */
	if ((sw >> 8) == 0x61 && rsp_len != 2 && (len < 2 || cmd[1] != 0xC0))
		abort();
}

static void unusable(const char *what, int sw)
{
	fprintf(stderr, "card unusable after the sequence: %s -> %04X\n", what, sw);
	abort();
}

/* 91xx says "done, and a proactive command of xx bytes is waiting": the FETCH that follows must hand it over. */
static void check_fetch(struct uicc_card *card, uint8_t len)
{
	const uint8_t fetch[] = {0x80, 0x12, 0x00, 0x00, len};
	uint8_t rsp[UICC_RSP_MAX];
	size_t rsp_len = sizeof(rsp);
	int sw = uicc_card_apdu(card, fetch, sizeof(fetch), rsp, &rsp_len);

	if (sw != 0x9000 && (sw >> 8) != 0x91)
		unusable("FETCH", sw);
	if (rsp_len != (size_t)len + 2 || rsp[0] != 0xD0)
		unusable("FETCH (not the announced proactive command)", sw);
}

static void check_usable(struct uicc_card *card)
{
	static const uint8_t select_mf[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00};
	uint8_t rsp[UICC_RSP_MAX];
	size_t rsp_len = sizeof(rsp);
	int sw = uicc_card_apdu(card, select_mf, sizeof(select_mf), rsp, &rsp_len);

	if ((sw >> 8) == 0x91)
		check_fetch(card, (uint8_t)sw);
	else if (sw != 0x9000)
		unusable("SELECT MF", sw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_error err;
	struct uicc_profile *p = uicc_profile_parse(NULL, profile_text, profile_len, &err);
	struct uicc_card *card;
	size_t pos = 0;

	if (!p)
		abort();
	card = uicc_card_create(NULL, p, NULL, &err);
	if (!card)
		abort();
	uicc_card_power_on(card);
	while (pos < size) {
		size_t n = data[pos++];
		if (n == 0xFF) {
			uicc_card_reset(card);
			continue;
		}
		if (n > size - pos)
			n = size - pos;
		exchange(card, data + pos, n);
		pos += n;
	}
	check_usable(card);
	uicc_card_free(card);
	return 0;
}
