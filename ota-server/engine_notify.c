/* Owner notifications as text SMS (engine.h): every command event on an owner's device is also sent to the
 * owner's notify number, through the same SMPP link and window as the OTA packets but after them (a command
 * never waits for a notification). Plain text in the GSM 7-bit default alphabet; no receipt is asked for. */
#include <string.h>

#include "simguard/cat.h"
#include "otasrv/engine.h"

#define SMS_SEPTETS 160
#define GSM_QUESTION 0x3F

/* One character's septets (1, or 2 for the extension table); '?' when it has no GSM code. */
static size_t char_septets(char ch, uint8_t code[2])
{
	char one[2] = { ch, 0 };
	struct sg_error ignored;
	size_t n = 0;

	if ((unsigned char)ch < 0x20 || (unsigned char)ch > 0x7e || cat_utf8_to_gsm(one, code, 2, &n, &ignored) < 0 ||
	    n == 0) {
		code[0] = GSM_QUESTION;
		n = 1;
	}
	return n;
}

size_t osv_notify_sms_ud(const char *text, uint8_t *ud, size_t size)
{
	size_t n = 0, fit = 0, limit = size < SMS_SEPTETS ? size : SMS_SEPTETS;
	uint8_t code[2];

	for (const char *p = text; *p; p++) {
		size_t k = char_septets(*p, code);

		if (n + k > limit) {
			/* too long: cut where "..." still fits */
			n = fit;
			for (int i = 0; i < 3 && n < limit; i++)
				ud[n++] = '.';
			return n;
		}
		memcpy(ud + n, code, k);
		n += k;
		if (n + 3 <= limit)
			fit = n;
	}
	return n;
}

int osv_engine_notify_claim(struct osv_store *s, const struct osv_engine_cfg *cfg, int max, int64_t now,
			    struct osv_outgoing *out, struct sg_error *err)
{
	struct osv_notify_sms sms[64];
	int n;

	if (max > 64)
		max = 64;
	n = osv_notify_sms_claim(s, now, cfg->lease, max, sms, err);
	for (int i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].notification_id = sms[i].id;
		out[i].tries = sms[i].tries;
		out[i].dialect = SP_DIALECT_SMS;
		memcpy(out[i].msisdn, sms[i].msisdn, sizeof(out[i].msisdn));
		out[i].ud_len = osv_notify_sms_ud(sms[i].text, out[i].ud, sizeof(out[i].ud));
	}
	return n;
}

int osv_engine_notify_submitted(struct osv_store *s, const struct osv_engine_cfg *cfg, const struct osv_outgoing *o,
				bool accepted, int64_t now, struct sg_error *err)
{
	int shift = o->tries > 1 ? o->tries - 1 : 0;
	/* refused or lost: again after the backoff, doubled with every try */
	int64_t retry_at = now + ((int64_t)cfg->submit_backoff << (shift > 10 ? 10 : shift));

	return osv_notify_sms_done(s, o->notification_id, accepted, retry_at, cfg->notify_tries, err);
}
