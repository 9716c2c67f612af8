/* Unit tests for the generic CAT decoder and its JSON rendering: every vector of cat-proactive.md §11 and
 * sms-pp-and-ussd.md §8/§11/§12 decoded to the fields oFono expects, and byte sequences that break each rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <osmocom/core/talloc.h>

#include "simguard/cat.h"
#include "simguard/hex.h"
#include "test_cat_vectors.h"

static uint8_t bytes[1024];

static struct cat_decoded *decode_hex(const char *hex, int want_rc)
{
	struct sg_error err;
	struct cat_decoded *d;
	long n = sg_hex_decode(hex, bytes, sizeof(bytes), "vector", &err);
	int rc;

	assert_true(n >= 0);
	err.msg[0] = '\0';
	rc = cat_decode(NULL, bytes, (size_t)n, &d, &err);
	assert_non_null(d);
	if (rc != want_rc)
		fail_msg("%s: rc %d (%s)", hex, rc, d->error);
	if (rc < 0) {
		assert_false(d->valid);
		assert_string_equal(err.msg, d->error);
	}
	return d;
}

static const struct cat_obj *obj(const struct cat_decoded *d, uint16_t tag)
{
	const struct cat_obj *o = cat_decoded_find(d, tag, 0);

	if (!o)
		fail_msg("object %02X missing", tag);
	return o;
}

static void display_text(void **state)
{
	struct cat_decoded *d = decode_hex(V_DISPLAY_TEXT_111, 0);
	const struct cat_obj *o;

	assert_int_equal(d->kind, CAT_KIND_PROACTIVE);
	assert_int_equal(d->ber_tag, 0xD0);
	assert_true(d->has_details);
	assert_int_equal(d->number, 1);
	assert_int_equal(d->type, CAT_CMD_DISPLAY_TEXT);
	assert_int_equal(d->qualifier, 0x80);
	assert_int_equal(d->src, CAT_DEV_UICC);
	assert_int_equal(d->dst, CAT_DEV_DISPLAY);
	assert_int_equal(d->n_objs, 3);
	o = obj(d, CAT_TAG_TEXT_STRING);
	assert_true(o->cr);
	assert_int_equal(o->offset, 11);
	assert_int_equal(o->type, CAT_VAL_TEXT);
	assert_int_equal(o->v.text.coding, 0x04);
	assert_string_equal(o->v.text.utf8, "Toolkit Test 1");
	assert_string_equal(o->name, "text string");
	talloc_free(d);
}

static void terminal_responses(void **state)
{
	struct cat_decoded *d = decode_hex(V_TR_DISPLAY_TEXT_111, 0);
	const struct cat_obj *o;

	assert_int_equal(d->kind, CAT_KIND_TERMINAL_RESPONSE);
	assert_int_equal(d->type, CAT_CMD_DISPLAY_TEXT);
	assert_int_equal(d->src, CAT_DEV_TERMINAL);
	assert_int_equal(d->dst, CAT_DEV_UICC);
	assert_true(d->has_result);
	assert_int_equal(d->result, CAT_RES_OK);
	talloc_free(d);

	d = decode_hex(V_TR_DISPLAY_TEXT_121, 0);
	o = obj(d, CAT_TAG_RESULT);
	assert_int_equal(o->v.result.general, CAT_RES_TERMINAL_UNABLE);
	assert_int_equal(o->v.result.addl_len, 1);
	assert_int_equal(o->v.result.addl[0], CAT_UNABLE_SCREEN_BUSY);
	assert_string_equal(cat_addl_info_name(0x20, o->v.result.addl[0]), "screen is busy");
	talloc_free(d);

	d = decode_hex(V_TR_PLI_IMEI_121, 0);
	assert_int_equal(d->type, CAT_CMD_PROVIDE_LOCAL_INFO);
	assert_int_equal(d->qualifier, CAT_PLI_IMEI);
	o = obj(d, CAT_TAG_IMEI);
	assert_int_equal(o->type, CAT_VAL_IMEI);
	assert_string_equal(o->v.imei, "123456789012345");
	talloc_free(d);

	d = decode_hex(V_TR_PLI_LOCATION, 0);
	o = obj(d, CAT_TAG_LOCATION_INFO);
	assert_int_equal(o->type, CAT_VAL_LOCATION);
	assert_int_equal(o->v.location.mcc, 1);
	assert_int_equal(o->v.location.mnc, 1);
	assert_false(o->v.location.mnc_3_digits);
	assert_int_equal(o->v.location.lac, 1);
	assert_int_equal(o->v.location.cell_id, 1);
	talloc_free(d);
}

static void play_tone(void **state)
{
	struct cat_decoded *d = decode_hex(V_PLAY_TONE_111, 0);
	const struct cat_obj *o;

	assert_int_equal(d->type, CAT_CMD_PLAY_TONE);
	assert_int_equal(d->dst, CAT_DEV_EARPIECE);
	o = obj(d, CAT_TAG_ALPHA_ID);
	assert_string_equal(o->v.text.utf8, "Dial Tone");
	o = obj(d, CAT_TAG_TONE);
	assert_int_equal(o->v.byte, CAT_TONE_DIAL);
	assert_string_equal(cat_tone_name(o->v.byte), "dial tone");
	o = obj(d, CAT_TAG_DURATION);
	assert_int_equal(o->v.duration.unit, 1);
	assert_int_equal(o->v.duration.interval, 5);
	assert_int_equal(o->v.duration.ms, 5000);
	talloc_free(d);
	talloc_free(decode_hex(V_TR_PLAY_TONE_111, 0));
}

static void send_sm(void **state)
{
	struct cat_decoded *d = decode_hex(V_SEND_SM_111, 0);
	const struct cat_obj *o;

	assert_int_equal(d->type, CAT_CMD_SEND_SHORT_MESSAGE);
	assert_int_equal(d->dst, CAT_DEV_NETWORK);
	assert_string_equal(obj(d, CAT_TAG_ALPHA_ID)->v.text.utf8, "Send SM");
	o = obj(d, CAT_TAG_ADDRESS);
	assert_int_equal(o->v.address.ton, 1);
	assert_int_equal(o->v.address.npi, 1);
	assert_string_equal(o->v.address.digits, "112233445566778");
	o = obj(d, CAT_TAG_SMS_TPDU);
	assert_int_equal(o->type, CAT_VAL_TPDU);
	assert_int_equal(o->v.tpdu.mti, 1); /* SMS-SUBMIT */
	assert_int_equal(o->len, 24);
	talloc_free(d);

	d = decode_hex(V_SEND_SM_POR, 0);
	o = obj(d, CAT_TAG_SMS_TPDU);
	assert_int_equal(o->len, 0x36);
	assert_int_equal(o->val[0], 0x41);
	assert_null(cat_decoded_find(d, CAT_TAG_ADDRESS, 0));
	talloc_free(d);
}

