/* GSMTAP SIM output of the card's APDU exchanges, for Wireshark / tshark (private to gsmtap_sim.c and
 * uicc_sim_main.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct uicc_card;
struct gsmtap_sim;

/* Open a GSMTAP sink at host (UDP port 4729). NULL with a log line on failure. */
struct gsmtap_sim *gsmtap_sim_open(void *ctx, const char *host);
void gsmtap_sim_close(struct gsmtap_sim *g);

/* vpcd_trace_cb-compatible: one GSMTAP message per exchange (command as a T=0 TPDU, then response data and SW;
 * secrets blanked). Power events (atr set) are not sent. */
void gsmtap_sim_trace(void *priv, struct uicc_card *card, const uint8_t *cmd, size_t cmd_len, const uint8_t *rsp,
		      size_t rsp_len, const uint8_t *atr, size_t atr_len);

/* The TPDU form of a command as a T=0 trace shows it: a case-4 APDU loses its trailing Le. Returns the length. */
size_t gsmtap_sim_tpdu_len(const uint8_t *cmd, size_t len);
