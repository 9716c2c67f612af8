/* Card-side reassembly of concatenated OTA short messages (TS 31.115: a command packet longer than one SMS is cut
 * into concatenated parts, the CPI only in the first). The bounded state machine is the lib's (sms_reasm); this
 * adds the card's limits, the originator key and where the CPI was. */
#include <string.h>

#include <osmocom/core/talloc.h>

#include "uicc/ota_re.h"

struct ota_concat {
	struct sms_reasm *r;
};

static const struct sms_reasm_cfg concat_cfg = {
	.max_groups = OTA_CONCAT_GROUPS,
	.max_bytes = SP_MAX_PACKET + 1, /* + the CPI marker byte */
	.timeout = OTA_CONCAT_TIMEOUT,
};

struct ota_concat *ota_concat_alloc(void *ctx)
{
	struct ota_concat *c = talloc_zero(ctx, struct ota_concat);

	if (!c)
		return NULL;
	c->r = sms_reasm_alloc(c, &concat_cfg);
	if (!c->r) {
		talloc_free(c);
		return NULL;
	}
	return c;
}

void ota_concat_reset(struct ota_concat *c)
{
	sms_reasm_free(c->r);
	c->r = sms_reasm_alloc(c, &concat_cfg);
}

unsigned int ota_concat_pending(const struct ota_concat *c)
{
	return c->r ? sms_reasm_pending(c->r) : 0;
}

/* The originator key: sender address with its type, so two senders' reference numbers never mix. */
static void originator(const struct sms_addr *oa, char *out, size_t size)
{
	snprintf(out, size, "%u/%u/%s", oa->ton, oa->npi, oa->digits);
}

enum sms_reasm_result ota_concat_add(struct ota_concat *c, const struct sms_deliver *d, const struct sms_udh *h,
				     time_t now, void *ctx_out, uint8_t **msg, size_t *len, bool *cpi,
				     struct sg_error *err)
{
	uint8_t part[1 + SMS_UD_MAX];
	size_t n = d->ud.ud_len - h->udh_len;
	enum sms_reasm_result res;
	char who[64];
	uint8_t *whole;
	size_t whole_len;

	if (!c->r) {
		sg_err(err, "concatenation: out of memory");
		return SMS_REASM_ERROR;
	}
	if (!h->has_concat) {
		sg_err(err, "concatenation: part without a concatenation IE");
		return SMS_REASM_ERROR;
	}
	sms_reasm_expire(c->r, now);
	originator(&d->oa, who, sizeof(who));
	/* the first part leads with a marker byte saying whether it carried the CPI */
	if (h->concat_seq == 1) {
		part[0] = h->cpi ? SMS_IEI_CPI : 0;
		memcpy(part + 1, d->ud.ud + h->udh_len, n);
		n++;
	} else {
		memcpy(part, d->ud.ud + h->udh_len, n);
	}
	res = sms_reasm_add(c->r, who, h->concat16, h->concat_ref, h->concat_total, h->concat_seq, part, n, now,
			    ctx_out, &whole, &whole_len, err);
	if (res != SMS_REASM_COMPLETE)
		return res;
	*cpi = whole[0] == SMS_IEI_CPI;
	memmove(whole, whole + 1, whole_len - 1);
	*msg = whole;
	*len = whole_len - 1;
	return res;
}
