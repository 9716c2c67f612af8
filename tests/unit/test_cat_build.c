/* Unit tests for the CAT builders: byte-exact against the oFono / TS 102 384 vectors of cat-proactive.md §11 and
 * the envelopes of sms-pp-and-ussd.md §8/§11/§12; what the builders make decodes back to what was asked; bad
 * parameters are refused with a message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <osmocom/core/talloc.h>

#include "simguard/cat.h"
#include "simguard/hex.h"
#include "test_cat_vectors.h"

static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	struct sg_error err;
	long n = sg_hex_decode(hex, out, size, "vector", &err);

	assert_true(n >= 0);
	return (size_t)n;
}

static void assert_buf(const struct cat_buf *b, const char *hex)
{
	uint8_t want[CAT_PDU_MAX];
	char got[2 * CAT_PDU_MAX + 1];
	size_t n = unhex(hex, want, sizeof(want));

	if (b->len != n || memcmp(b->data, want, n) != 0)
		fail_msg("built %s\nexpected %s", sg_hex_encode(b->data, b->len, got, sizeof(got)), hex);
}

/* What a builder made must decode without a rule broken. */
static struct cat_decoded *decode_ok(const struct cat_buf *b)
{
	struct cat_decoded *d;
	struct sg_error err;

	if (cat_decode(NULL, b->data, b->len, &d, &err) != 0)
		fail_msg("decode of built PDU: %s", err.msg);
	return d;
}

static void display_text(void **state)
{
	struct cat_buf b;
	struct sg_error err;
	struct cat_display_text p = { .text = "Toolkit Test 1", .coding = CAT_TEXT_GSM8, .wait_for_user = true };

	assert_int_equal(cat_build_display_text(&b, 1, &p, &err), 0);
	assert_buf(&b, V_DISPLAY_TEXT_111);
	p.text = "";
	assert_int_equal(cat_build_display_text(&b, 1, &p, &err), -1);
	assert_string_equal(err.msg, "DISPLAY TEXT: text must not be empty");
}

/* DISPLAY TEXT 1.6.1 (cat-proactive.md §11.7): a 160-character text needs 81 xx lengths */
static void display_text_long(void **state)
{
	char text[161], hex[600] = "D0 81 AD 81 03 01 21 80 82 02 81 02 8D 81 A1 04 54 68 69 73";
	struct cat_display_text p = { .text = text, .coding = CAT_TEXT_GSM8, .wait_for_user = true };
	struct cat_buf b;
	struct sg_error err;
	int i;

	memcpy(text, "This", 4);
	memset(text + 4, '.', 156);
	text[160] = '\0';
	for (i = 4; i < 160; i++)
		strcat(hex, " 2E");
	assert_int_equal(cat_build_display_text(&b, 1, &p, &err), 0);
	assert_buf(&b, hex);
	/* 300 characters do not fit a proactive command */
	{
		char big[301];

		memset(big, 'a', 300);
		big[300] = '\0';
		p.text = big;
		assert_int_equal(cat_build_display_text(&b, 1, &p, &err), -1);
		assert_int_equal(b.len, 0);
	}
}

static void play_tone(void **state)
{
	struct cat_play_tone p = { .alpha = "Dial Tone", .tone = CAT_TONE_DIAL, .duration = { 1, 5 } };
	struct cat_buf b;
	struct sg_error err;

	assert_int_equal(cat_build_play_tone(&b, 1, &p, &err), 0);
	assert_buf(&b, V_PLAY_TONE_111);
	p.duration.unit = 3;
	assert_int_equal(cat_build_play_tone(&b, 1, &p, &err), -1);
	assert_string_equal(err.msg, "duration: time unit 3 reserved (0 minutes, 1 seconds, 2 tenths)");
}

static void provide_local_info(void **state)
{
	struct cat_buf b;
	struct sg_error err;

	assert_int_equal(cat_build_provide_local_info(&b, 1, CAT_PLI_IMEI, &err), 0);
	assert_buf(&b, V_PLI_IMEI_121);
	assert_int_equal(cat_build_provide_local_info(&b, 0, CAT_PLI_IMEI, &err), -1);
	assert_string_equal(err.msg, "command number 0 reserved (01..FE)");
}