static void events_timers_menus(void **state)
{
	struct cat_decoded *d = decode_hex(V_SET_UP_EVENT_LIST_111, 0);
	const struct cat_obj *o = obj(d, CAT_TAG_EVENT_LIST);

	assert_int_equal(o->type, CAT_VAL_EVENT_LIST);
	assert_int_equal(o->len, 1);
	assert_int_equal(o->val[0], CAT_EVT_USER_ACTIVITY);
	talloc_free(d);

	d = decode_hex(V_TIMER_MANAGEMENT_111, 0);
	assert_int_equal(obj(d, CAT_TAG_TIMER_ID)->v.byte, 1);
	o = obj(d, CAT_TAG_TIMER_VALUE);
	assert_int_equal(o->v.timer.mm, 5);
	assert_int_equal(o->v.timer.seconds, 300);
	talloc_free(d);

	d = decode_hex(V_TIMER_EXPIRATION_211, 0);
	assert_int_equal(d->kind, CAT_KIND_ENVELOPE);
	assert_int_equal(d->ber_tag, CAT_ENV_TIMER_EXPIRATION);
	assert_false(d->has_details);
	/* 00 00 01 is swapped BCD: ten seconds */
	assert_int_equal(obj(d, CAT_TAG_TIMER_VALUE)->v.timer.seconds, 10);
	talloc_free(d);

	d = decode_hex(V_MENU_SELECTION, 0);
	assert_int_equal(d->src, CAT_DEV_KEYPAD);
	assert_int_equal(obj(d, CAT_TAG_ITEM_ID)->v.byte, 2);
	talloc_free(d);

	d = decode_hex(V_EVENT_LOCATION_STATUS, 0);
	assert_int_equal(d->ber_tag, CAT_ENV_EVENT_DOWNLOAD);
	assert_int_equal(obj(d, CAT_TAG_EVENT_LIST)->val[0], CAT_EVT_LOCATION_STATUS);
	assert_int_equal(obj(d, CAT_TAG_LOCATION_STATUS)->v.byte, CAT_LOCSTAT_NO_SERVICE);
	talloc_free(d);
}

