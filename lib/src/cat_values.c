/* Typed decoding of COMPREHENSION-TLV values for the CAT decoder, one table row per tag: the allowed lengths and
 * the function that checks the coding rules of TS 102 223 clause 8 / TS 31.111 clause 8 and fills the value. */
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/gsm/gsm23003.h>
#include <osmocom/gsm/gsm48.h>

#include "cat_internal.h"

typedef int (*value_fn)(void *ctx, struct cat_obj *o, struct sg_error *err);

struct value_rule {
	uint8_t tag;
	uint16_t min_len;
	uint16_t max_len;
	value_fn fn;
};

static int v_details(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_CMD_DETAILS;
	o->v.details.number = o->val[0];
	o->v.details.type = o->val[1];
	o->v.details.qualifier = o->val[2];
	return 0;
}

static int v_devices(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	if (!strcmp(cat_dev_name(o->val[0]), "reserved"))
		return sg_err(err, "source 0x%02X is a reserved device identity", o->val[0]);
	if (!strcmp(cat_dev_name(o->val[1]), "reserved"))
		return sg_err(err, "destination 0x%02X is a reserved device identity", o->val[1]);
	o->type = CAT_VAL_DEVICE_IDS;
	o->v.dev.src = o->val[0];
	o->v.dev.dst = o->val[1];
	return 0;
}

static int v_result(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	if (cat_result_needs_addl_info(o->val[0]) && o->len < 2)
		return sg_err(err, "general result 0x%02X needs additional information", o->val[0]);
	o->type = CAT_VAL_RESULT;
	o->v.result.general = o->val[0];
	o->v.result.addl = o->val + 1;
	o->v.result.addl_len = o->len - 1;
	return 0;
}

static int v_duration(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	static const uint32_t unit_ms[] = { 60000, 1000, 100 };

	if (o->val[0] > 2)
		return sg_err(err, "time unit 0x%02X reserved", o->val[0]);
	if (o->val[1] == 0)
		return sg_err(err, "time interval 00 reserved");
	o->type = CAT_VAL_DURATION;
	o->v.duration.unit = o->val[0];
	o->v.duration.interval = o->val[1];
	o->v.duration.ms = unit_ms[o->val[0]] * o->val[1];
	return 0;
}

typedef int (*text_decoder)(const uint8_t *val, size_t len, char *out, size_t size, struct sg_error *err);

/* Decode len bytes of text into a talloc'd UTF-8 string (NULL for a null text); at most 4 UTF-8 bytes come out
 * of each input byte. */
static int decode_text(void *ctx, const uint8_t *val, size_t len, text_decoder fn, char **out, struct sg_error *err)
{
	size_t size = 4 * len + 8;
	char *s;

	*out = NULL;
	if (len == 0)
		return 0;
	s = talloc_size(ctx, size);
	if (!s || fn(val, len, s, size, err))
		return -1;
	*out = s;
	return 0;
}

static int v_text(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_TEXT;
	o->v.text.coding = o->len ? o->val[0] : 0;
	return decode_text(ctx, o->val, o->len, cat_text_decode, &o->v.text.utf8, err);
}

static int v_alpha(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_TEXT;
	o->v.text.coding = (o->len && o->val[0] >= 0x80 && o->val[0] <= 0x82) ? o->val[0] : 0;
	return decode_text(ctx, o->val, o->len, cat_alpha_decode, &o->v.text.utf8, err);
}

static int v_address(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	static const char digits[] = "0123456789*#pwe";
	struct cat_address *a = &o->v.address;
	size_t i, n = 0;

	a->ton = (o->val[0] >> 4) & 0x07;
	a->npi = o->val[0] & 0x0F;
	for (i = 1; i < o->len; i++) {
		uint8_t lo = o->val[i] & 0x0F, hi = o->val[i] >> 4;
		bool last = i + 1 == o->len;

		if (lo == 0xF || (hi == 0xF && !last))
			return sg_err(err, "filler F in byte %zu before the last digit", i);
		if (n + 2 > CAT_ADDR_MAX_DIGITS)
			return sg_err(err, "more than %d digits", CAT_ADDR_MAX_DIGITS);
		a->digits[n++] = digits[lo];
		if (hi != 0xF)
			a->digits[n++] = digits[hi];
	}
	a->digits[n] = '\0';
	o->type = CAT_VAL_ADDRESS;
	return 0;
}

