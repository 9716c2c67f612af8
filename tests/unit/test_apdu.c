/* Unit tests for the command APDU parser/builder and status word names. Expected bytes are the APDUs in
 * ../shared/reference (cat-proactive.md §1, sms-pp-and-ussd.md §8/§9) and the TS 102 221 / GSM 11.11 codings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "simguard/apdu.h"
#include "simguard/hex.h"

static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	struct sg_error err;
	long n = sg_hex_decode(hex, out, size, "test", &err);

	assert_true(n >= 0);
	return (size_t)n;
}

static void assert_apdu_hex(const struct apdu_buf *b, const char *hex)
{
	char s[2 * APDU_SHORT_MAX + 1];
	uint8_t want[APDU_SHORT_MAX];
	size_t n = unhex(hex, want, sizeof(want));

	sg_hex_encode(b->bytes, b->len, s, sizeof(s));
	if (b->len != n || memcmp(b->bytes, want, n) != 0)
		fail_msg("built %s, expected %s", s, hex);
}

static void parse_cases(void **state)
{
	struct apdu a;
	struct sg_error err;
	uint8_t buf[300];
	size_t n;

	n = unhex("80F20000", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), 0);
	assert_int_equal(a.apdu_case, APDU_CASE_1);
	assert_int_equal(a.cla, 0x80);
	assert_int_equal(a.ins, 0xF2);
	assert_false(a.has_le);
	assert_int_equal(a.lc, 0);
	assert_null(a.data);

	/* FETCH of a 26-byte proactive command */
	n = unhex("801200001A", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), 0);
	assert_int_equal(a.apdu_case, APDU_CASE_2);
	assert_true(a.has_le);
	assert_int_equal(a.le, 26);

	/* Le 00 = 256 */
	n = unhex("00B0000000", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), 0);
	assert_int_equal(a.le, 256);

	/* ENVELOPE(SMS-PP download), sms-pp-and-ussd.md §8: 80 C2 00 00 48 D1 46 ... */
	n = unhex("80C2000048D14682028381060691947101000" "08B38440B919471103254F67FF652101021000000250270"
		  "00002015161915" "15C100017643B44E88EA671B24E0244A2DE2E0F7FF1BF3FE5BD9F574",
		  buf, sizeof(buf));
	assert_int_equal(n, 77);
	assert_int_equal(apdu_parse(buf, n, &a, &err), 0);
	assert_int_equal(a.apdu_case, APDU_CASE_3);
	assert_int_equal(a.lc, 72);
	assert_ptr_equal(a.data, buf + 5);
	assert_int_equal(a.data[0], 0xD1);
	assert_false(a.has_le);

	/* SELECT with FCP: case 4 */
	n = unhex("00A40004023F0000", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), 0);
	assert_int_equal(a.apdu_case, APDU_CASE_4);
	assert_int_equal(a.lc, 2);
	assert_int_equal(a.le, 256);
	assert_false(a.extended);
}

static void parse_extended(void **state)
{
	struct apdu a;
	struct sg_error err;
	uint8_t buf[600];
	size_t n;

	n = unhex("00B00000000100", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), 0);
	assert_true(a.extended);
	assert_int_equal(a.apdu_case, APDU_CASE_2);
	assert_int_equal(a.le, 256);
	n = unhex("00B00000000000", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), 0);
	assert_int_equal(a.le, 65536);

	memset(buf, 0x11, sizeof(buf));
	memcpy(buf, "\x00\xD6\x00\x00\x00\x01\x2C", 7); /* Lc 300 */
	assert_int_equal(apdu_parse(buf, 7 + 300, &a, &err), 0);
	assert_true(a.extended);
	assert_int_equal(a.apdu_case, APDU_CASE_3);
	assert_int_equal(a.lc, 300);
	assert_int_equal(apdu_parse(buf, 7 + 300 + 2, &a, &err), 0);
	assert_int_equal(a.apdu_case, APDU_CASE_4);
	assert_int_equal(a.le, 0x1111);

	assert_int_equal(apdu_parse(buf, 7 + 299, &a, &err), -1);
	assert_string_equal(err.msg, "APDU: extended Lc 300 but 299 bytes follow it");
	n = unhex("00D60000000000AA", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), -1);
	assert_string_equal(err.msg, "APDU: extended Lc 0000 invalid");
	n = unhex("00D600000001", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), -1);
	assert_string_equal(err.msg, "APDU: extended length field truncated (6 bytes)");
}