static void downloads(void **state)
{
	struct cat_decoded *d = decode_hex(V_SMS_PP_EXAMPLE1, 0);
	const struct cat_obj *o;

	assert_int_equal(d->ber_tag, CAT_ENV_SMS_PP_DOWNLOAD);
	assert_int_equal(d->src, CAT_DEV_NETWORK);
	assert_int_equal(d->dst, CAT_DEV_UICC);
	o = obj(d, CAT_TAG_ADDRESS);
	assert_false(o->cr);
	assert_string_equal(o->v.address.digits, "4917100000");
	o = obj(d, CAT_TAG_SMS_TPDU);
	assert_int_equal(o->len, 56);
	assert_int_equal(o->v.tpdu.mti, 0); /* SMS-DELIVER */
	talloc_free(d);

	d = decode_hex(V_SMS_PP_161, 0);
	assert_string_equal(obj(d, CAT_TAG_ADDRESS)->v.address.digits, "112233445566778");
	assert_int_equal(obj(d, CAT_TAG_SMS_TPDU)->len, 28);
	talloc_free(d);

	d = decode_hex(V_USSD_DOWNLOAD, 0);
	assert_int_equal(d->ber_tag, CAT_ENV_USSD_DOWNLOAD);
	o = obj(d, CAT_TAG_USSD_STRING);
	assert_int_equal(o->v.ussd.dcs, 0xF6);
	assert_null(o->v.ussd.utf8); /* 8-bit data */
	assert_int_equal(o->len, 6);
	talloc_free(d);
}

/* DISPLAY TEXT 1.6.1 (cat-proactive.md §11.7): 81 xx lengths outside and inside */
static void two_byte_length(void **state)
{
	char hex[1024] = "D0 81 AD 81 03 01 21 80 82 02 81 02 8D 81 A1 04 54 68 69 73";
	struct cat_decoded *d;
	int i;

	for (i = 4; i < 160; i++)
		strcat(hex, " 2E");
	d = decode_hex(hex, 0);
	assert_int_equal(obj(d, CAT_TAG_TEXT_STRING)->len, 161);
	assert_int_equal(strlen(obj(d, CAT_TAG_TEXT_STRING)->v.text.utf8), 160);
	assert_memory_equal(obj(d, CAT_TAG_TEXT_STRING)->v.text.utf8, "This....", 8);
	talloc_free(d);
}

static void expect_rule(const char *hex, const char *msg, uint8_t tr_result)
{
	struct cat_decoded *d = decode_hex(hex, -1);

	assert_string_equal(d->error, msg);
	assert_int_equal(d->tr_result, tr_result);
	talloc_free(d);
}

