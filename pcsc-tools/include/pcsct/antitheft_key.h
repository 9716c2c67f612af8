/* The terminal side of the anti-theft applet's user data key command (specs/antitheft-protocol.md): the key
 * handset-sim seals its user data with. */
#pragma once

#include <stdint.h>

#include "pcsct/card_access.h"
#include "pcsct/user_data.h"

/* Ask the card for the handset user data key. -1 with err when the card has no such command, refuses it, or
 * answers with something that is not a 32-byte key. */
int pcsct_antitheft_user_key(struct pcsct_card *card, uint8_t key[PCSCT_UD_KEY_LEN], struct sg_error *err);