static void parse_errors(void **state)
{
	struct apdu a;
	struct sg_error err;
	uint8_t buf[16];
	size_t n;

	assert_int_equal(apdu_parse((const uint8_t *)"\x80\x12\x00", 3, &a, &err), -1);
	assert_string_equal(err.msg, "APDU: 3 bytes, a command needs at least 4 (CLA INS P1 P2)");
	assert_int_equal(apdu_parse(NULL, 0, &a, &err), -1);
	/* Lc says 3, only 2 present; and Lc 2 with two extra bytes */
	n = unhex("80C2000003D100", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), -1);
	assert_string_equal(err.msg, "APDU: Lc 3 but 2 bytes follow it");
	n = unhex("80C2000002D1000000", buf, sizeof(buf));
	assert_int_equal(apdu_parse(buf, n, &a, &err), -1);
	assert_string_equal(err.msg, "APDU: Lc 2 but 4 bytes follow it");
}

/* Every truncation of a case-4 APDU is either a valid shorter APDU or a named error, never an over-read. */
static void parse_truncations(void **state)
{
	static const uint8_t full[] = { 0x00, 0x88, 0x00, 0x81, 0x05, 1, 2, 3, 4, 5, 0x00 };
	struct apdu a;
	struct sg_error err;
	size_t n;

	for (n = 0; n <= sizeof(full); n++) {
		uint8_t copy[sizeof(full)];
		int rc;

		memcpy(copy, full, n);
		err.msg[0] = '\0';
		rc = apdu_parse(copy, n, &a, &err);
		if (n == 4 || n == 5 || n == 10 || n == 11)
			assert_int_equal(rc, 0);
		else
			assert_true(rc == -1 && strlen(err.msg) > 0);
	}
}

