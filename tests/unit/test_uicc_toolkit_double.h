/* Test double of the toolkit seam (uicc/toolkit.h) for the card-core tests that must drive the seam
 * deterministically: a pending proactive command of a chosen length (91xx shaping, FETCH Le rules), a busy or
 * failing ENVELOPE, the lock state seen by AUTHENTICATE. The definitions are weak: a test object that includes
 * this header satisfies the core's references itself, so the linker does not pull the real toolkit object from the
 * archive. td_check_linked() fails the test loudly should the real toolkit ever win instead. */
#pragma once

#include <string.h>

#include "uicc/toolkit.h"

static size_t td_pending; /* length of the fake proactive command */
static bool td_auth_allowed = true;
static unsigned int td_resets;
static uint8_t td_last_tr[64];
static size_t td_last_tr_len;

__attribute__((weak)) uint16_t uicc_toolkit_terminal_profile(struct uicc_card *card, const uint8_t *profile, size_t len)
{
	return 0x9000;
}

/* An envelope D1 answers 3 bytes of "PoR"; D3 answers nothing and raises a proactive command of 16 bytes; E0
 * answers 9300 (busy). */
__attribute__((weak)) uint16_t uicc_toolkit_envelope(struct uicc_card *card, const uint8_t *data, size_t len,
						     uint8_t *rsp, size_t *rsp_len)
{
	switch (data[0]) {
	case 0xD1:
		memcpy(rsp, "\x02\x71\x00", 3);
		*rsp_len = 3;
		return 0x9000;
	case 0xD3:
		td_pending = 16;
		*rsp_len = 0;
		return 0x9000;
	case 0xE0:
		*rsp_len = 0;
		return 0x9300;
	default:
		*rsp_len = 0;
		return 0x6A80;
	}
}

__attribute__((weak)) uint16_t uicc_toolkit_fetch(struct uicc_card *card, size_t le, uint8_t *rsp, size_t *rsp_len)
{
	if (!td_pending) {
		*rsp_len = 0;
		return 0x6F00;
	}
	memset(rsp, 0xAA, td_pending);
	rsp[0] = 0xD0;
	rsp[1] = td_pending - 2;
	*rsp_len = td_pending;
	td_pending = 0; /* fetched: outstanding until the TERMINAL RESPONSE */
	return 0x9000;
}

__attribute__((weak)) uint16_t uicc_toolkit_terminal_response(struct uicc_card *card, const uint8_t *data, size_t len)
{
	td_last_tr_len = len < sizeof(td_last_tr) ? len : sizeof(td_last_tr);
	memcpy(td_last_tr, data, td_last_tr_len);
	return 0x9000;
}

__attribute__((weak)) size_t uicc_toolkit_pending_len(const struct uicc_card *card)
{
	return td_pending;
}

__attribute__((weak)) bool uicc_toolkit_network_auth_allowed(const struct uicc_card *card)
{
	return td_auth_allowed;
}

__attribute__((weak)) void uicc_toolkit_reset(struct uicc_card *card)
{
	td_resets++;
	td_pending = 0;
}

static inline void td_check_linked(void)
{
	td_pending = 7;
	if (uicc_toolkit_pending_len(NULL) != 7)
		fail_msg("the toolkit test double is not the one linked in");
	td_pending = 0;
}
