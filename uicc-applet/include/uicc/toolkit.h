/* The seam between the card core (APDU dispatcher, files, PINs, persistence) and the toolkit side of the card
 * (CAT engine, OTA receiving entity, anti-theft applet). The card core calls these for the CAT APDUs and asks
 * the applet whether network authentication is allowed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uicc_card;

/* Status words the core passes straight back. Response data (if any) goes to rsp (up to *rsp_len bytes on
 * input, bytes written on output); the core turns it into 61xx / GET RESPONSE and appends 91xx when a proactive
 * command is pending. */
uint16_t uicc_toolkit_terminal_profile(struct uicc_card *card, const uint8_t *profile, size_t len);
uint16_t uicc_toolkit_envelope(struct uicc_card *card, const uint8_t *data, size_t len, uint8_t *rsp,
			       size_t *rsp_len);
uint16_t uicc_toolkit_fetch(struct uicc_card *card, size_t le, uint8_t *rsp, size_t *rsp_len);
uint16_t uicc_toolkit_terminal_response(struct uicc_card *card, const uint8_t *data, size_t len);
/* Length of the pending proactive command (0 if none): the core reports it as 91xx. */
size_t uicc_toolkit_pending_len(const struct uicc_card *card);
/* False while the anti-theft applet holds the card locked or disabled: AUTHENTICATE is then refused. */
bool uicc_toolkit_network_auth_allowed(const struct uicc_card *card);
/* Power-up / reset: volatile toolkit state is cleared, persistent state stays. */
void uicc_toolkit_reset(struct uicc_card *card);

/* ---- the toolkit side's parts, for its own modules (NULL only when out of memory) ---- */
struct cat_engine;
struct ota_re;
struct antitheft;
struct cat_engine *uicc_toolkit_cat(struct uicc_card *card);
struct ota_re *uicc_toolkit_ota(struct uicc_card *card);
struct antitheft *uicc_toolkit_antitheft(struct uicc_card *card);