static void build_terminal_apdus(void **state)
{
	struct apdu_buf b;
	struct sg_error err;
	uint8_t d[128];
	size_t n;
	static const uint8_t rand[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					  0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF };
	static const uint8_t autn[16] = { 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
					  0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF };

	assert_int_equal(apdu_select_fid(&b, APDU_UICC, 0x3F00, APDU_SELECT_RSP_FCP, &err), 0);
	assert_apdu_hex(&b, "00A40004023F0000");
	assert_int_equal(apdu_select_fid(&b, APDU_UICC, 0x2FE2, APDU_SELECT_RSP_NONE, &err), 0);
	assert_apdu_hex(&b, "00A4000C022FE2");
	assert_int_equal(apdu_select_fid(&b, APDU_SIM2G, 0x6F07, APDU_SELECT_RSP_FCP, &err), 0);
	assert_apdu_hex(&b, "A0A40000026F07");
	n = unhex("7FFF6F07", d, sizeof(d));
	assert_int_equal(apdu_select_path(&b, APDU_SELECT_PATH_MF, d, n, APDU_SELECT_RSP_FCP, &err), 0);
	assert_apdu_hex(&b, "00A40804047FFF6F0700");
	/* ADF.USIM AID prefix (TS 101 220 Annex E: RID A000000087, app code 1002) */
	n = unhex("A0000000871002", d, sizeof(d));
	assert_int_equal(apdu_select_aid(&b, d, n, APDU_SELECT_RSP_FCP, &err), 0);
	assert_apdu_hex(&b, "00A4040407A000000087100200");

	assert_int_equal(apdu_read_binary(&b, APDU_UICC, 0, 10, &err), 0);
	assert_apdu_hex(&b, "00B000000A");
	assert_int_equal(apdu_read_binary(&b, APDU_SIM2G, 0x0102, 256, &err), 0);
	assert_apdu_hex(&b, "A0B0010200");
	assert_int_equal(apdu_update_binary(&b, APDU_UICC, 2, (const uint8_t *)"\x01\x02", 2, &err), 0);
	assert_apdu_hex(&b, "00D60002020102");
	assert_int_equal(apdu_read_record(&b, APDU_UICC, 1, 0x1C, &err), 0);
	assert_apdu_hex(&b, "00B201041C");
	assert_int_equal(apdu_update_record(&b, APDU_SIM2G, 3, (const uint8_t *)"\xFF", 1, &err), 0);
	assert_apdu_hex(&b, "A0DC030401FF");

	assert_int_equal(apdu_verify_pin(&b, APDU_UICC, APDU_KEYREF_PIN1, "1234", &err), 0);
	assert_apdu_hex(&b, "002000010831323334FFFFFFFF");
	assert_int_equal(apdu_verify_pin(&b, APDU_SIM2G, 0x01, "12345678", &err), 0);
	assert_apdu_hex(&b, "A020000108" "3132333435363738");
	assert_int_equal(apdu_verify_pin(&b, APDU_UICC, APDU_KEYREF_PIN1, NULL, &err), 0);
	assert_apdu_hex(&b, "00200001");

	assert_int_equal(apdu_authenticate(&b, APDU_UICC, rand, autn, &err), 0);
	assert_apdu_hex(&b, "008800812210" "00112233445566778899AABBCCDDEEFF"
			    "10A0A1A2A3A4A5A6A7A8A9AAABACADAEAF00");
	assert_int_equal(apdu_authenticate(&b, APDU_SIM2G, rand, NULL, &err), 0);
	assert_apdu_hex(&b, "A088000010" "00112233445566778899AABBCCDDEEFF");

	assert_int_equal(apdu_status(&b, APDU_UICC, APDU_STATUS_P1_NONE, APDU_STATUS_P2_NONE, 0, &err), 0);
	assert_apdu_hex(&b, "80F2000C");
	assert_int_equal(apdu_status(&b, APDU_UICC, APDU_STATUS_P1_NONE, APDU_STATUS_P2_FCP, 256, &err), 0);
	assert_apdu_hex(&b, "80F2000000");
	assert_int_equal(apdu_status(&b, APDU_SIM2G, 0, 0, 0x16, &err), 0);
	assert_apdu_hex(&b, "A0F2000016");

	/* minimum terminal profile of cat-proactive.md §9 */
	n = unhex("3301FF6B11000017", d, sizeof(d));
	assert_int_equal(apdu_terminal_profile(&b, APDU_UICC, d, n, &err), 0);
	assert_apdu_hex(&b, "80100000083301FF6B11000017");
	/* USSD download envelope, sms-pp-and-ussd.md §12 */
	n = unhex("D90C82028381 8A06F60102030405", d, sizeof(d));
	assert_int_equal(apdu_envelope(&b, APDU_UICC, d, n, &err), 0);
	assert_apdu_hex(&b, "80C200000E" "D90C820283818A06F60102030405");
	assert_int_equal(apdu_fetch(&b, APDU_UICC, 0x1A, &err), 0);
	assert_apdu_hex(&b, "801200001A");
	/* TR to DISPLAY TEXT 1.1.1, cat-proactive.md §11.2 */
	n = unhex("810301218082028281830100", d, sizeof(d));
	assert_int_equal(apdu_terminal_response(&b, APDU_SIM2G, d, n, &err), 0);
	assert_apdu_hex(&b, "A01400000C810301218082028281830100");
	assert_int_equal(apdu_get_response(&b, APDU_UICC, 0x1C, &err), 0);
	assert_apdu_hex(&b, "00C000001C");
	assert_int_equal(apdu_get_response(&b, APDU_SIM2G, 0x1C, &err), 0);
	assert_apdu_hex(&b, "A0C000001C");
}

