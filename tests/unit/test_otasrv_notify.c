/* Unit tests of the owner notification's SMS encoding (notify_sms.h) against independent truth: the expected
 * octets are written out here from the TS 23.038 6.2.1 tables (default alphabet and extension table) and the
 * Unicode code points, the concatenation header from TS 23.040 9.2.3.24.1; and a part with its header, packed
 * the way osmo-msc packs SMPP data_coding 0 (gsm_septet_pack after the header's fill bit), is read back with
 * libosmocore's own 7-bit decoder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <osmocom/gsm/gsm_utils.h>

#include "otasrv/notify_sms.h"

static void encode(const char *text, int max_parts, struct osv_sms_text *out)
{
	osv_sms_text_encode(text, 0xA7, max_parts, out);
}

static void assert_one(const struct osv_sms_text *t, uint8_t dcs, const uint8_t *want, size_t len)
{
	assert_int_equal(t->dcs, dcs);
	assert_int_equal(t->n_parts, 1);
	assert_false(t->cut);
	assert_int_equal(t->part[0].len, len);
	assert_memory_equal(t->part[0].ud, want, len);
}

/* Characters whose GSM code is not their ASCII / Latin-1 code, and the extension table's escapes. */
static void test_gsm_codes(void **state)
{
	/* T ü r ␠ @ ␠ 5 € ␠ { x } ␠ $ _ £ ¥ è é Δ ß Ä ä à ¿ ¡ § ¤ | [ ~ ] \ ^ LF */
	static const uint8_t want[] = { 0x54, 0x7E, 0x72, 0x20, 0x00, 0x20, 0x35, 0x1B, 0x65, 0x20, 0x1B,
					0x28, 0x78, 0x1B, 0x29, 0x20, 0x02, 0x11, 0x01, 0x03, 0x04, 0x05,
					0x10, 0x1E, 0x5B, 0x7B, 0x7F, 0x60, 0x40, 0x5F, 0x24, 0x1B, 0x40,
					0x1B, 0x3C, 0x1B, 0x3D, 0x1B, 0x3E, 0x1B, 0x2F, 0x1B, 0x14, 0x0A };
	struct osv_sms_text t;

	(void)state;
	encode("T\xc3\xbcr @ 5\xe2\x82\xac {x} $_\xc2\xa3\xc2\xa5\xc3\xa8\xc3\xa9\xce\x94\xc3\x9f\xc3\x84\xc3\xa4"
	       "\xc3\xa0\xc2\xbf\xc2\xa1\xc2\xa7\xc2\xa4|[~]\\^\n",
	       4, &t);
	assert_one(&t, OSV_SMS_DCS_GSM, want, sizeof(want));
}

/* One character without a GSM code (the backtick, Cyrillic) makes the whole text UCS-2, big endian. */
static void test_ucs2_fallback(void **state)
{
	static const uint8_t backtick[] = { 0x00, 0x61, 0x00, 0x40, 0x00, 0x60, 0x20, 0xAC };
	static const uint8_t cyrillic[] = { 0x04, 0x1F, 0x04, 0x40, 0x04, 0x38, 0x04, 0x32, 0x04, 0x35, 0x04, 0x42 };
	struct osv_sms_text t;

	(void)state;
	encode("a@`\xe2\x82\xac", 4, &t);
	assert_one(&t, OSV_SMS_DCS_UCS2, backtick, sizeof(backtick));
	encode("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 4, &t);
	assert_one(&t, OSV_SMS_DCS_UCS2, cyrillic, sizeof(cyrillic));
}

/* What neither alphabet carries is '?' and does not change the alphabet: a byte starting no UTF-8 sequence, a cut
 * sequence (each of its bytes), a character outside the BMP (all four bytes: one '?'), a control character. */
static void test_replacements(void **state)
{
	static const uint8_t gsm[] = { 'a', '?', ' ', 'b', '?', 'x', '?', 'y', '?', 'z', '?', '?' };
	static const uint8_t ucs2[] = { 0x00, 0x3F, 0x00, 0x60, 0x00, 0x3F };
	struct osv_sms_text t;

	(void)state;
	encode("a\xff b\xc3x\xf0\x9f\x98\x80y\tz\xe2\x82", 4, &t);
	assert_one(&t, OSV_SMS_DCS_GSM, gsm, sizeof(gsm));
	encode("\x80`\x1b", 4, &t);
	assert_one(&t, OSV_SMS_DCS_UCS2, ucs2, sizeof(ucs2));
}

static void fill(char *buf, const char *unit, int n)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		strcat(buf, unit);
}

static void assert_udh(const struct osv_sms_part *p, uint8_t total, uint8_t seq)
{
	const uint8_t udh[] = { 0x05, 0x00, 0x03, 0xA7, total, seq };

	assert_memory_equal(p->ud, udh, sizeof(udh));
}

static void assert_all(const uint8_t *ud, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ud[i], v);
}

