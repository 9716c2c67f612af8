/* The terminal side of the anti-theft applet's user data key command (specs/antitheft-protocol.md): the key
 * handset-sim seals its user data with. */
#pragma once

#include <stdint.h>

#include "pcsct/card_access.h"
#include "pcsct/user_data.h"

enum pcsct_key_result {
	PCSCT_KEY_OK = 0,
	PCSCT_KEY_PIN_NEEDED, /* 6982: PIN1 not verified */
	PCSCT_KEY_LOCKED,     /* 6985: the card is locked or disabled */
	PCSCT_KEY_DESTROYED,  /* 6A88: destroyed by a remote WIPE */
	PCSCT_KEY_ERROR,      /* no such command, a malformed answer, or no answer */
};

/* Ask the card for the handset user data key; err explains anything but PCSCT_KEY_OK. */
enum pcsct_key_result pcsct_antitheft_user_key(struct pcsct_card *card, uint8_t key[PCSCT_UD_KEY_LEN],
					       struct sg_error *err);