static void build_errors(void **state)
{
	struct apdu_buf b;
	struct sg_error err;
	uint8_t big[300] = { 0 };
	struct apdu a = { .cla = 0, .ins = 0xB0, .has_le = true, .le = 257 };

	assert_int_equal(apdu_build(&b, &a, &err), -1);
	assert_string_equal(err.msg, "APDU: Le 257 outside 1..256");
	a.extended = true;
	assert_int_equal(apdu_build(&b, &a, &err), -1);
	assert_int_equal(apdu_envelope(&b, APDU_UICC, big, 256, &err), -1);
	assert_string_equal(err.msg, "ENVELOPE: 256 data bytes, must be 1..255");
	assert_int_equal(apdu_terminal_response(&b, APDU_UICC, big, 0, &err), -1);
	assert_int_equal(apdu_read_binary(&b, APDU_UICC, 0x8000, 1, &err), -1);
	assert_string_equal(err.msg, "READ BINARY: offset 32768 above 32767");
	assert_int_equal(apdu_read_record(&b, APDU_UICC, 0, 1, &err), -1);
	assert_string_equal(err.msg, "READ RECORD: record 0 outside 1..254");
	assert_int_equal(apdu_fetch(&b, APDU_UICC, 0, &err), -1);
	assert_string_equal(err.msg, "FETCH: Le 0 outside 1..256");
	assert_int_equal(apdu_verify_pin(&b, APDU_UICC, 1, "123", &err), -1);
	assert_string_equal(err.msg, "VERIFY PIN: PIN of 3 digits, must be 4..8");
	assert_int_equal(apdu_verify_pin(&b, APDU_UICC, 1, "12a4", &err), -1);
	assert_string_equal(err.msg, "VERIFY PIN: character 3 is not a digit");
	assert_int_equal(apdu_select_path(&b, APDU_SELECT_PATH_MF, big, 3, APDU_SELECT_RSP_FCP, &err), -1);
	assert_int_equal(apdu_select_path(&b, APDU_SELECT_FID, big, 2, APDU_SELECT_RSP_FCP, &err), -1);
	assert_int_equal(apdu_select_aid(&b, big, 17, APDU_SELECT_RSP_FCP, &err), -1);
	assert_int_equal(apdu_status(&b, APDU_UICC, 0, APDU_STATUS_P2_FCP, 0, &err), -1);
}

/* Parse what the builder produced: the two agree on every case. */
static void build_parse_agree(void **state)
{
	struct apdu_buf b;
	struct apdu a;
	struct sg_error err;
	uint8_t d[255];

	memset(d, 0x42, sizeof(d));
	assert_int_equal(apdu_envelope(&b, APDU_UICC, d, 255, &err), 0);
	assert_int_equal(b.len, 260);
	assert_int_equal(apdu_parse(b.bytes, b.len, &a, &err), 0);
	assert_int_equal(a.apdu_case, APDU_CASE_3);
	assert_int_equal(a.lc, 255);
	assert_int_equal(apdu_select_aid(&b, d, 16, APDU_SELECT_RSP_FCP, &err), 0);
	assert_int_equal(apdu_parse(b.bytes, b.len, &a, &err), 0);
	assert_int_equal(a.apdu_case, APDU_CASE_4);
	assert_int_equal(a.le, 256);
}