static int v_ussd(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	size_t size = 4 * o->len + 8;
	char *s = talloc_size(ctx, size);
	int rc;

	if (!s)
		return -1;
	rc = cat_cbs_text_decode(o->val[0], o->val + 1, o->len - 1, s, size, err);
	if (rc < 0)
		return -1;
	o->type = CAT_VAL_USSD;
	o->v.ussd.dcs = o->val[0];
	o->v.ussd.utf8 = rc == 0 ? s : NULL;
	return 0;
}

static int v_tpdu(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_TPDU;
	o->v.tpdu.mti = o->val[0] & 0x03;
	return 0;
}

static int v_tone(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	if (!strcmp(cat_tone_name(o->val[0]), "reserved"))
		return sg_err(err, "tone 0x%02X reserved", o->val[0]);
	o->type = CAT_VAL_TONE;
	o->v.byte = o->val[0];
	return 0;
}

static int v_item(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_ITEM;
	o->v.item.null_item = o->len == 0;
	o->v.item.utf8 = NULL;
	if (o->len == 0)
		return 0;
	o->v.item.id = o->val[0];
	return decode_text(ctx, o->val + 1, o->len - 1, cat_alpha_decode, &o->v.item.utf8, err);
}

static int v_byte(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = o->tag == CAT_TAG_ITEM_ID ? CAT_VAL_ITEM_ID : CAT_VAL_TIMER_ID;
	if (o->tag == CAT_TAG_TIMER_ID && (o->val[0] < 1 || o->val[0] > 8))
		return sg_err(err, "timer %u outside 1..8", o->val[0]);
	o->v.byte = o->val[0];
	return 0;
}

static int v_response_length(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	if (o->val[0] > o->val[1])
		return sg_err(err, "minimum %u above maximum %u", o->val[0], o->val[1]);
	o->type = CAT_VAL_RESPONSE_LENGTH;
	o->v.rsp_len.min = o->val[0];
	o->v.rsp_len.max = o->val[1];
	return 0;
}

static int v_file_list(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	if ((o->len - 1) % 2)
		return sg_err(err, "file paths of %zu bytes, must be whole 2-byte file identifiers", o->len - 1);
	if (o->val[0] && (o->len < 3 || o->val[1] != 0x3F || o->val[2] != 0x00))
		return sg_err(err, "the first path must start at the MF (3F00)");
	o->type = CAT_VAL_FILE_LIST;
	o->v.files.n_files = o->val[0];
	return 0;
}

static int v_location(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	struct cat_location *l = &o->v.location;
	struct osmo_plmn_id plmn;
	const uint8_t *v = o->val;

	if (o->len != 7 && o->len != 9)
		return sg_err(err, "length %zu, must be 7 or 9", o->len);
	if ((v[0] & 0x0F) > 9 || (v[0] >> 4) > 9 || (v[1] & 0x0F) > 9 || ((v[1] >> 4) > 9 && (v[1] >> 4) != 0xF) ||
	    (v[2] & 0x0F) > 9 || (v[2] >> 4) > 9)
		return sg_err(err, "MCC/MNC %02X %02X %02X is not BCD", v[0], v[1], v[2]);
	osmo_plmn_from_bcd(v, &plmn);
	l->mcc = plmn.mcc;
	l->mnc = plmn.mnc;
	l->mnc_3_digits = plmn.mnc_3_digits;
	l->lac = (uint16_t)(v[3] << 8 | v[4]);
	l->extended = o->len == 9;
	if (l->extended)
		l->cell_id = (uint32_t)v[5] << 24 | (uint32_t)v[6] << 16 | (uint32_t)v[7] << 8 | v[8];
	else
		l->cell_id = (uint32_t)v[5] << 8 | v[6];
	o->type = CAT_VAL_LOCATION;
	return 0;
}

static int v_imei(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	struct osmo_mobile_identity mi;

	if (osmo_mobile_identity_decode(&mi, o->val, 8, false) < 0 || mi.type != GSM_MI_TYPE_IMEI)
		return sg_err(err, "not a BCD IMEI (TS 24.008 mobile identity type 2)");
	OSMO_STRLCPY_ARRAY(o->v.imei, mi.imei);
	o->type = CAT_VAL_IMEI;
	return 0;
}

static int v_event_list(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_EVENT_LIST;
	return 0;
}

static int v_location_status(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	if (o->val[0] > CAT_LOCSTAT_NO_SERVICE)
		return sg_err(err, "value 0x%02X reserved", o->val[0]);
	o->type = CAT_VAL_LOCATION_STATUS;
	o->v.byte = o->val[0];
	return 0;
}

static int v_icon(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_ICON_ID;
	o->v.icon.qualifier = o->val[0];
	o->v.icon.record = o->val[1];
	return 0;
}