static void broken_rules(void **state)
{
	expect_rule("D0 0A 81 03 01 21 80 82 03 81 02 00", "device identities: length 3, must be 2",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 0D 81 03 01 21 80 82 02 81 02 FE 00 8D 00", "CR object tag 0x7E not understood",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 09 81 03 01 7A 00 82 02 81 82", "command type 0x7A not understood",
		    CAT_RES_TYPE_NOT_UNDERSTOOD);
	expect_rule("D0 09 81 03 01 21 80 82 02 81 02", "DISPLAY TEXT: text string (0D) missing",
		    CAT_RES_VALUES_MISSING);
	expect_rule("D0 0B 81 03 01 21 80 82 02 81 82 8D 00",
		    "device identities: destination of DISPLAY TEXT must be display (02), is terminal (82)",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 09 81 03 01 26 01 82 02 82 82",
		    "device identities: source of a proactive command must be UICC (81), is terminal (82)",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 09 82 02 81 82 81 03 01 26 01", "proactive command: command details must be the first object",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 05 82 02 81 82 00", "TLV at offset 6: tag 0x00 invalid", CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 09 81 03 01 26 01 82 02 81 82 00 00", "2 bytes after the end of the D0 template",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 0C 81 03 01 27 00 82 02 81 82 A4 01 09", "timer identifier: timer 9 outside 1..8",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 0C 81 03 01 27 00 82 02 81 82 A4 01 01", "TIMER MANAGEMENT: start needs a timer value (25)",
		    CAT_RES_VALUES_MISSING);
	expect_rule("D0 0D 81 03 01 03 00 82 02 81 82 84 02 01 00", "duration: time interval 00 reserved",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 0C 81 03 01 20 00 82 02 81 03 8E 01 09", "tone: tone 0x09 reserved",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 0F 81 03 01 21 80 82 02 81 02 8D 04 08 04 17 04", "text string: UCS2 text has odd length 3",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 10 81 03 01 23 00 82 02 81 82 8D 01 04 91 02 05 03",
		    "response length: minimum 5 above maximum 3", CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D0 0E 81 03 01 13 00 82 02 81 83 86 03 91 F1 21",
		    "address: filler F in byte 1 before the last digit", CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("81 03 01 21 80 82 02 82 81", "terminal response: result (03) missing", CAT_RES_VALUES_MISSING);
	expect_rule("81 03 01 21 80 82 02 82 81 83 01 20", "result: general result 0x20 needs additional information",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("81 03 01 21 80 82 02 81 82 83 01 00",
		    "device identities: a terminal response goes from terminal (82) to UICC (81), not 81 to 82",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D8 04 82 02 82 81", "envelope tag 0xD8 not understood", CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D6 0B 99 02 03 04 82 02 82 81 9B 01 02",
		    "event list: an event download carries exactly one event, has 2", CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D1 08 82 02 82 81 8B 02 00 00",
		    "device identities: source of SMS-PP DOWNLOAD must be network (83), is 82",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("D1 04 82 02 83 81", "SMS-PP DOWNLOAD: SMS TPDU (0B) missing", CAT_RES_VALUES_MISSING);
	expect_rule("81 03 01 26 01 82 02 82 81 83 01 00 94 08 1A 32 54 76 98 10 32 C4",
		    "IMEI: not a BCD IMEI (TS 24.008 mobile identity type 2)", CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("81 03 01 26 00 82 02 82 81 83 01 00 93 07 00 F1 1A 00 01 00 01",
		    "location information: MCC/MNC 00 F1 1A is not BCD", CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("42 00", "first byte 0x42: neither a proactive command (D0), an envelope (D1-DD) nor a terminal "
			     "response (81)",
		    CAT_RES_DATA_NOT_UNDERSTOOD);
	expect_rule("", "no bytes to decode", CAT_RES_VALUES_MISSING);
	expect_rule(V_SEND_SM_POR_AS_PRINTED, "5 bytes after the end of the D0 template", CAT_RES_DATA_NOT_UNDERSTOOD);
}

/* A non-CR object we do not know is skipped, not an error (TS 102 223 6.10.4). */
static void unknown_non_cr_skipped(void **state)
{
	struct cat_decoded *d = decode_hex("D0 0F 81 03 01 21 80 82 02 81 02 7E 00 8D 02 04 41", 0);
	const struct cat_obj *o = cat_decoded_find(d, 0x7E, 0);

	assert_non_null(o);
	assert_int_equal(o->type, CAT_VAL_RAW);
	assert_null(o->error);
	assert_string_equal(obj(d, CAT_TAG_TEXT_STRING)->v.text.utf8, "A");
	talloc_free(d);
}

/* Every truncation of every vector is reported, never read past (ASan checks the exact-size copy). */
static void every_truncation(void **state)
{
	static const char *vectors[] = { V_DISPLAY_TEXT_111, V_PLAY_TONE_111, V_SEND_SM_111, V_SMS_PP_EXAMPLE1,
					 V_TR_PLI_IMEI_121,  V_USSD_DOWNLOAD, V_EVENT_LOCATION_STATUS };
	unsigned int i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t full[256];
		struct sg_error err;
		long n = sg_hex_decode(vectors[i], full, sizeof(full), "v", &err);
		long k;

		for (k = 0; k < n; k++) {
			uint8_t *copy = talloc_memdup(NULL, full, (size_t)k ? (size_t)k : 1);
			struct cat_decoded *d;
			int rc = cat_decode(NULL, copy, (size_t)k, &d, &err);

			/* a TERMINAL RESPONSE has no outer length: cutting whole objects off its end can leave a
			 * valid shorter one, so only templates must fail at every length */
			if (full[0] != 0x81)
				assert_int_equal(rc, -1);
			if (rc < 0)
				assert_true(strlen(d->error) > 0);
			talloc_free(d);
			talloc_free(copy);
		}
	}
}

static void json_rendering(void **state)
{
	struct cat_decoded *d = decode_hex(V_DISPLAY_TEXT_111, 0);
	json_t *j = cat_decoded_to_json(d), *o;

	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "proactive command");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "type"), "name")), "DISPLAY TEXT");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "type"), "code")), 0x21);
	assert_int_equal(json_integer_value(json_object_get(j, "command_number")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "qualifier"), "meaning")),
			    "normal priority, wait for user to clear");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "destination"), "name")), "display");
	o = json_array_get(json_object_get(j, "objects"), 2);
	assert_string_equal(json_string_value(json_object_get(o, "tag")), "8D");
	assert_string_equal(json_string_value(json_object_get(o, "name")), "text string");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "value"), "text")), "Toolkit Test 1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "value"), "coding")), "GSM 8-bit");
	assert_true(json_is_true(json_object_get(j, "valid")));
	json_decref(j);
	talloc_free(d);

	d = decode_hex(V_TR_DISPLAY_TEXT_121, 0);
	j = cat_decoded_to_json(d);
	o = json_object_get(j, "result");
	assert_int_equal(json_integer_value(json_object_get(o, "code")), 0x20);
	assert_string_equal(json_string_value(json_object_get(o, "additional_info_name")), "screen is busy");
	json_decref(j);
	talloc_free(d);

	d = decode_hex("D0 0A 81 03 01 21 80 82 03 81 02 00", -1);
	j = cat_decoded_to_json(d);
	assert_true(json_is_false(json_object_get(j, "valid")));
	assert_string_equal(json_string_value(json_object_get(j, "error")), "device identities: length 3, must be 2");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "terminal_result"), "code")), 0x32);
	o = json_array_get(json_object_get(j, "objects"), 1);
	assert_string_equal(json_string_value(json_object_get(o, "error")), "device identities: length 3, must be 2");
	assert_string_equal(json_string_value(json_object_get(o, "raw")), "810200");
	json_decref(j);
	talloc_free(d);
}