static void send_sms(void **state)
{
	uint8_t tpdu[200];
	struct cat_address sc = { .ton = 1, .npi = 1, .digits = "112233445566778" };
	struct cat_send_sms p = { .alpha = "Send SM", .sc = &sc, .tpdu = tpdu };
	struct cat_buf b;
	struct sg_error err;

	p.tpdu_len = unhex(V_SEND_SM_111_TPDU, tpdu, sizeof(tpdu));
	assert_int_equal(cat_build_send_sms(&b, 1, &p, &err), 0);
	assert_buf(&b, V_SEND_SM_111);

	/* the PoR of sms-pp-and-ussd.md §11, no alpha identifier, no SC address */
	memset(&p, 0, sizeof(p));
	p.tpdu = tpdu;
	p.tpdu_len = unhex(V_SEND_SM_POR_TPDU, tpdu, sizeof(tpdu));
	assert_int_equal(cat_build_send_sms(&b, 1, &p, &err), 0);
	assert_buf(&b, V_SEND_SM_POR);

	sc.digits[3] = 'x';
	p.sc = &sc;
	assert_int_equal(cat_build_send_sms(&b, 1, &p, &err), -1);
	assert_string_equal(err.msg, "address: 'x' at position 4 is not a dialling digit");
}

static void events_and_timers(void **state)
{
	static const uint8_t ev[] = { CAT_EVT_USER_ACTIVITY };
	struct cat_buf b;
	struct sg_error err;

	assert_int_equal(cat_build_set_up_event_list(&b, 1, ev, 1, &err), 0);
	assert_buf(&b, V_SET_UP_EVENT_LIST_111);
	assert_int_equal(cat_build_timer_management(&b, 1, CAT_TIMER_START, 1, 300, &err), 0);
	assert_buf(&b, V_TIMER_MANAGEMENT_111);
	assert_int_equal(cat_build_timer_management(&b, 1, CAT_TIMER_START, 9, 300, &err), -1);
	assert_string_equal(err.msg, "TIMER MANAGEMENT: timer 9 outside 1..8");
	assert_int_equal(cat_build_timer_management(&b, 2, CAT_TIMER_GET_VALUE, 1, 0, &err), 0);
	assert_buf(&b, "D0 0C 81 03 02 27 02 82 02 81 82 A4 01 01");
	assert_int_equal(cat_build_timer_management(&b, 1, CAT_TIMER_START, 1, 100 * 3600, &err), -1);
	assert_string_equal(err.msg, "timer value: 360000 s above 99:59:59");

	/* 00 00 01 in swapped BCD is 10 seconds */
	assert_int_equal(cat_build_timer_expiration(&b, 1, 10, &err), 0);
	assert_buf(&b, V_TIMER_EXPIRATION_211);
	assert_int_equal(cat_build_menu_selection(&b, 2, false, &err), 0);
	assert_buf(&b, V_MENU_SELECTION);
	assert_int_equal(cat_build_menu_selection(&b, 2, true, &err), 0);
	assert_buf(&b, "D3 09 82 02 01 81 90 01 02 15 00");
}

static void event_download(void **state)
{
	struct cat_event_download p = {
		.event = CAT_EVT_LOCATION_STATUS, .has_location_status = true, .location_status = CAT_LOCSTAT_NO_SERVICE
	};
	struct cat_location loc = { .mcc = 1, .mnc = 1, .lac = 1, .cell_id = 1 };
	struct cat_buf b;
	struct sg_error err;
	struct cat_decoded *d;

	assert_int_equal(cat_build_event_download(&b, &p, &err), 0);
	assert_buf(&b, V_EVENT_LOCATION_STATUS);
	p.location_status = CAT_LOCSTAT_NORMAL;
	p.location = &loc;
	assert_int_equal(cat_build_event_download(&b, &p, &err), 0);
	assert_buf(&b, "D6 13 99 01 03 82 02 82 81 9B 01 00 93 07 00 F1 10 00 01 00 01");
	/* MT call comes from the network */
	memset(&p, 0, sizeof(p));
	p.event = CAT_EVT_MT_CALL;
	assert_int_equal(cat_build_event_download(&b, &p, &err), 0);
	assert_buf(&b, "D6 07 99 01 00 82 02 83 81");
	d = decode_ok(&b);
	assert_int_equal(d->src, CAT_DEV_NETWORK);
	talloc_free(d);
}

