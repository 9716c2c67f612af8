/* Unit tests for the CAT text codings: GSM 7-bit packed / 8-bit, UCS2 and the alpha identifier forms of TS 102 221
 * Annex A. Expected bytes: the oFono vector "Toolkit Test 1" (cat-proactive.md §11), the TS 23.038 packing example
 * "hellohello" = E8 32 9B FD 46 97 D9 EC 37, and UCS2 from Python's utf-16-be codec. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "simguard/cat.h"
#include "simguard/hex.h"

static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	struct sg_error err;
	long n = sg_hex_decode(hex, out, size, "test", &err);

	assert_true(n >= 0);
	return (size_t)n;
}

static void assert_bytes(const uint8_t *b, size_t n, const char *hex)
{
	uint8_t want[512];
	char got[1025];
	size_t wn = unhex(hex, want, sizeof(want));

	if (n != wn || memcmp(b, want, n) != 0)
		fail_msg("got %s, expected %s", sg_hex_encode(b, n, got, sizeof(got)), hex);
}

static void decode_text_hex(const char *hex, const char *want)
{
	uint8_t v[512];
	char out[1024];
	struct sg_error err;
	size_t n = unhex(hex, v, sizeof(v));

	if (cat_text_decode(v, n, out, sizeof(out), &err) != 0)
		fail_msg("%s: %s", hex, err.msg);
	assert_string_equal(out, want);
}

static void encode_text_hex(const char *utf8, enum cat_text_coding c, const char *want)
{
	uint8_t v[512];
	size_t n;
	struct sg_error err;

	if (cat_text_encode(utf8, c, v, sizeof(v), &n, &err) != 0)
		fail_msg("%s: %s", utf8, err.msg);
	assert_bytes(v, n, want);
}

static void gsm8_toolkit_test(void **state)
{
	decode_text_hex("04546F6F6C6B69742054657374203120", "Toolkit Test 1 ");
	decode_text_hex("04546F6F6C6B6974205465737420 31", "Toolkit Test 1");
	encode_text_hex("Toolkit Test 1", CAT_TEXT_GSM8, "04546F6F6C6B697420546573742031");
	/* AUTO picks 8-bit GSM for text the default alphabet holds */
	encode_text_hex("Toolkit Test 1", CAT_TEXT_AUTO, "04546F6F6C6B697420546573742031");
}

static void gsm7_packed(void **state)
{
	decode_text_hex("00C8329BFD06", "Hello");
	decode_text_hex("00E8329BFD4697D9EC37", "hellohello");
	encode_text_hex("Hello", CAT_TEXT_GSM7_PACKED, "00C8329BFD06");
	encode_text_hex("hellohello", CAT_TEXT_GSM7_PACKED, "00E8329BFD4697D9EC37");
	/* seven spare bits: CR as padding (TS 23.038 6.1.2.3.1), dropped again on decoding */
	encode_text_hex("1234567", CAT_TEXT_GSM7_PACKED, "0031D98C56B3DD1A");
	decode_text_hex("0031D98C56B3DD1A", "1234567");
	/* ... and zero padding as many senders leave it */
	decode_text_hex("0031D98C56B3DD00", "1234567");
	/* eight characters fill seven octets exactly: all are kept */
	encode_text_hex("12345678", CAT_TEXT_GSM7_PACKED, "0031D98C56B3DD70");
	decode_text_hex("0031D98C56B3DD70", "12345678");
}

