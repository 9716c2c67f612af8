/* The card side of vsmartcard's vpcd protocol (private to vpcd*.c and uicc_sim_main.c): the simulated card is a
 * TCP client of pcscd's vpcd driver; every message is a 2-byte big-endian length and a payload. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uicc_card;
struct vpcd_link;

#define VPCD_DEFAULT_PORT 35963
#define VPCD_CTRL_OFF	  0x00
#define VPCD_CTRL_ON	  0x01
#define VPCD_CTRL_RESET	  0x02
#define VPCD_CTRL_ATR	  0x04

/* Called after every APDU and power event, e.g. for GSMTAP. atr is set for power-on/reset (cmd NULL). */
typedef void (*vpcd_trace_cb)(void *priv, struct uicc_card *card, const uint8_t *cmd, size_t cmd_len,
			      const uint8_t *rsp, size_t rsp_len, const uint8_t *atr, size_t atr_len);

/* Answer one frame payload from vpcd. Writes the reply payload (possibly none: *out_len = 0 for power control)
 * into out (at least UICC_RSP_MAX bytes). APDUs always get a non-empty answer: an empty reply would hang pcscd. */
void vpcd_handle_frame(struct uicc_card *card, const uint8_t *in, size_t len, uint8_t *out, size_t *out_len,
		       vpcd_trace_cb trace, void *trace_priv);

/* Connect to vpcd at host:port and keep reconnecting (every retry_ms) when the connection fails or drops (pcscd
 * restarts). Runs in the Osmocom select loop. */
struct vpcd_link *vpcd_link_start(void *ctx, struct uicc_card *card, const char *host, uint16_t port,
				  unsigned int retry_ms, vpcd_trace_cb trace, void *trace_priv);
bool vpcd_link_connected(const struct vpcd_link *l);
void vpcd_link_stop(struct vpcd_link *l);

/* Parse "HOST:PORT" or "HOST" (default port). Returns 0, or -1 for a bad port. host is a talloc string. */
int vpcd_parse_addr(void *ctx, const char *arg, char **host, uint16_t *port);
