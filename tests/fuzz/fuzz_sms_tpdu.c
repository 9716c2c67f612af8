/* libFuzzer target for the SMS TPDU and user data header decoders (sms_tpdu.h). The first input byte picks the
 * decoder; whatever decodes is re-encoded, and UDHs feed the reassembler, so lengths the decoders accepted are
 * exercised by the writers too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <osmocom/core/talloc.h>

#include "simguard/sms_tpdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed_reasm(const uint8_t *ud, size_t len)
{
	static struct sms_reasm *r;
	struct sms_reasm_cfg cfg = { .max_groups = 4, .max_bytes = 1024, .timeout = 5 };
	struct sms_udh h;
	struct sg_error err;
	uint8_t *out = NULL;
	size_t out_len;
	static time_t now;

	if (!r)
		r = sms_reasm_alloc(NULL, &cfg);
	if (sms_udh_parse(ud, len, &h, &err) < 0 || !h.has_concat)
		return;
	if (sms_reasm_add(r, "1001", h.concat16, h.concat_ref, h.concat_total, h.concat_seq, ud + h.udh_len,
			  len - h.udh_len, now++, NULL, &out, &out_len, &err) == SMS_REASM_COMPLETE)
		talloc_free(out);
	sms_reasm_expire(r, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[SMS_TPDU_MAX + 8];
	struct sg_error err;
	size_t n;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0: {
		struct sms_deliver d;

		if (sms_deliver_decode(data + 1, size - 1, &d, &err) == 0) {
			if (sms_deliver_encode(&d, out, sizeof(out), &n, &err) < 0)
				abort();
			if (d.udhi)
				feed_reasm(d.ud.ud, d.ud.ud_len);
		}
		break;
	}
	case 1: {
		struct sms_submit s;

		if (sms_submit_decode(data + 1, size - 1, &s, &err) == 0 &&
		    sms_submit_encode(&s, out, sizeof(out), &n, &err) < 0)
			abort();
		break;
	}
	case 2:
	case 3: {
		struct sms_deliver_report r;

		if (sms_deliver_report_decode(data + 1, size - 1, data[0] % 5 == 3, &r, &err) == 0 &&
		    sms_deliver_report_encode(&r, out, sizeof(out), &n, &err) < 0)
			abort();
		break;
	}
	default: {
		struct sms_addr a;
		time_t t;

		feed_reasm(data + 1, size - 1);
		if (sms_addr_decode(data + 1, size - 1, &a, "addr", &err) > 0 && a.ton != 5 &&
		    sms_addr_encode(&a, out, sizeof(out), "addr", &err) < 0)
			abort();
		if (size >= 8)
			sms_scts_to_time(data + 1, &t, &err);
		break;
	}
	}
	return 0;
}
