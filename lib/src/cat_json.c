/* JSON rendering of a decoded CAT PDU (what `simtool cat decode` prints): kind, type, details, devices, every object
 * with its tag, name, raw bytes and typed value, and the rule broken if any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "simguard/hex.h"
#include "cat_internal.h"

static json_t *hex_json(const uint8_t *b, size_t n)
{
	char *s = malloc(2 * n + 1);
	json_t *j;

	if (!s)
		return NULL;
	j = json_string(sg_hex_encode(b, n, s, 2 * n + 1));
	free(s);
	return j;
}

static json_t *byte_hex(unsigned int v)
{
	char s[8];

	snprintf(s, sizeof(s), "%02X", v & 0xFF);
	return json_string(s);
}

/* {"code": n, "hex": "NN", "name": "..."} */
static json_t *coded(unsigned int code, const char *name)
{
	return json_pack("{s:i, s:o, s:s}", "code", (int)code, "hex", byte_hex(code), "name", name ? name : "");
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *text_coding_name(uint16_t tag, uint8_t coding)
{
	if (tag == CAT_TAG_ALPHA_ID || tag == CAT_TAG_ITEM) {
		switch (coding) {
		case 0x80:
			return "UCS2 (80)";
		case 0x81:
			return "UCS2 with 7-bit base (81)";
		case 0x82:
			return "UCS2 with 16-bit base (82)";
		default:
			return "GSM default alphabet";
		}
	}
	switch (coding) {
	case 0x00:
		return "GSM 7-bit packed";
	case 0x04:
		return "GSM 8-bit";
	case 0x08:
		return "UCS2";
	default:
		return "other data coding scheme";
	}
}

static const char *ton_name(uint8_t ton)
{
	static const char *names[] = { "unknown",	     "international", "national",    "network specific",
				       "subscriber", "alphanumeric",  "abbreviated", "reserved" };

	return names[ton & 7];
}

static const char *npi_name(uint8_t npi)
{
	switch (npi) {
	case 0:
		return "unknown";
	case 1:
		return "ISDN/telephony (E.164)";
	case 3:
		return "data (X.121)";
	case 4:
		return "telex";
	case 8:
		return "national";
	case 9:
		return "private";
	case 10:
		return "ERMES";
	default:
		return "reserved";
	}
}

static const char *mti_name(uint8_t mti, bool from_network)
{
	switch (mti) {
	case 0:
		return from_network ? "SMS-DELIVER" : "SMS-DELIVER-REPORT";
	case 1:
		return from_network ? "SMS-SUBMIT-REPORT" : "SMS-SUBMIT";
	case 2:
		return from_network ? "SMS-STATUS-REPORT" : "SMS-COMMAND";
	default:
		return "reserved";
	}
}

static json_t *event_list_json(const struct cat_obj *o)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < o->len; i++)
		json_array_append_new(a, coded(o->val[i], cat_event_name(o->val[i])));
	return a;
}

static json_t *location_json(const struct cat_location *l)
{
	char mcc[8], mnc[8];

	snprintf(mcc, sizeof(mcc), "%03u", l->mcc);
	snprintf(mnc, sizeof(mnc), l->mnc_3_digits ? "%03u" : "%02u", l->mnc);
	return json_pack("{s:s, s:s, s:i, s:I, s:b}", "mcc", mcc, "mnc", mnc, "lac", (int)l->lac, "cell_id",
			 (json_int_t)l->cell_id, "extended", l->extended);
}

static json_t *result_json(const struct cat_obj *o)
{
	json_t *j = coded(o->v.result.general, cat_result_name(o->v.result.general));

	if (j && o->v.result.addl_len) {
		const char *an = cat_addl_info_name(o->v.result.general, o->v.result.addl[0]);

		json_object_set_new(j, "additional_info", hex_json(o->v.result.addl, o->v.result.addl_len));
		if (an)
			json_object_set_new(j, "additional_info_name", json_string(an));
	}
	return j;
}