static void terminal_responses(void **state)
{
	static const uint8_t screen_busy = CAT_UNABLE_SCREEN_BUSY;
	struct cat_location loc = { .mcc = 1, .mnc = 1, .lac = 1, .cell_id = 1 };
	struct cat_tr tr;
	struct cat_buf b;
	struct sg_error err;

	cat_tr_init(&tr, NULL, CAT_RES_OK);
	tr.number = 1;
	tr.type = CAT_CMD_DISPLAY_TEXT;
	tr.qualifier = 0x80;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, V_TR_DISPLAY_TEXT_111);
	tr.result = CAT_RES_TERMINAL_UNABLE;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), -1);
	assert_string_equal(err.msg, "TERMINAL RESPONSE: general result 0x20 needs additional information");
	tr.addl = &screen_busy;
	tr.addl_len = 1;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, V_TR_DISPLAY_TEXT_121);

	cat_tr_init(&tr, NULL, CAT_RES_OK);
	tr.number = 1;
	tr.type = CAT_CMD_PLAY_TONE;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, V_TR_PLAY_TONE_111);

	tr.type = CAT_CMD_PROVIDE_LOCAL_INFO;
	tr.qualifier = CAT_PLI_IMEI;
	tr.imei = "123456789012345";
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, V_TR_PLI_IMEI_121);
	tr.imei = "12345678901234";
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), -1);
	assert_string_equal(err.msg, "IMEI: 14 digits, must be 15");

	tr.imei = NULL;
	tr.qualifier = CAT_PLI_LOCATION;
	tr.location = &loc;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, V_TR_PLI_LOCATION);
	/* three-digit MNC and a 28-bit E-UTRAN cell id */
	loc.mcc = 262;
	loc.mnc = 42;
	loc.mnc_3_digits = true;
	loc.cell_id = 0x0ABCDEF;
	loc.extended = true;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, "81 03 01 26 00 82 02 82 81 83 01 00 93 09 62 22 40 00 01 00 AB CD EF");
	loc.extended = false;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), -1);
	assert_string_equal(err.msg, "location information: cell id 11259375 needs the extended form");
}

/* TR built from a decoded command: details echoed, command-specific objects decode back. */
static void terminal_response_from_command(void **state)
{
	uint8_t cmd[64];
	size_t n = unhex(V_TIMER_MANAGEMENT_111, cmd, sizeof(cmd));
	struct cat_decoded *d, *back;
	struct cat_tr tr;
	struct cat_buf b;
	struct sg_error err;

	assert_int_equal(cat_decode(NULL, cmd, n, &d, &err), 0);
	cat_tr_init(&tr, d, CAT_RES_OK);
	tr.timer_id = 1;
	tr.has_timer_value = true;
	tr.timer_seconds = 3723;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, "81 03 01 27 00 82 02 82 81 83 01 00 A4 01 01 A5 03 10 20 30");
	back = decode_ok(&b);
	assert_int_equal(cat_decoded_find(back, CAT_TAG_TIMER_VALUE, 0)->v.timer.seconds, 3723);
	talloc_free(back);
	talloc_free(d);

	/* GET INPUT answer in UCS2, SELECT ITEM answer, POLL INTERVAL answer */
	cat_tr_init(&tr, NULL, CAT_RES_OK);
	tr.number = 1;
	tr.type = CAT_CMD_GET_INPUT;
	tr.has_text = true;
	tr.text = "ЗД";
	tr.text_coding = CAT_TEXT_AUTO;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, "81 03 01 23 00 82 02 82 81 83 01 00 8D 05 08 04 17 04 14");
	cat_tr_init(&tr, NULL, CAT_RES_OK);
	tr.number = 1;
	tr.type = CAT_CMD_SELECT_ITEM;
	tr.item_id = 3;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, "81 03 01 24 00 82 02 82 81 83 01 00 90 01 03");
	cat_tr_init(&tr, NULL, CAT_RES_OK);
	tr.number = 1;
	tr.type = CAT_CMD_POLL_INTERVAL;
	tr.duration.unit = 1;
	tr.duration.interval = 20;
	assert_int_equal(cat_build_terminal_response(&b, &tr, &err), 0);
	assert_buf(&b, "81 03 01 03 00 82 02 82 81 83 01 00 84 02 01 14");
}