/* 160 septets fit one SMS; 161 go as two parts of up to 153 with the 8-bit reference header. */
static void test_gsm_parts(void **state)
{
	char text[700];
	struct osv_sms_text t;

	(void)state;
	fill(text, "x", 160);
	encode(text, 4, &t);
	assert_int_equal(t.n_parts, 1);
	assert_int_equal(t.part[0].len, 160);
	assert_all(t.part[0].ud, 'x', 160);

	fill(text, "x", 161);
	encode(text, 4, &t);
	assert_int_equal(t.dcs, OSV_SMS_DCS_GSM);
	assert_int_equal(t.n_parts, 2);
	assert_false(t.cut);
	assert_int_equal(t.part[0].len, 6 + 153);
	assert_udh(&t.part[0], 2, 1);
	assert_all(t.part[0].ud + 6, 'x', 153);
	assert_int_equal(t.part[1].len, 6 + 8);
	assert_udh(&t.part[1], 2, 2);
	assert_all(t.part[1].ud + 6, 'x', 8);
}

/* An escape and its extension character stay in one part: with 152 septets used, '€' (1B 65) opens the next. */
static void test_escape_not_split(void **state)
{
	char text[700];
	struct osv_sms_text t;

	(void)state;
	fill(text, "x", 152);
	strcat(text, "\xe2\x82\xac"
		     "yyyyyyyyyy");
	encode(text, 4, &t);
	assert_int_equal(t.n_parts, 2);
	assert_int_equal(t.part[0].len, 6 + 152);
	assert_all(t.part[0].ud + 6, 'x', 152);
	assert_int_equal(t.part[1].len, 6 + 12);
	assert_memory_equal(t.part[1].ud + 6, "\x1b\x65yyyyyyyyyy", 12);
}

/* UCS-2: 70 characters in one SMS, 71 as parts of 67 (134 octets after the 6-octet header: 140). */
static void test_ucs2_parts(void **state)
{
	char text[700];
	struct osv_sms_text t;

	(void)state;
	fill(text, "\xd0\x96", 70); /* U+0416 */
	encode(text, 4, &t);
	assert_int_equal(t.dcs, OSV_SMS_DCS_UCS2);
	assert_int_equal(t.n_parts, 1);
	assert_int_equal(t.part[0].len, 140);
	fill(text, "\xd0\x96", 71);
	encode(text, 4, &t);
	assert_int_equal(t.n_parts, 2);
	assert_int_equal(t.part[0].len, 140);
	assert_udh(&t.part[0], 2, 1);
	assert_memory_equal(t.part[0].ud + 6, "\x04\x16\x04\x16", 4);
	assert_memory_equal(t.part[0].ud + 138, "\x04\x16", 2);
	assert_int_equal(t.part[1].len, 6 + 8);
	assert_udh(&t.part[1], 2, 2);
}

/* More than max_parts: the last part ends in "...", cut at a character. One part: no header, 157 + "...". */
static void test_cut(void **state)
{
	char text[700];
	struct osv_sms_text t;

	(void)state;
	fill(text, "x", 650);
	encode(text, 4, &t);
	assert_int_equal(t.n_parts, 4);
	assert_true(t.cut);
	assert_udh(&t.part[3], 4, 4);
	assert_int_equal(t.part[3].len, 6 + 153);
	assert_all(t.part[3].ud + 6, 'x', 150);
	assert_memory_equal(t.part[3].ud + 156, "...", 3);

	fill(text, "x", 200);
	encode(text, 1, &t);
	assert_int_equal(t.n_parts, 1);
	assert_true(t.cut);
	assert_int_equal(t.part[0].len, 160);
	assert_all(t.part[0].ud, 'x', 157);
	assert_memory_equal(t.part[0].ud + 157, "...", 3);
	/* a two-septet character that no longer fits before the "..." is left out whole */
	fill(text, "x", 156);
	strcat(text, "{xxxx");
	encode(text, 1, &t);
	assert_int_equal(t.part[0].len, 159);
	assert_memory_equal(t.part[0].ud + 156, "...", 3);
}

/* The first part of 161 'x', as osmo-msc puts SMPP data_coding 0 on the air (header octets, one fill bit, the
 * septets packed: 7 + 153 = 160 septets, 140 octets), decoded by libosmocore with the header skipped. */
static void test_part_as_osmo_msc_packs_it(void **state)
{
	uint8_t tpud[160];
	char text[200], back[200];
	struct osv_sms_text t;
	int octets;

	(void)state;
	fill(text, "x", 161);
	encode(text, 4, &t);
	memcpy(tpud, t.part[0].ud, 6);
	octets = gsm_septet_pack(tpud + 6, t.part[0].ud + 6, 153, 1);
	assert_int_equal(6 + octets, 140);
	gsm_7bit_decode_n_hdr(back, sizeof(back), tpud, 160, 1);
	text[153] = '\0';
	assert_string_equal(back, text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm_codes),
		cmocka_unit_test(test_ucs2_fallback),
		cmocka_unit_test(test_replacements),
		cmocka_unit_test(test_gsm_parts),
		cmocka_unit_test(test_escape_not_split),
		cmocka_unit_test(test_ucs2_parts),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_part_as_osmo_msc_packs_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