static json_t *datetime_json(const struct cat_obj *o)
{
	char s[40];
	int q = o->v.datetime.tz_quarters, aq = q < 0 ? -q : q;

	if (o->v.datetime.tz_known)
		snprintf(s, sizeof(s), "%04u-%02u-%02uT%02u:%02u:%02u%c%02d:%02d", o->v.datetime.year,
			 o->v.datetime.month, o->v.datetime.day, o->v.datetime.hour, o->v.datetime.minute,
			 o->v.datetime.second, q < 0 ? '-' : '+', aq / 4, aq % 4 * 15);
	else
		snprintf(s, sizeof(s), "%04u-%02u-%02uT%02u:%02u:%02u", o->v.datetime.year, o->v.datetime.month,
			 o->v.datetime.day, o->v.datetime.hour, o->v.datetime.minute, o->v.datetime.second);
	return json_pack("{s:s}", "text", s);
}

static json_t *tpdu_json(const struct cat_decoded *d, const struct cat_obj *o)
{
	/* SMS-PP download comes from the network; SEND SHORT MESSAGE goes to it */
	bool from_network = d->kind == CAT_KIND_ENVELOPE && d->src == CAT_DEV_NETWORK;
	json_t *j = json_pack("{s:s, s:o}", "mti", mti_name(o->v.tpdu.mti, from_network), "hex",
			      hex_json(o->val, o->len));
	json_t *sms = cat_tpdu_json(o->val, o->len, from_network);

	if (j && sms)
		json_object_set_new(j, "sms", sms);
	else
		json_decref(sms);
	return j;
}

static json_t *value_json(const struct cat_decoded *d, const struct cat_obj *o)
{
	char s[40];

	switch (o->type) {
	case CAT_VAL_CMD_DETAILS:
		return json_pack("{s:i, s:o, s:o}", "number", o->v.details.number, "type",
				 coded(o->v.details.type, cat_cmd_type_name(o->v.details.type)), "qualifier",
				 byte_hex(o->v.details.qualifier));
	case CAT_VAL_DEVICE_IDS:
		return json_pack("{s:o, s:o}", "source", coded(o->v.dev.src, cat_dev_name(o->v.dev.src)), "destination",
				 coded(o->v.dev.dst, cat_dev_name(o->v.dev.dst)));
	case CAT_VAL_RESULT:
		return result_json(o);
	case CAT_VAL_DURATION:
		return json_pack("{s:s, s:i, s:I}", "unit", cat_duration_unit_name(o->v.duration.unit), "interval",
				 o->v.duration.interval, "milliseconds", (json_int_t)o->v.duration.ms);
	case CAT_VAL_TEXT:
		return json_pack("{s:s, s:o, s:o}", "coding", text_coding_name(o->tag, o->v.text.coding), "dcs",
				 byte_hex(o->v.text.coding), "text", text_or_null(o->v.text.utf8));
	case CAT_VAL_ADDRESS:
		return json_pack("{s:i, s:s, s:i, s:s, s:s}", "ton", o->v.address.ton, "ton_name",
				 ton_name(o->v.address.ton), "npi", o->v.address.npi, "npi_name",
				 npi_name(o->v.address.npi), "digits", o->v.address.digits);
	case CAT_VAL_USSD:
		return json_pack("{s:o, s:o}", "dcs", byte_hex(o->v.ussd.dcs), "text", text_or_null(o->v.ussd.utf8));
	case CAT_VAL_TPDU:
		return tpdu_json(d, o);
	case CAT_VAL_TONE:
		return coded(o->v.byte, cat_tone_name(o->v.byte));
	case CAT_VAL_ITEM:
		if (o->v.item.null_item)
			return json_pack("{s:n, s:n}", "id", "text");
		return json_pack("{s:i, s:o}", "id", o->v.item.id, "text", text_or_null(o->v.item.utf8));
	case CAT_VAL_ITEM_ID:
	case CAT_VAL_TIMER_ID:
		return json_pack("{s:i}", "id", o->v.byte);
	case CAT_VAL_RESPONSE_LENGTH:
		return json_pack("{s:i, s:i}", "min", o->v.rsp_len.min, "max", o->v.rsp_len.max);
	case CAT_VAL_LOCATION:
		return location_json(&o->v.location);
	case CAT_VAL_IMEI:
		return json_pack("{s:s}", "imei", o->v.imei);
	case CAT_VAL_EVENT_LIST:
		return event_list_json(o);
	case CAT_VAL_LOCATION_STATUS:
		return coded(o->v.byte, cat_location_status_name(o->v.byte));
	case CAT_VAL_ICON_ID:
		return json_pack("{s:b, s:i}", "self_explanatory", !(o->v.icon.qualifier & 1), "record",
				 o->v.icon.record);
	case CAT_VAL_TIMER_VALUE:
		snprintf(s, sizeof(s), "%02u:%02u:%02u", o->v.timer.hh, o->v.timer.mm, o->v.timer.ss);
		return json_pack("{s:s, s:I}", "text", s, "seconds", (json_int_t)o->v.timer.seconds);
	case CAT_VAL_DATETIME:
		return datetime_json(o);
	case CAT_VAL_LANGUAGE:
		return json_pack("{s:s}", "language", o->v.language);
	case CAT_VAL_FILE_LIST:
		return json_pack("{s:i}", "files", o->v.files.n_files);
	case CAT_VAL_EMPTY:
		return json_object();
	default:
		return json_null();
	}
}