/* Swapped BCD byte (units digit in the high nibble) to its value, or -1 */
static int unswap_bcd(uint8_t b)
{
	if ((b & 0x0F) > 9 || (b >> 4) > 9)
		return -1;
	return (b & 0x0F) * 10 + (b >> 4);
}

static int v_timer_value(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	int hh = unswap_bcd(o->val[0]), mm = unswap_bcd(o->val[1]), ss = unswap_bcd(o->val[2]);

	if (hh < 0 || mm < 0 || ss < 0)
		return sg_err(err, "%02X %02X %02X is not swapped BCD", o->val[0], o->val[1], o->val[2]);
	if (mm > 59 || ss > 59)
		return sg_err(err, "%02d:%02d:%02d is not a time", hh, mm, ss);
	o->type = CAT_VAL_TIMER_VALUE;
	o->v.timer.hh = (uint8_t)hh;
	o->v.timer.mm = (uint8_t)mm;
	o->v.timer.ss = (uint8_t)ss;
	o->v.timer.seconds = (uint32_t)(hh * 3600 + mm * 60 + ss);
	return 0;
}

static int v_datetime(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	int f[6], i;
	uint8_t tz = o->val[6];

	for (i = 0; i < 6; i++) {
		f[i] = unswap_bcd(o->val[i]);
		if (f[i] < 0)
			return sg_err(err, "byte %d (%02X) is not swapped BCD", i + 1, o->val[i]);
	}
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59)
		return sg_err(err, "not a valid date and time");
	o->type = CAT_VAL_DATETIME;
	o->v.datetime.year = (uint16_t)(2000 + f[0]);
	o->v.datetime.month = (uint8_t)f[1];
	o->v.datetime.day = (uint8_t)f[2];
	o->v.datetime.hour = (uint8_t)f[3];
	o->v.datetime.minute = (uint8_t)f[4];
	o->v.datetime.second = (uint8_t)f[5];
	o->v.datetime.tz_known = tz != 0xFF;
	if (o->v.datetime.tz_known) {
		/* TS 23.040 9.2.3.11: swapped BCD quarters of an hour, bit 3 of the octet is the sign */
		int q = unswap_bcd(tz & 0xF7);

		if (q < 0)
			return sg_err(err, "time zone %02X is not swapped BCD", tz);
		o->v.datetime.tz_quarters = (tz & 0x08) ? -q : q;
	}
	return 0;
}

