/* COMPREHENSION-TLV object writers for the CAT builders (TS 102 223 clause 8 codings) and the BER template frame
 * every proactive command and envelope shares. */
#include <stdio.h>
#include <string.h>

#include <osmocom/gsm/gsm23003.h>
#include <osmocom/gsm/gsm48.h>

#include "cat_internal.h"

int cat_writer_check(const struct sg_tlv_writer *w, const char *what, struct sg_error *err)
{
	if (!sg_tlv_writer_ok(w))
		return sg_err(err, "%s: does not fit in %d bytes", what, CAT_VALUE_MAX);
	return 0;
}

void cat_tpl_begin(struct cat_tpl *t, struct cat_buf *out, uint8_t ber_tag, uint8_t src, uint8_t dst)
{
	uint8_t dev[2] = { src, dst };

	out->len = 0;
	sg_tlv_writer_init(&t->w, out->data, sizeof(out->data));
	t->mark = sg_ber_tlv_open(&t->w, ber_tag);
	sg_ctlv_put(&t->w, CAT_TAG_DEVICE_IDS, true, dev, 2);
}

void cat_cmd_begin(struct cat_tpl *t, struct cat_buf *out, uint8_t number, uint8_t type, uint8_t qualifier,
		   uint8_t dst)
{
	uint8_t details[3] = { number, type, qualifier };
	uint8_t dev[2] = { CAT_DEV_UICC, dst };

	out->len = 0;
	sg_tlv_writer_init(&t->w, out->data, sizeof(out->data));
	t->mark = sg_ber_tlv_open(&t->w, CAT_BER_PROACTIVE);
	sg_ctlv_put(&t->w, CAT_TAG_COMMAND_DETAILS, true, details, 3);
	sg_ctlv_put(&t->w, CAT_TAG_DEVICE_IDS, true, dev, 2);
}

int cat_tpl_end(struct cat_tpl *t, struct cat_buf *out, const char *what, struct sg_error *err)
{
	size_t vlen;

	if (cat_writer_check(&t->w, what, err))
		return -1;
	vlen = t->w.len - t->mark - 1;
	if (vlen > CAT_VALUE_MAX)
		return sg_err(err, "%s: does not fit in %d bytes", what, CAT_VALUE_MAX);
	sg_ber_tlv_close(&t->w, t->mark);
	if (cat_writer_check(&t->w, what, err))
		return -1;
	out->len = t->w.len;
	return 0;
}

/* Put the object name in front of a text coding error. */
static int wrap(struct sg_error *err, const char *what)
{
	char m[sizeof(err->msg)];

	if (!err)
		return -1;
	snprintf(m, sizeof(m), "%s", err->msg);
	return sg_err(err, "%s: %s", what, m);
}

int cat_put_text_string(struct sg_tlv_writer *w, uint16_t tag, const char *utf8, enum cat_text_coding coding,
			struct sg_error *err)
{
	uint8_t v[CAT_VALUE_MAX];
	size_t n;

	if (!utf8) {
		sg_ctlv_put(w, tag, true, NULL, 0);
		return cat_writer_check(w, "text string", err);
	}
	if (cat_text_encode(utf8, coding, v, sizeof(v), &n, err))
		return wrap(err, "text string");
	sg_ctlv_put(w, tag, true, v, n);
	return cat_writer_check(w, "text string", err);
}

int cat_put_alpha(struct sg_tlv_writer *w, const char *utf8, struct sg_error *err)
{
	uint8_t v[CAT_VALUE_MAX];
	size_t n;

	if (cat_alpha_encode(utf8, v, sizeof(v), &n, err))
		return wrap(err, "alpha identifier");
	sg_ctlv_put(w, CAT_TAG_ALPHA_ID, true, v, n);
	return cat_writer_check(w, "alpha identifier", err);
}

/* Extended BCD of TS 102 223 8.1 / TS 31.102 4.4.2.3 */
static int bcd_digit(char c)
{
	static const char digits[] = "0123456789*#pwe";
	const char *p;

	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	p = c ? strchr(digits, c) : NULL;
	return p ? (int)(p - digits) : -1;
}

int cat_put_address_cr(struct sg_tlv_writer *w, uint16_t tag, bool cr, const struct cat_address *a,
		       struct sg_error *err)
{
	uint8_t v[1 + CAT_ADDR_MAX_DIGITS / 2];
	size_t i, n = strnlen(a->digits, sizeof(a->digits));

	if (a->ton > 7 || a->npi > 15)
		return sg_err(err, "address: TON %u / NPI %u out of range", a->ton, a->npi);
	if (n > CAT_ADDR_MAX_DIGITS)
		return sg_err(err, "address: more than %d digits", CAT_ADDR_MAX_DIGITS);
	v[0] = (uint8_t)(0x80 | a->ton << 4 | a->npi);
	memset(v + 1, 0xFF, sizeof(v) - 1);
	for (i = 0; i < n; i++) {
		int d = bcd_digit(a->digits[i]);

		if (d < 0)
			return sg_err(err, "address: '%c' at position %zu is not a dialling digit", a->digits[i], i + 1);
		if (i % 2)
			v[1 + i / 2] = (uint8_t)((v[1 + i / 2] & 0x0F) | d << 4);
		else
			v[1 + i / 2] = (uint8_t)(0xF0 | d);
	}
	sg_ctlv_put(w, tag, cr, v, 1 + (n + 1) / 2);
	return cat_writer_check(w, "address", err);
}