static void status_words(void **state)
{
	char s[128];

	assert_string_equal(apdu_sw_describe(0x9000, s, sizeof(s)), "9000 normal ending");
	assert_string_equal(apdu_sw_describe(0x611A, s, sizeof(s)), "611A 26 response bytes available");
	assert_string_equal(apdu_sw_describe(0x6100, s, sizeof(s)), "6100 256 response bytes available");
	assert_string_equal(apdu_sw_describe(0x911A, s, sizeof(s)),
			    "911A normal ending, proactive command of 26 bytes pending");
	assert_string_equal(apdu_sw_describe(0x9300, s, sizeof(s)), "9300 toolkit busy, command cannot be executed now");
	assert_string_equal(apdu_sw_describe(0x62F3, s, sizeof(s)), "62F3 warning: response data available");
	assert_string_equal(apdu_sw_describe(0x6281, s, sizeof(s)),
			    "6281 warning: part of the returned data may be corrupted");
	assert_string_equal(apdu_sw_describe(0x63C2, s, sizeof(s)), "63C2 verification failed, 2 retries left");
	assert_string_equal(apdu_sw_describe(0x63C0, s, sizeof(s)), "63C0 verification failed, 0 retries left");
	assert_string_equal(apdu_sw_describe(0x6700, s, sizeof(s)), "6700 wrong length");
	assert_string_equal(apdu_sw_describe(0x6982, s, sizeof(s)), "6982 security status not satisfied");
	assert_string_equal(apdu_sw_describe(0x6983, s, sizeof(s)), "6983 authentication/PIN method blocked");
	assert_string_equal(apdu_sw_describe(0x6A82, s, sizeof(s)), "6A82 file or application not found");
	assert_string_equal(apdu_sw_describe(0x6A86, s, sizeof(s)), "6A86 incorrect parameters P1-P2");
	assert_string_equal(apdu_sw_describe(0x6B00, s, sizeof(s)), "6B00 wrong parameters P1-P2");
	assert_string_equal(apdu_sw_describe(0x6D00, s, sizeof(s)), "6D00 instruction code not supported or invalid");
	assert_string_equal(apdu_sw_describe(0x6E00, s, sizeof(s)), "6E00 class not supported");
	assert_string_equal(apdu_sw_describe(0x6F00, s, sizeof(s)), "6F00 technical problem, no precise diagnosis");
	assert_string_equal(apdu_sw_describe(0x9F22, s, sizeof(s)), "9F22 34 response bytes available (SIM)");
	assert_string_equal(apdu_sw_describe(0x6C10, s, sizeof(s)), "6C10 wrong Le, exact length is 16");
	assert_string_equal(apdu_sw_describe(0x9202, s, sizeof(s)), "9202 command successful after 2 internal retries");
	assert_string_equal(apdu_sw_describe(0x6F12, s, sizeof(s)), "6F12 technical problem (12)");
	assert_string_equal(apdu_sw_describe(0x1234, s, sizeof(s)), "1234 unknown status word");
	/* a short buffer truncates, never overflows */
	assert_string_equal(apdu_sw_describe(0x6700, s, 5), "6700");

	assert_true(apdu_sw_is_success(0x9000));
	assert_true(apdu_sw_is_success(0x9110));
	assert_true(apdu_sw_is_success(0x6110));
	assert_true(apdu_sw_is_success(0x9F10));
	assert_false(apdu_sw_is_success(0x6F00));
	assert_false(apdu_sw_is_success(0x9300));
	assert_false(apdu_sw_is_success(0x63C1));
}

static void ins_names(void **state)
{
	assert_string_equal(apdu_ins_name(0xC2), "ENVELOPE");
	assert_string_equal(apdu_ins_name(0x12), "FETCH");
	assert_string_equal(apdu_ins_name(0x14), "TERMINAL RESPONSE");
	assert_null(apdu_ins_name(0x00));
}

/* PIN values sit in the data of the PIN commands (TS 102 221 11.1.9-11.1.13); a command without data has none. */
static void pin_commands(void **state)
{
	static const uint8_t verify[] = {0x00, 0x20, 0x00, 0x01, 0x08, '1', '2', '3', '4', 0xFF, 0xFF, 0xFF, 0xFF};
	static const uint8_t unblock[] = {0x00, 0x2C, 0x00, 0x01, 0x10, '1', '2'};
	static const uint8_t verify_status[] = {0x00, 0x20, 0x00, 0x01, 0x00};
	static const uint8_t read[] = {0x00, 0xB0, 0x00, 0x00, 0x02, 0x00, 0x00};

	assert_true(apdu_carries_pin(verify, sizeof(verify)));
	assert_true(apdu_carries_pin(unblock, sizeof(unblock)));
	assert_false(apdu_carries_pin(verify_status, sizeof(verify_status)));
	assert_false(apdu_carries_pin(read, sizeof(read)));
	assert_false(apdu_carries_pin(verify, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_cases),
		cmocka_unit_test(parse_extended),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(parse_truncations),
		cmocka_unit_test(build_terminal_apdus),
		cmocka_unit_test(build_errors),
		cmocka_unit_test(build_parse_agree),
		cmocka_unit_test(status_words),
		cmocka_unit_test(ins_names),
		cmocka_unit_test(pin_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