static void downloads(void **state)
{
	uint8_t tpdu[200];
	struct cat_address sc = { .ton = 1, .npi = 1, .digits = "4917100000" };
	struct cat_buf b;
	struct sg_error err;
	size_t n;

	n = unhex(V_SMS_PP_EXAMPLE1_TPDU, tpdu, sizeof(tpdu));
	assert_int_equal(cat_build_sms_pp_download(&b, &sc, tpdu, n, &err), 0);
	assert_buf(&b, V_SMS_PP_EXAMPLE1);
	assert_int_equal(cat_build_ussd_download(&b, 0xF6, (const uint8_t *)"\x01\x02\x03\x04\x05", 5, &err), 0);
	assert_buf(&b, V_USSD_DOWNLOAD);
	assert_int_equal(cat_build_sms_pp_download(&b, NULL, tpdu, 0, &err), -1);
	assert_string_equal(err.msg, "SMS-PP DOWNLOAD: TPDU missing");
	/* a TPDU too long for one envelope */
	memset(tpdu, 0, sizeof(tpdu));
	{
		uint8_t big[260] = { 0 };

		assert_int_equal(cat_build_sms_pp_download(&b, &sc, big, 250, &err), -1);
		assert_string_equal(err.msg, "SMS-PP DOWNLOAD: does not fit in 255 bytes");
	}
}

static void call_control(void **state)
{
	struct cat_address a = { .ton = 1, .npi = 1, .digits = "112" };
	struct cat_location loc = { .mcc = 1, .mnc = 1, .lac = 1, .cell_id = 1 };
	struct cat_call_control p = { .address = &a, .location = &loc };
	struct cat_buf b;
	struct sg_error err;
	struct cat_decoded *d;

	assert_int_equal(cat_build_call_control(&b, &p, &err), 0);
	assert_buf(&b, "D4 12 82 02 82 81 86 03 91 11 F2 93 07 00 F1 10 00 01 00 01");
	d = decode_ok(&b);
	assert_string_equal(cat_decoded_find(d, CAT_TAG_ADDRESS, 0)->v.address.digits, "112");
	talloc_free(d);
	p.ss = &a;
	assert_int_equal(cat_build_call_control(&b, &p, &err), -1);
	assert_string_equal(err.msg, "CALL CONTROL: needs exactly one of address, SS string, USSD string");
	memset(&p, 0, sizeof(p));
	strcpy(a.digits, "*#06#");
	p.ss = &a;
	assert_int_equal(cat_build_call_control(&b, &p, &err), 0);
	assert_buf(&b, "D4 0A 82 02 82 81 89 04 91 BA 60 FB");
	d = decode_ok(&b);
	assert_string_equal(cat_decoded_find(d, CAT_TAG_SS_STRING, 0)->v.address.digits, "*#06#");
	talloc_free(d);
}