static json_t *obj_json(const struct cat_decoded *d, const struct cat_obj *o)
{
	char tag[8];
	json_t *j;

	if (o->tag < 0x7F)
		snprintf(tag, sizeof(tag), "%02X", o->tag | (o->cr ? 0x80 : 0));
	else
		snprintf(tag, sizeof(tag), "7F%04X", o->tag | (o->cr ? 0x8000 : 0));
	j = json_pack("{s:s, s:s, s:b, s:I, s:I, s:o}", "tag", tag, "name", o->name ? o->name : "unknown", "cr",
		      o->cr, "offset", (json_int_t)o->offset, "length", (json_int_t)o->len, "raw",
		      hex_json(o->val, o->len));
	if (!j)
		return NULL;
	if (o->type != CAT_VAL_RAW)
		json_object_set_new(j, "value", value_json(d, o));
	if (o->error)
		json_object_set_new(j, "error", json_string(o->error));
	return j;
}

static void head_json(json_t *j, const struct cat_decoded *d)
{
	char q[96];

	if (d->kind == CAT_KIND_ENVELOPE) {
		json_object_set_new(j, "type", coded(d->ber_tag, cat_envelope_name(d->ber_tag)));
	} else if (d->has_details) {
		json_object_set_new(j, "type", coded(d->type, cat_cmd_type_name(d->type)));
		json_object_set_new(j, "command_number", json_integer(d->number));
		json_object_set_new(j, "qualifier",
				    json_pack("{s:o, s:s}", "hex", byte_hex(d->qualifier), "meaning",
					      cat_qualifier_describe(d->type, d->qualifier, q, sizeof(q))));
	}
	if (d->has_devices) {
		json_object_set_new(j, "source", coded(d->src, cat_dev_name(d->src)));
		json_object_set_new(j, "destination", coded(d->dst, cat_dev_name(d->dst)));
	}
	if (d->has_result)
		json_object_set_new(j, "result", result_json(cat_decoded_find(d, CAT_TAG_RESULT, 0)));
}

json_t *cat_decoded_to_json(const struct cat_decoded *d)
{
	json_t *j = json_object(), *objs = json_array();
	unsigned int i;

	if (!j || !objs) {
		json_decref(j);
		json_decref(objs);
		return NULL;
	}
	json_object_set_new(j, "kind", json_string(cat_kind_name(d->kind)));
	if (d->ber_tag)
		json_object_set_new(j, "tag", byte_hex(d->ber_tag));
	head_json(j, d);
	for (i = 0; i < d->n_objs; i++)
		json_array_append_new(objs, obj_json(d, &d->objs[i]));
	json_object_set_new(j, "objects", objs);
	json_object_set_new(j, "valid", json_boolean(d->valid));
	if (!d->valid) {
		json_object_set_new(j, "error", json_string(d->error));
		json_object_set_new(j, "error_offset", json_integer((json_int_t)d->error_offset));
		if (d->kind == CAT_KIND_PROACTIVE || d->kind == CAT_KIND_UNKNOWN)
			json_object_set_new(j, "terminal_result", coded(d->tr_result, cat_result_name(d->tr_result)));
	}
	return j;
}