int cat_put_address(struct sg_tlv_writer *w, uint16_t tag, const struct cat_address *a, struct sg_error *err)
{
	return cat_put_address_cr(w, tag, true, a, err);
}

int cat_put_duration(struct sg_tlv_writer *w, const struct cat_duration *d, struct sg_error *err)
{
	uint8_t v[2] = { d->unit, d->interval };

	if (d->unit > 2)
		return sg_err(err, "duration: time unit %u reserved (0 minutes, 1 seconds, 2 tenths)", d->unit);
	if (d->interval == 0)
		return sg_err(err, "duration: interval 0 reserved");
	sg_ctlv_put(w, CAT_TAG_DURATION, true, v, 2);
	return cat_writer_check(w, "duration", err);
}

int cat_put_location(struct sg_tlv_writer *w, const struct cat_location *loc, struct sg_error *err)
{
	struct osmo_plmn_id plmn = { .mcc = loc->mcc, .mnc = loc->mnc, .mnc_3_digits = loc->mnc_3_digits };
	uint8_t v[9];
	size_t n = 7;

	if (loc->mcc > 999 || loc->mnc > (loc->mnc_3_digits ? 999 : 99))
		return sg_err(err, "location information: MCC %u / MNC %u out of range", loc->mcc, loc->mnc);
	if (!loc->extended && loc->cell_id > 0xFFFF)
		return sg_err(err, "location information: cell id %u needs the extended form", loc->cell_id);
	osmo_plmn_to_bcd(v, &plmn);
	v[3] = (uint8_t)(loc->lac >> 8);
	v[4] = (uint8_t)loc->lac;
	if (loc->extended) {
		v[5] = (uint8_t)(loc->cell_id >> 24);
		v[6] = (uint8_t)(loc->cell_id >> 16);
		v[7] = (uint8_t)(loc->cell_id >> 8);
		v[8] = (uint8_t)loc->cell_id;
		n = 9;
	} else {
		v[5] = (uint8_t)(loc->cell_id >> 8);
		v[6] = (uint8_t)loc->cell_id;
	}
	sg_ctlv_put(w, CAT_TAG_LOCATION_INFO, true, v, n);
	return cat_writer_check(w, "location information", err);
}

int cat_put_imei(struct sg_tlv_writer *w, const char *digits, struct sg_error *err)
{
	struct osmo_mobile_identity mi = { .type = GSM_MI_TYPE_IMEI };
	uint8_t v[16];
	size_t i, n = strlen(digits);
	int k;

	if (n != 15)
		return sg_err(err, "IMEI: %zu digits, must be 15", n);
	for (i = 0; i < n; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return sg_err(err, "IMEI: '%c' at position %zu is not a digit", digits[i], i + 1);
	}
	memcpy(mi.imei, digits, n + 1);
	/* TS 24.008 mobile identity coding: type nibble A (IMEI, odd count), then BCD */
	k = osmo_mobile_identity_encode_buf(v, sizeof(v), &mi, false);
	if (k != 8)
		return sg_err(err, "IMEI: encoding failed");
	sg_ctlv_put(w, CAT_TAG_IMEI, true, v, 8);
	return cat_writer_check(w, "IMEI", err);
}

/* BCD with the units digit in the high nibble (TS 102 223 8.38) */
static uint8_t swapped_bcd(unsigned int v)
{
	return (uint8_t)((v % 10) << 4 | (v / 10));
}

int cat_put_timer_value(struct sg_tlv_writer *w, uint32_t seconds, struct sg_error *err)
{
	uint8_t v[3];
	uint32_t hh = seconds / 3600;

	if (hh > 99)
		return sg_err(err, "timer value: %u s above 99:59:59", seconds);
	v[0] = swapped_bcd(hh);
	v[1] = swapped_bcd(seconds / 60 % 60);
	v[2] = swapped_bcd(seconds % 60);
	sg_ctlv_put(w, CAT_TAG_TIMER_VALUE, true, v, 3);
	return cat_writer_check(w, "timer value", err);
}

int cat_put_item(struct sg_tlv_writer *w, const struct cat_item *item, struct sg_error *err)
{
	uint8_t v[CAT_VALUE_MAX];
	size_t n;

	v[0] = item->id;
	if (cat_alpha_encode(item->text ? item->text : "", v + 1, sizeof(v) - 1, &n, err))
		return wrap(err, "item");
	sg_ctlv_put(w, CAT_TAG_ITEM, true, v, n + 1);
	return cat_writer_check(w, "item", err);
}