/* Commands without a reference vector here: coded per TS 102 223 and checked through the decoder. */
static void other_commands(void **state)
{
	struct cat_item items[] = { { 1, "Item 1" }, { 2, "Item 2" }, { 3, "Item 3" }, { 4, "Item 4" } };
	struct cat_get_input gi = { .text = "Enter 12345", .coding = CAT_TEXT_GSM8, .min_len = 5, .max_len = 5 };
	struct cat_duration twenty = { 1, 20 };
	struct cat_buf b;
	struct sg_error err;
	struct cat_decoded *d;

	assert_int_equal(cat_build_more_time(&b, 1, &err), 0);
	assert_buf(&b, "D0 09 81 03 01 02 00 82 02 81 82");
	assert_int_equal(cat_build_poll_interval(&b, 1, &twenty, &err), 0);
	assert_buf(&b, "D0 0D 81 03 01 03 00 82 02 81 82 84 02 01 14");
	assert_int_equal(cat_build_set_up_idle_mode_text(&b, 1, "Idle Mode Text", CAT_TEXT_GSM8, &err), 0);
	assert_buf(&b, "D0 1A 81 03 01 28 00 82 02 81 82 8D 0F 04 49 64 6C 65 20 4D 6F 64 65 20 54 65 78 74");
	assert_int_equal(cat_build_set_up_idle_mode_text(&b, 1, NULL, CAT_TEXT_GSM8, &err), 0);
	assert_buf(&b, "D0 0B 81 03 01 28 00 82 02 81 82 8D 00");
	assert_int_equal(cat_build_get_inkey(&b, 1, "Enter \"+\"", CAT_TEXT_GSM8, 0, &err), 0);
	assert_buf(&b, "D0 15 81 03 01 22 00 82 02 81 82 8D 0A 04 45 6E 74 65 72 20 22 2B 22");
	assert_int_equal(cat_build_get_input(&b, 1, &gi, &err), 0);
	assert_buf(&b, "D0 1B 81 03 01 23 00 82 02 81 82 8D 0C 04 45 6E 74 65 72 20 31 32 33 34 35 91 02 05 05");
	gi.min_len = 6;
	assert_int_equal(cat_build_get_input(&b, 1, &gi, &err), -1);
	assert_string_equal(err.msg, "GET INPUT: response length 6..5 invalid");
	assert_int_equal(cat_build_set_up_menu(&b, 1, "Toolkit Menu", items, 4, 0, &err), 0);
	assert_buf(&b, "D0 3B 81 03 01 25 00 82 02 81 82 85 0C 54 6F 6F 6C 6B 69 74 20 4D 65 6E 75 "
		       "8F 07 01 49 74 65 6D 20 31 8F 07 02 49 74 65 6D 20 32 8F 07 03 49 74 65 6D 20 33 "
		       "8F 07 04 49 74 65 6D 20 34");
	assert_int_equal(cat_build_set_up_menu(&b, 1, "Toolkit Menu", NULL, 0, 0, &err), 0);
	d = decode_ok(&b);
	assert_true(cat_decoded_find(d, CAT_TAG_ITEM, 0)->v.item.null_item);
	talloc_free(d);
	assert_int_equal(cat_build_select_item(&b, 1, "Toolkit Select", items, 2, 2, 0, &err), 0);
	d = decode_ok(&b);
	assert_string_equal(cat_decoded_find(d, CAT_TAG_ITEM, 1)->v.item.utf8, "Item 2");
	assert_int_equal(cat_decoded_find(d, CAT_TAG_ITEM_ID, 0)->v.byte, 2);
	talloc_free(d);
	assert_int_equal(cat_build_select_item(&b, 1, NULL, items, 0, 0, 0, &err), -1);
	assert_int_equal(cat_build_send_ussd(&b, 1, "USSD", 0x0F, (const uint8_t *)"\xAA\x18\x0C\x36\x02", 5, &err),
			 0);
	assert_buf(&b, "D0 17 81 03 01 12 00 82 02 81 83 85 04 55 53 53 44 8A 06 0F AA 18 0C 36 02");
	d = decode_ok(&b);
	assert_string_equal(cat_decoded_find(d, CAT_TAG_USSD_STRING, 0)->v.ussd.utf8, "*100#");
	talloc_free(d);
	assert_int_equal(cat_build_refresh(&b, 1, CAT_REFRESH_FCN, (const uint8_t *)"\x01\x3F\x00\x2F\xE2", 5, NULL, 0,
					   &err),
			 0);
	assert_buf(&b, "D0 10 81 03 01 01 01 82 02 81 82 92 05 01 3F 00 2F E2");
	talloc_free(decode_ok(&b));
	assert_int_equal(cat_build_refresh(&b, 1, CAT_REFRESH_FCN, NULL, 0, NULL, 0, &err), -1);
	assert_string_equal(err.msg, "REFRESH: file change notification needs a file list");
	assert_int_equal(cat_build_refresh(&b, 1, CAT_REFRESH_UICC_RESET, NULL, 0, NULL, 0, &err), 0);
	assert_buf(&b, "D0 09 81 03 01 01 04 82 02 81 82");
}

/* Lock-screen message in Cyrillic: UCS2 text, decoded back to the same UTF-8. */
static void ucs2_display_round_trip(void **state)
{
	struct cat_display_text p = { .text = "Телефон заблокирован", .coding = CAT_TEXT_AUTO, .high_priority = true };
	struct cat_buf b;
	struct sg_error err;
	struct cat_decoded *d;

	assert_int_equal(cat_build_display_text(&b, 7, &p, &err), 0);
	d = decode_ok(&b);
	assert_int_equal(d->qualifier, CAT_QUAL_DT_HIGH_PRIORITY);
	assert_int_equal(cat_decoded_find(d, CAT_TAG_TEXT_STRING, 0)->v.text.coding, CAT_TEXT_UCS2);
	assert_string_equal(cat_decoded_find(d, CAT_TAG_TEXT_STRING, 0)->v.text.utf8, p.text);
	talloc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(display_text),
		cmocka_unit_test(display_text_long),
		cmocka_unit_test(play_tone),
		cmocka_unit_test(provide_local_info),
		cmocka_unit_test(send_sms),
		cmocka_unit_test(events_and_timers),
		cmocka_unit_test(event_download),
		cmocka_unit_test(terminal_responses),
		cmocka_unit_test(terminal_response_from_command),
		cmocka_unit_test(downloads),
		cmocka_unit_test(call_control),
		cmocka_unit_test(other_commands),
		cmocka_unit_test(ucs2_display_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
