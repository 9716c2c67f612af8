/* Card access common to every backend: power, closing, and the T=0 status-word chores (GET RESPONSE on 61xx /
 * 9Fxx, re-send on 6Cxx) so callers see one complete answer per command. */
#include <string.h>

#include <talloc.h>

#include "pcsct/card_access.h"

/* Bounds for one command's exchange: a card that keeps offering data or keeps asking for another Le must not
 * make the terminal loop forever. */
#define MAX_EXCHANGES 40

void pcsct_card_close(struct pcsct_card *c)
{
	if (!c)
		return;
	if (c->ops->close)
		c->ops->close(c);
	talloc_free(c);
}

int pcsct_card_power(struct pcsct_card *c, enum pcsct_power p, struct sg_error *err)
{
	if (c->ops->power(c, p, err) < 0)
		return -1;
	c->powered = p != PCSCT_POWER_OFF;
	return 0;
}

static int xfer(struct pcsct_card *c, const uint8_t *cmd, size_t len, uint8_t *raw, size_t *raw_len,
		struct sg_error *err)
{
	if (!c->powered)
		return sg_err(err, "card %s is powered off", c->name);
	*raw_len = PCSCT_RAW_MAX;
	if (c->ops->xfer(c, cmd, len, raw, raw_len, err) < 0)
		return -1;
	if (c->trace)
		c->trace(c->trace_arg, cmd, len, raw, *raw_len);
	if (*raw_len < 2)
		return sg_err(err, "card answered %zu byte%s without a status word", *raw_len,
			      *raw_len == 1 ? "" : "s");
	return 0;
}

/* The same command with Le = le (1..256): what a 6Cxx asks for. */
static int with_le(const uint8_t *cmd, size_t len, size_t le, struct apdu_buf *out, struct sg_error *err)
{
	struct apdu a;

	if (apdu_parse(cmd, len, &a, err) < 0)
		return -1;
	a.has_le = true;
	a.le = le;
	a.extended = false;
	return apdu_build(out, &a, err);
}

int pcsct_transmit(struct pcsct_card *c, const uint8_t *apdu, size_t len, struct pcsct_rsp *rsp, struct sg_error *err)
{
	struct apdu_buf cur;
	uint8_t raw[PCSCT_RAW_MAX];
	size_t raw_len, n;
	unsigned int i;
	enum apdu_family fam;

	if (len > sizeof(cur.bytes))
		return sg_err(err, "command APDU of %zu bytes is longer than a short APDU (%d)", len, APDU_SHORT_MAX);
	if (len < 4)
		return sg_err(err, "command APDU of %zu bytes: needs at least CLA INS P1 P2", len);
	fam = apdu[0] == 0xA0 ? APDU_SIM2G : APDU_UICC;
	memcpy(cur.bytes, apdu, len);
	cur.len = len;
	rsp->len = 0;
	for (i = 0; i < MAX_EXCHANGES; i++) {
		uint8_t sw1, sw2;

		if (xfer(c, cur.bytes, cur.len, raw, &raw_len, err) < 0)
			return -1;
		n = raw_len - 2;
		sw1 = raw[n];
		sw2 = raw[n + 1];
		rsp->sw = (uint16_t)(sw1 << 8 | sw2);
		if (sw1 == 0x6C) {
			/* Wrong Le: the data of this exchange is void, ask again with the length the card named. */
			if (with_le(cur.bytes, cur.len, sw2 ? sw2 : 256, &cur, err) < 0)
				return sg_err(err,
					      "card asked for Le=%02X (6C%02X) but the command cannot be re-sent: %s",
					      sw2, sw2, err ? err->msg : "");
			continue;
		}
		if (rsp->len + n > sizeof(rsp->data))
			return sg_err(err, "card returned more than %d bytes of response data", PCSCT_RSP_MAX);
		memcpy(rsp->data + rsp->len, raw, n);
		rsp->len += n;
		if (sw1 != 0x61 && sw1 != 0x9F)
			return 0;
		if (apdu_get_response(&cur, fam, sw2 ? sw2 : 256, err) < 0)
			return -1;
	}
	return sg_err(err, "card kept answering 61xx/9Fxx/6Cxx after %d exchanges", MAX_EXCHANGES);
}

int pcsct_transmit_buf(struct pcsct_card *c, const struct apdu_buf *a, struct pcsct_rsp *rsp, struct sg_error *err)
{
	return pcsct_transmit(c, a->bytes, a->len, rsp, err);
}