static int v_language(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	int i;

	for (i = 0; i < 2; i++) {
		char c = (char)o->val[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return sg_err(err, "byte %02X is not a letter (ISO 639 code)", o->val[i]);
		o->v.language[i] = c;
	}
	o->v.language[2] = '\0';
	o->type = CAT_VAL_LANGUAGE;
	return 0;
}

static int v_empty(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_EMPTY;
	return 0;
}

static int v_raw(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	o->type = CAT_VAL_RAW;
	return 0;
}

#define ANY 0xFFFF

static const struct value_rule rules[] = {
	{ CAT_TAG_COMMAND_DETAILS, 3, 3, v_details },
	{ CAT_TAG_DEVICE_IDS, 2, 2, v_devices },
	{ CAT_TAG_RESULT, 1, ANY, v_result },
	{ CAT_TAG_DURATION, 2, 2, v_duration },
	{ CAT_TAG_ALPHA_ID, 0, ANY, v_alpha },
	{ CAT_TAG_ADDRESS, 1, ANY, v_address },
	{ CAT_TAG_CCP, 0, ANY, v_raw },
	{ CAT_TAG_SUBADDRESS, 0, ANY, v_raw },
	{ CAT_TAG_SS_STRING, 1, ANY, v_address },
	{ CAT_TAG_USSD_STRING, 1, ANY, v_ussd },
	{ CAT_TAG_SMS_TPDU, 1, ANY, v_tpdu },
	{ CAT_TAG_CB_PAGE, 88, 88, v_raw },
	{ CAT_TAG_TEXT_STRING, 0, ANY, v_text },
	{ CAT_TAG_TONE, 1, 1, v_tone },
	{ CAT_TAG_ITEM, 0, ANY, v_item },
	{ CAT_TAG_ITEM_ID, 1, 1, v_byte },
	{ CAT_TAG_RESPONSE_LENGTH, 2, 2, v_response_length },
	{ CAT_TAG_FILE_LIST, 1, ANY, v_file_list },
	{ CAT_TAG_LOCATION_INFO, 7, 9, v_location },
	{ CAT_TAG_IMEI, 8, 8, v_imei },
	{ CAT_TAG_HELP_REQUEST, 0, 0, v_empty },
	{ CAT_TAG_NMR, 0, ANY, v_raw },
	{ CAT_TAG_DEFAULT_TEXT, 0, ANY, v_text },
	{ CAT_TAG_ITEMS_NEXT_ACTION, 1, ANY, v_raw },
	{ CAT_TAG_EVENT_LIST, 0, ANY, v_event_list },
	{ CAT_TAG_CAUSE, 0, 30, v_raw },
	{ CAT_TAG_LOCATION_STATUS, 1, 1, v_location_status },
	{ CAT_TAG_TRANSACTION_ID, 1, ANY, v_raw },
	{ 0x1D, 0, ANY, v_raw },
	{ CAT_TAG_ICON_ID, 2, 2, v_icon },
	{ CAT_TAG_ITEM_ICON_ID_LIST, 1, ANY, v_raw },
	{ 0x20, 1, 1, v_raw },
	{ 0x21, 0, ANY, v_raw },
	{ 0x22, 4, ANY, v_raw },
	{ 0x23, 2, ANY, v_raw },
	{ CAT_TAG_TIMER_ID, 1, 1, v_byte },
	{ CAT_TAG_TIMER_VALUE, 3, 3, v_timer_value },
	{ CAT_TAG_DATETIME_TZ, 7, 7, v_datetime },
	{ 0x27, 0, ANY, v_raw },
	{ 0x28, 0, ANY, v_raw },
	{ 0x29, 0, ANY, v_raw },
	{ 0x2A, 1, 1, v_raw },
	{ CAT_TAG_IMMEDIATE_RESPONSE, 0, 0, v_empty },
	{ CAT_TAG_DTMF_STRING, 0, ANY, v_raw },
	{ CAT_TAG_LANGUAGE, 2, 2, v_language },
	{ 0x2E, 2, 2, v_raw },
	{ CAT_TAG_AID, 1, 16, v_raw },
	{ 0x30, 1, 1, v_raw },
	{ CAT_TAG_URL, 0, ANY, v_raw },
	{ 0x32, 0, ANY, v_raw },
	{ 0x33, 0, ANY, v_raw },
	{ 0x34, 1, 1, v_raw },
	{ 0x35, 1, ANY, v_raw },
	{ 0x36, 0, ANY, v_raw },
	{ 0x37, 1, 1, v_raw },
	{ 0x38, 2, 2, v_raw },
	{ 0x39, 2, 2, v_raw },
	{ 0x3A, 1, 1, v_raw },
	{ 0x3B, 0, ANY, v_raw },
	{ 0x3C, 3, 3, v_raw },
	{ 0x3E, 0, ANY, v_raw },
	{ CAT_TAG_ACCESS_TECHNOLOGY, 1, ANY, v_raw },
	{ 0x40, 3, 3, v_raw },
	{ 0x47, 0, ANY, v_raw },
	{ CAT_TAG_TEXT_ATTRIBUTE, 0, ANY, v_raw },
	{ 0x51, 0, ANY, v_raw },
	{ CAT_TAG_IMEISV, 9, 9, v_raw },
	{ 0x63, 1, 1, v_raw },
	{ 0x65, 1, 1, v_raw },
	{ CAT_TAG_FRAME_ID, 1, 1, v_raw },
	{ 0x6D, 0, ANY, v_raw },
};

static const struct value_rule *find_rule(uint16_t tag)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].tag == tag)
			return &rules[i];
	}
	return NULL;
}

bool cat_value_known(uint16_t tag)
{
	return find_rule(tag) != NULL;
}

int cat_value_decode(void *ctx, struct cat_obj *o, struct sg_error *err)
{
	const struct value_rule *r = find_rule(o->tag);
	struct sg_error verr;

	o->type = CAT_VAL_RAW;
	if (!r)
		return 0;
	if (r->min_len == r->max_len && o->len != r->min_len)
		return sg_err(err, "%s: length %zu, must be %u", o->name, o->len, r->min_len);
	if (o->len < r->min_len)
		return sg_err(err, "%s: length %zu, must be at least %u", o->name, o->len, r->min_len);
	if (r->max_len != ANY && o->len > r->max_len)
		return sg_err(err, "%s: length %zu, at most %u", o->name, o->len, r->max_len);
	verr.msg[0] = '\0';
	if (r->fn(ctx, o, &verr) < 0) {
		o->type = CAT_VAL_RAW;
		return sg_err(err, "%s: %s", o->name, verr.msg[0] ? verr.msg : "out of memory");
	}
	return 0;
}