/* Every value type renders (the SEND SM vector covers address and TPDU; the envelope the SC address). */
static void json_all_vectors(void **state)
{
	static const char *vectors[] = { V_PLAY_TONE_111, V_SEND_SM_111, V_SMS_PP_EXAMPLE1, V_TR_PLI_IMEI_121,
					 V_TR_PLI_LOCATION, V_USSD_DOWNLOAD, V_EVENT_LOCATION_STATUS,
					 V_TIMER_MANAGEMENT_111, V_MENU_SELECTION };
	unsigned int i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct cat_decoded *d = decode_hex(vectors[i], 0);
		json_t *j = cat_decoded_to_json(d);
		char *s = json_dumps(j, JSON_COMPACT);

		assert_non_null(s);
		if (i == 1) {
			assert_non_null(strstr(s, "\"digits\":\"112233445566778\""));
			assert_non_null(strstr(s, "\"mti\":\"SMS-SUBMIT\""));
			assert_non_null(strstr(s, "\"da\":{\"ton\":1,\"npi\":1,\"digits\":\"012345678\"}"));
		}
		if (i == 2) {
			assert_non_null(strstr(s, "\"mti\":\"SMS-DELIVER\""));
			/* the SMS-DELIVER itself: OTA server address, PID 7F, DCS F6, CPI header */
			assert_non_null(strstr(s, "\"oa\":{\"ton\":1,\"npi\":1,\"digits\":\"49170123456\"}"));
			assert_non_null(strstr(s, "\"pid\":\"7F\",\"dcs\":\"F6\""));
			assert_non_null(strstr(s, "\"command_packet\":true"));
			assert_non_null(strstr(s, "\"payload\":\"002015161915"));
		}
		if (i == 3)
			assert_non_null(strstr(s, "\"imei\":\"123456789012345\""));
		if (i == 4)
			assert_non_null(strstr(s, "\"mcc\":\"001\",\"mnc\":\"01\""));
		if (i == 7)
			assert_non_null(strstr(s, "\"text\":\"00:05:00\",\"seconds\":300"));
		free(s);
		json_decref(j);
		talloc_free(d);
	}
}

