/* Redaction of APDU exchanges for traces (uicc/card.h): PIN values and authentication keys never leave the card
 * through a log line or a GSMTAP packet. */
#include <string.h>

#include "card_internal.h"

/* Blank the values of an AUTHENTICATE answer after the first one (RES in 3G context, SRES in GSM context);
 * DB RES CK IK Kc, or SRES Kc. A sync-failure answer (DC AUTS) holds nothing secret. */
static void blank_keys(uint8_t *d, size_t len)
{
	size_t pos = d[0] == 0xDB ? 1 : 0;
	bool first = true;

	if (d[0] == 0xDC)
		return;
	while (pos < len) {
		size_t l = d[pos];
		if (!first)
			memset(d + pos + 1, 0xFF, l <= len - pos - 1 ? l : len - pos - 1);
		first = false;
		pos += 1 + l;
	}
}

size_t uicc_card_trace_redact(const struct uicc_card *card, const uint8_t *cmd, size_t cmd_len, const uint8_t *rsp,
			      size_t rsp_len, uint8_t *out, size_t size)
{
	size_t n = cmd_len < size ? cmd_len : size, m;

	memcpy(out, cmd, n);
	if (apdu_carries_pin(cmd, cmd_len) && n > 5)
		memset(out + 5, 0xFF, n - 5);
	m = rsp_len < size - n ? rsp_len : size - n;
	memcpy(out + n, rsp, m);
	if (card->last_rsp_secret && m > 2)
		blank_keys(out + n, m - 2);
	return n + m;
}