static void gsm_alphabet_specials(void **state)
{
	uint8_t sept[32];
	size_t n;
	char out[64];
	struct sg_error err;

	/* Greek capitals, the euro sign and the extension table */
	assert_int_equal(cat_utf8_to_gsm("\xCE\x94\xCE\xA6@\xC2\xA3\xE2\x82\xAC[]", sept, sizeof(sept), &n, &err), 0);
	assert_bytes(sept, n, "101200011B651B3C1B3E");
	assert_int_equal(cat_gsm_to_utf8(sept, n, out, sizeof(out), &err), 0);
	assert_string_equal(out, "\xCE\x94\xCE\xA6@\xC2\xA3\xE2\x82\xAC[]");
	/* unknown escape shows the default-table character; a trailing escape is dropped */
	assert_int_equal(cat_gsm_to_utf8((const uint8_t *)"\x1B\x41\x1B", 3, out, sizeof(out), &err), 0);
	assert_string_equal(out, "A");
	/* a character with no GSM code */
	assert_int_equal(cat_utf8_to_gsm("ab\xD0\x96", sept, sizeof(sept), &n, &err), -1);
	assert_string_equal(err.msg, "character U+0416 at byte 3 has no GSM 7-bit code");
	/* invalid UTF-8 */
	assert_int_equal(cat_utf8_to_gsm("a\xC3", sept, sizeof(sept), &n, &err), -1);
	assert_string_equal(err.msg, "truncated UTF-8 sequence at byte 2");
	assert_int_equal(cat_utf8_to_gsm("\xC0\x80", sept, sizeof(sept), &n, &err), -1);
	assert_string_equal(err.msg, "invalid UTF-8 sequence at byte 1");
	/* 8-bit GSM text with b8 set */
	assert_int_equal(cat_gsm_to_utf8((const uint8_t *)"ab\xC3", 3, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "byte 0xC3 at offset 2 is not in the GSM 7-bit alphabet");
	/* output too small: error, not truncation */
	assert_int_equal(cat_gsm_to_utf8((const uint8_t *)"abcdef", 6, out, 4, &err), -1);
}

static void ucs2(void **state)
{
	uint8_t v[64];
	char out[64];
	struct sg_error err;

	decode_text_hex("08041704140420041004120421042204120423041904220415",
			"\xD0\x97\xD0\x94\xD0\xA0\xD0\x90\xD0\x92\xD0\xA1\xD0\xA2\xD0\x92\xD0\xA3\xD0\x99\xD0\xA2\xD0\x95");
	encode_text_hex("ЗДРАВСТВУЙТЕ", CAT_TEXT_UCS2, "08041704140420041004120421042204120423041904220415");
	encode_text_hex("ЗДРАВСТВУЙТЕ", CAT_TEXT_AUTO, "08041704140420041004120421042204120423041904220415");
	decode_text_hex("084F60597D", "你好");
	encode_text_hex("你好", CAT_TEXT_AUTO, "084F60597D");
	/* a surrogate pair (UTF-16) is accepted on decoding */
	decode_text_hex("08D83DDE00", "\xF0\x9F\x98\x80");

	memcpy(v, "\x08\x04\x17\x04", 4);
	assert_int_equal(cat_text_decode(v, 4, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "UCS2 text has odd length 3");
	assert_int_equal(cat_text_decode((const uint8_t *)"\x08\xD8\x3D\x00\x41", 5, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "lone UTF-16 surrogate D83D at offset 0");
	assert_int_equal(cat_text_decode((const uint8_t *)"\x08\x00\x00", 3, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "NUL character at offset 0");
	/* UCS2 cannot hold characters above U+FFFF */
	assert_int_equal(cat_text_encode("\xF0\x9F\x98\x80", CAT_TEXT_UCS2, v, sizeof(v), (size_t[1]){ 0 }, &err), -1);
	assert_string_equal(err.msg, "character U+1F600 at byte 1 is outside UCS2");
	/* GSM coding asked for text it cannot hold */
	assert_int_equal(cat_text_encode("\xD0\x96", CAT_TEXT_GSM8, v, sizeof(v), (size_t[1]){ 0 }, &err), -1);
}

static void dcs_groups(void **state)
{
	char out[64];
	struct sg_error err;

	/* SMS DCS F4 (8-bit, class 0) and 01xx group (automatic deletion) decode too */
	assert_int_equal(cat_text_decode_dcs(0xF4, (const uint8_t *)"Hi", 2, out, sizeof(out), &err), 0);
	assert_string_equal(out, "Hi");
	assert_int_equal(cat_text_decode_dcs(0x48, (const uint8_t *)"\x00\x48", 2, out, sizeof(out), &err), 0);
	assert_string_equal(out, "H");
	/* compressed and reserved codings are reported */
	assert_int_equal(cat_text_decode_dcs(0x20, (const uint8_t *)"x", 1, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "data coding scheme 0x20 not supported");
	assert_int_equal(cat_text_decode_dcs(0x80, (const uint8_t *)"x", 1, out, sizeof(out), &err), -1);
	/* null text */
	assert_int_equal(cat_text_decode(NULL, 0, out, sizeof(out), &err), 0);
	assert_string_equal(out, "");

	/* USSD / CBS DCS: 0F is GSM 7-bit (language unspecified), F6 8-bit data, 48 UCS2 */
	assert_int_equal(cat_cbs_text_decode(0x0F, (const uint8_t *)"\xC8\x32\x9B\xFD\x06", 5, out, sizeof(out), &err),
			 0);
	assert_string_equal(out, "Hello");
	assert_int_equal(cat_cbs_text_decode(0xF6, (const uint8_t *)"\x01\x02", 2, out, sizeof(out), &err), 1);
	assert_string_equal(out, "");
	assert_int_equal(cat_cbs_text_decode(0x48, (const uint8_t *)"\x04\x17", 2, out, sizeof(out), &err), 0);
	assert_string_equal(out, "\xD0\x97");
	assert_int_equal(cat_cbs_text_decode(0x11, (const uint8_t *)"\x04\x17", 2, out, sizeof(out), &err), -1);
}

static void decode_alpha_hex(const char *hex, const char *want)
{
	uint8_t v[256];
	char out[512];
	struct sg_error err;
	size_t n = unhex(hex, v, sizeof(v));

	if (cat_alpha_decode(v, n, out, sizeof(out), &err) != 0)
		fail_msg("%s: %s", hex, err.msg);
	assert_string_equal(out, want);
}

static void alpha_identifiers(void **state)
{
	uint8_t v[64];
	size_t n;
	char out[64];
	struct sg_error err;

	/* GSM default alphabet, FF padding */
	decode_alpha_hex("4469616C20546F6E65", "Dial Tone");
	decode_alpha_hex("53656E6420534DFFFFFF", "Send SM");
	/* 80: UCS2, FF padding (odd and even) */
	decode_alpha_hex("8004170414FFFF", "ЗД");
	decode_alpha_hex("8004170414FF", "ЗД");
	/* U+00FF followed by one byte of padding: the pad goes, the character stays */
	decode_alpha_hex("8000FFFF", "\xC3\xBF");
	decode_alpha_hex("8000FFFFFF", "\xC3\xBF");
	/* 81: 3 characters, base 08 << 7 = 0400: 97 -> U+0417, 98 -> U+0418, then GSM 'A' */
	decode_alpha_hex("8103089798 41FF", "ЗИA");
	/* 82: 2 characters, base 0410: 87 -> U+0417, 88 -> U+0418 */
	decode_alpha_hex("8202041087 88FFFF", "ЗИ");
	/* GSM escapes inside 81 */
	decode_alpha_hex("8103081B6597", "€З");
	decode_alpha_hex("", "");

	assert_int_equal(cat_alpha_decode((const uint8_t *)"\x81\x05\x08\x97", 4, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "form 81 says 5 characters, 1 present");
	assert_int_equal(cat_alpha_decode((const uint8_t *)"\x82\x01\x04", 3, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "UCS2 form 82 needs 4 header bytes, has 3");
	assert_int_equal(cat_alpha_decode((const uint8_t *)"\x82\x01\xD8\x00\x80", 5, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "character 1 gives invalid UCS2 value D800");
	assert_int_equal(cat_alpha_decode((const uint8_t *)"\x80\x04", 2, out, sizeof(out), &err), -1);

	assert_int_equal(cat_alpha_encode("Dial Tone", v, sizeof(v), &n, &err), 0);
	assert_bytes(v, n, "4469616C20546F6E65");
	assert_int_equal(cat_alpha_encode("ЗД", v, sizeof(v), &n, &err), 0);
	assert_bytes(v, n, "8004170414");
}

/* Packing round trip for every length 0..160 against the independent unpacker, both directions. */
static void pack_round_trip(void **state)
{
	uint8_t sept[200], packed[200], back[240];
	struct sg_error err;
	size_t n, i;

	for (n = 0; n <= 160; n++) {
		int k;

		for (i = 0; i < n; i++)
			sept[i] = (uint8_t)(0x20 + (i * 7) % 0x5F);
		k = cat_gsm7_pack(sept, n, packed, sizeof(packed), &err);
		assert_int_equal(k, (n * 7 + 7) / 8);
		assert_int_equal(cat_gsm7_unpack(packed, (size_t)k, back, sizeof(back)), n);
		assert_memory_equal(back, sept, n);
	}
	assert_int_equal(cat_gsm7_pack(sept, 10, packed, 8, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gsm8_toolkit_test), cmocka_unit_test(gsm7_packed),
		cmocka_unit_test(gsm_alphabet_specials), cmocka_unit_test(ucs2),
		cmocka_unit_test(dcs_groups),	     cmocka_unit_test(alpha_identifiers),
		cmocka_unit_test(pack_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
