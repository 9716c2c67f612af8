/* The proactive session as a terminal runs it: while the card's status word says a proactive command is pending
 * (91xx), FETCH it, let the mobile equipment execute it, and send the TERMINAL RESPONSE. Whatever the card does
 * wrong (a FETCH refused, bytes that break the coding rules, a TERMINAL RESPONSE refused, no answer at all) ends
 * in a clear message, never in a crash or an endless loop. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcsct/card_access.h"
#include "pcsct/me.h"

/* Seen for every proactive command: its bytes, the decoded form, the TERMINAL RESPONSE sent (tr_len 0 when none
 * is sent, as for REFRESH with UICC reset) and the card's status word to it (0 when the card refused it or did
 * not answer). */
typedef void (*pcsct_session_cb)(void *arg, const uint8_t *cmd, size_t cmd_len, const struct cat_decoded *d,
				 const uint8_t *tr, size_t tr_len, uint16_t sw);

struct pcsct_session {
	struct pcsct_card *card;
	struct pcsct_me *me;
	pcsct_session_cb on_command;
	void *cb_arg;
	bool card_mute; /* the last failure was the card (or reader) not answering */
};

/* True for 91xx: a proactive command of (sw & 0xFF) bytes (00 = 256) is pending. */
bool pcsct_sw_proactive(uint16_t sw);

/* FETCH, execute and answer one proactive command, given the status word that announced it. *next_sw gets the
 * card's status word to the TERMINAL RESPONSE (9000 when none was sent). -1 with err when the card refused FETCH
 * or the TERMINAL RESPONSE, or stopped answering. */
int pcsct_session_step(struct pcsct_session *s, uint16_t sw, uint16_t *next_sw, struct sg_error *err);

/* Serve proactive commands from sw on until the card is idle (a status word other than 91xx), a REFRESH needs the
 * owner to act (s->me->refresh set), or max commands were served. Returns the number served, or -1 with err;
 * *last_sw is the final status word. */
int pcsct_session_serve(struct pcsct_session *s, uint16_t sw, unsigned int max, uint16_t *last_sw,
			struct sg_error *err);