static void names(void **state)
{
	char q[96];

	assert_string_equal(cat_cmd_type_name(0x25), "SET UP MENU");
	assert_string_equal(cat_cmd_type_name(0x7A), "unknown");
	assert_string_equal(cat_envelope_name(0xD9), "USSD DOWNLOAD");
	assert_string_equal(cat_tag_name(0x0B), "SMS TPDU");
	assert_string_equal(cat_dev_name(0x83), "network");
	assert_string_equal(cat_dev_name(0x55), "reserved");
	assert_string_equal(cat_result_name(0x30), "command beyond terminal's capabilities");
	assert_string_equal(cat_event_name(0x05), "idle screen available");
	/* themed tones are 30..34 (cat-proactive.md §10: oFono's enum is one too high) */
	assert_string_equal(cat_tone_name(0x30), "happy tone");
	assert_string_equal(cat_tone_name(0x34), "message received tone");
	assert_string_equal(cat_tone_name(0x35), "reserved");
	assert_string_equal(cat_location_status_name(2), "no service");
	assert_true(cat_result_is_success(0x12));
	assert_false(cat_result_is_success(0x20));
	assert_string_equal(cat_qualifier_describe(0x21, 0x81, q, sizeof(q)), "high priority, wait for user to clear");
	assert_string_equal(cat_qualifier_describe(0x22, 0x84 | 0x01, q, sizeof(q)), "yes/no, help available");
	assert_string_equal(cat_qualifier_describe(0x23, 0x03, q, sizeof(q)), "UCS2 alphabet");
	assert_string_equal(cat_qualifier_describe(0x23, 0x00, q, sizeof(q)), "digits only");
	assert_string_equal(cat_qualifier_describe(0x26, 0x01, q, sizeof(q)), "IMEI");
	assert_string_equal(cat_qualifier_describe(0x27, 0x02, q, sizeof(q)), "get current value");
	assert_string_equal(cat_qualifier_describe(0x01, 0x04, q, sizeof(q)), "UICC reset");
	assert_string_equal(cat_qualifier_describe(0x13, 0x00, q, sizeof(q)), "packing not required");
	assert_string_equal(cat_kind_name(CAT_KIND_ENVELOPE), "envelope");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(display_text),	       cmocka_unit_test(terminal_responses),
		cmocka_unit_test(play_tone),	       cmocka_unit_test(send_sm),
		cmocka_unit_test(events_timers_menus), cmocka_unit_test(downloads),
		cmocka_unit_test(two_byte_length),     cmocka_unit_test(broken_rules),
		cmocka_unit_test(unknown_non_cr_skipped), cmocka_unit_test(every_truncation),
		cmocka_unit_test(json_rendering),      cmocka_unit_test(json_all_vectors),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
