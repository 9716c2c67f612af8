/* Unit tests for the BER-TLV and COMPREHENSION-TLV readers and writers, with oFono / TS 102 384 vectors from
 * ../shared/reference/cat-proactive.md and every kind of malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "simguard/tlv.h"

/* DISPLAY TEXT 1.1.1 (cat-proactive.md §11.1) */
static const uint8_t display_text[] = { 0xD0, 0x1A, 0x81, 0x03, 0x01, 0x21, 0x80, 0x82, 0x02, 0x81,
					0x02, 0x8D, 0x0F, 0x04, 'T',  'o',  'o',  'l',  'k',  'i',
					't',  ' ',  'T',  'e',  's',  't',  ' ',  '1' };

static void ber_then_ctlv_display_text(void **state)
{
	struct sg_tlv_reader r, in;
	struct sg_tlv t;
	struct sg_error err;

	sg_tlv_reader_init(&r, display_text, sizeof(display_text));
	assert_int_equal(sg_ber_tlv_next(&r, &t, &err), 1);
	assert_int_equal(t.tag, 0xD0);
	assert_false(t.cr);
	assert_int_equal(t.len, 0x1A);
	assert_ptr_equal(t.val, display_text + 2);
	assert_int_equal(sg_ber_tlv_next(&r, &t, &err), 0);

	sg_tlv_reader_init(&in, display_text + 2, 0x1A);
	assert_int_equal(sg_ctlv_next(&in, &t, &err), 1);
	assert_int_equal(t.tag, 0x01);
	assert_true(t.cr);
	assert_int_equal(t.len, 3);
	assert_memory_equal(t.val, "\x01\x21\x80", 3);
	assert_int_equal(sg_ctlv_next(&in, &t, &err), 1);
	assert_int_equal(t.tag, 0x02);
	assert_memory_equal(t.val, "\x81\x02", 2);
	assert_int_equal(sg_ctlv_next(&in, &t, &err), 1);
	assert_int_equal(t.tag, 0x0D);
	assert_true(t.cr);
	assert_int_equal(t.len, 15);
	assert_memory_equal(t.val, "\x04Toolkit Test 1", 15);
	assert_int_equal(sg_ctlv_next(&in, &t, &err), 0);
}

static void ctlv_find(void **state)
{
	struct sg_tlv t;
	struct sg_error err;
	/* timer expiration envelope 2.1.1 contents: 82 02 82 81 A4 01 01 A5 03 00 00 01 */
	static const uint8_t v[] = { 0x82, 0x02, 0x82, 0x81, 0xA4, 0x01, 0x01, 0xA5, 0x03, 0x00, 0x00, 0x01 };

	assert_int_equal(sg_ctlv_find(v, sizeof(v), 0x25, &t, &err), 1);
	assert_int_equal(t.len, 3);
	assert_memory_equal(t.val, "\x00\x00\x01", 3);
	assert_int_equal(sg_ctlv_find(v, sizeof(v), 0x24, &t, &err), 1);
	assert_int_equal(t.val[0], 1);
	assert_int_equal(sg_ctlv_find(v, sizeof(v), 0x0D, &t, &err), 0);
	/* malformed before the tag is reached */
	assert_int_equal(sg_ctlv_find(v, 6, 0x25, &t, &err), -1);
	assert_string_equal(err.msg, "TLV at offset 4: length 1 runs past the end (0 bytes left)");
}

static void lengths(void **state)
{
	size_t n;
	struct sg_error err;

	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x7F", 1, &n, &err), 1);
	assert_int_equal(n, 127);
	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x81\x80", 2, &n, &err), 2);
	assert_int_equal(n, 128);
	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x82\x01\x00", 3, &n, &err), 3);
	assert_int_equal(n, 256);
	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x82\xFF\xFF", 3, &n, &err), 3);
	assert_int_equal(n, 0xFFFF);

	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x81\x7F", 2, &n, &err), -1);
	assert_string_equal(err.msg, "length 81 7F not minimal (must be one byte)");
	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x82\x00\xFF", 3, &n, &err), -1);
	assert_string_equal(err.msg, "length 82 00 FF not minimal");
	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x80", 1, &n, &err), -1);
	assert_string_equal(err.msg, "length byte 0x80 invalid (00-7F, 81 or 82 allowed)");
	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x83\x01\x00\x00", 4, &n, &err), -1);
	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x81", 1, &n, &err), -1);
	assert_string_equal(err.msg, "length 81 xx truncated");
	assert_int_equal(sg_tlv_len_decode((const uint8_t *)"\x82\x01", 2, &n, &err), -1);
	assert_int_equal(sg_tlv_len_decode(NULL, 0, &n, &err), -1);
	assert_string_equal(err.msg, "length field missing");

	assert_int_equal(sg_tlv_len_size(0), 1);
	assert_int_equal(sg_tlv_len_size(127), 1);
	assert_int_equal(sg_tlv_len_size(128), 2);
	assert_int_equal(sg_tlv_len_size(255), 2);
	assert_int_equal(sg_tlv_len_size(256), 3);
	assert_int_equal(sg_tlv_len_size(0xFFFF), 3);
	assert_int_equal(sg_tlv_len_size(0x10000), -1);
}

/* DISPLAY TEXT 1.6.1 (cat-proactive.md §11.7): D0 81 AD ... 8D 81 A1 04 ... (160-character text) */
static void two_byte_lengths(void **state)
{
	uint8_t pdu[3 + 0xAD];
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;
	static const uint8_t head[] = { 0xD0, 0x81, 0xAD, 0x81, 0x03, 0x01, 0x21, 0x80, 0x82,
					0x02, 0x81, 0x02, 0x8D, 0x81, 0xA1, 0x04 };

	memset(pdu, 'x', sizeof(pdu));
	memcpy(pdu, head, sizeof(head));
	sg_tlv_reader_init(&r, pdu, sizeof(pdu));
	assert_int_equal(sg_ber_tlv_next(&r, &t, &err), 1);
	assert_int_equal(t.tag, 0xD0);
	assert_int_equal(t.len, 0xAD);
	assert_ptr_equal(t.val, pdu + 3);
	assert_int_equal(sg_ctlv_find(t.val, t.len, 0x0D, &t, &err), 1);
	assert_int_equal(t.len, 0xA1);
	assert_int_equal(t.val[0], 0x04);
}

static void three_byte_ctlv_tag(void **state)
{
	/* 7F form: CR set, tag value 0x0123, length 2 */
	static const uint8_t v[] = { 0x7F, 0x81, 0x23, 0x02, 0xAA, 0xBB, 0x7F, 0x00, 0x80, 0x00 };
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;

	sg_tlv_reader_init(&r, v, sizeof(v));
	assert_int_equal(sg_ctlv_next(&r, &t, &err), 1);
	assert_int_equal(t.tag, 0x0123);
	assert_true(t.cr);
	assert_int_equal(t.len, 2);
	assert_int_equal(sg_ctlv_next(&r, &t, &err), 1);
	assert_int_equal(t.tag, 0x0080);
	assert_false(t.cr);
	assert_int_equal(t.len, 0);
	assert_int_equal(sg_ctlv_next(&r, &t, &err), 0);

	sg_tlv_reader_init(&r, v, 2);
	assert_int_equal(sg_ctlv_next(&r, &t, &err), -1);
	assert_string_equal(err.msg, "TLV at offset 0: three-byte tag truncated");
	sg_tlv_reader_init(&r, (const uint8_t *)"\x7F\x80\x00\x00", 4);
	assert_int_equal(sg_ctlv_next(&r, &t, &err), -1);
	assert_string_equal(err.msg, "TLV at offset 0: three-byte tag value 0 invalid");
}

static void ctlv_bad_tags(void **state)
{
	static const uint8_t bad[] = { 0x00, 0x80, 0xFF };
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;
	uint8_t v[4];
	unsigned int i;

	for (i = 0; i < sizeof(bad); i++) {
		v[0] = 0x81;
		v[1] = 0x00;
		v[2] = bad[i];
		v[3] = 0x00;
		sg_tlv_reader_init(&r, v, 4);
		assert_int_equal(sg_ctlv_next(&r, &t, &err), 1);
		assert_int_equal(sg_ctlv_next(&r, &t, &err), -1);
		assert_non_null(strstr(err.msg, "TLV at offset 2: tag 0x"));
		assert_non_null(strstr(err.msg, "invalid"));
		/* a failed read does not move the reader */
		assert_int_equal(r.pos, 2);
	}
}

static void ber_tags(void **state)
{
	static const uint8_t two[] = { 0x9F, 0x70, 0x01, 0x42 };
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;

	sg_tlv_reader_init(&r, two, sizeof(two));
	assert_int_equal(sg_ber_tlv_next(&r, &t, &err), 1);
	assert_int_equal(t.tag, 0x9F70);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.val[0], 0x42);

	sg_tlv_reader_init(&r, (const uint8_t *)"\x9F\x85\x01\x00", 4);
	assert_int_equal(sg_ber_tlv_next(&r, &t, &err), -1);
	assert_string_equal(err.msg, "TLV at offset 0: tags longer than two bytes not supported");
	sg_tlv_reader_init(&r, (const uint8_t *)"\x9F\x10\x00", 3);
	assert_int_equal(sg_ber_tlv_next(&r, &t, &err), -1);
	assert_string_equal(err.msg, "TLV at offset 0: two-byte tag 9F 10 must use the one-byte form");
	sg_tlv_reader_init(&r, (const uint8_t *)"\x9F", 1);
	assert_int_equal(sg_ber_tlv_next(&r, &t, &err), -1);
	assert_string_equal(err.msg, "TLV at offset 0: two-byte tag truncated");
	sg_tlv_reader_init(&r, (const uint8_t *)"\xFF\x00", 2);
	assert_int_equal(sg_ber_tlv_next(&r, &t, &err), -1);
	assert_string_equal(err.msg, "TLV at offset 0: tag 0xFF invalid");
}

/* Every truncation of a valid object is an error with a message, never a read past the end. */
static void every_truncation(void **state)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;
	size_t n;

	for (n = 1; n < sizeof(display_text); n++) {
		uint8_t copy[sizeof(display_text)];

		memcpy(copy, display_text, n); /* exact-size copy so ASan sees any over-read */
		sg_tlv_reader_init(&r, copy, n);
		err.msg[0] = '\0';
		assert_int_equal(sg_ber_tlv_next(&r, &t, &err), -1);
		assert_true(strlen(err.msg) > 0);
		assert_int_equal(r.pos, 0);
	}
	sg_tlv_reader_init(&r, display_text, 5);
	sg_ber_tlv_next(&r, &t, &err);
	assert_string_equal(err.msg, "TLV at offset 0: length 26 runs past the end (3 bytes left)");
}

static void write_ctlv_and_ber(void **state)
{
	uint8_t buf[64];
	struct sg_tlv_writer w;
	size_t mark;

	sg_tlv_writer_init(&w, buf, sizeof(buf));
	mark = sg_ber_tlv_open(&w, 0xD0);
	sg_ctlv_put(&w, 0x01, true, "\x01\x21\x80", 3);
	sg_ctlv_put(&w, 0x02, true, "\x81\x02", 2);
	sg_ctlv_put(&w, 0x0D, true, "\x04Toolkit Test 1", 15);
	sg_ber_tlv_close(&w, mark);
	assert_true(sg_tlv_writer_ok(&w));
	assert_int_equal(w.len, sizeof(display_text));
	assert_memory_equal(buf, display_text, sizeof(display_text));

	sg_tlv_writer_init(&w, buf, sizeof(buf));
	sg_ctlv_put(&w, 0x0123, false, "\x01", 1);
	sg_ctlv_put(&w, 0x7F, true, NULL, 0);
	sg_ber_tlv_put(&w, 0x9F70, "\x05", 1);
	assert_true(sg_tlv_writer_ok(&w));
	assert_int_equal(w.len, 13);
	assert_memory_equal(buf, "\x7F\x01\x23\x01\x01\x7F\x80\x7F\x00\x9F\x70\x01\x05", 13);
}

static void write_long_template(void **state)
{
	uint8_t buf[400], val[300];
	struct sg_tlv_writer w;
	size_t mark;

	memset(val, 0x5A, sizeof(val));
	/* 160-byte value: the template grows from one length byte to 81 xx */
	sg_tlv_writer_init(&w, buf, sizeof(buf));
	mark = sg_ber_tlv_open(&w, 0xD0);
	sg_ctlv_put(&w, 0x0D, true, val, 160);
	sg_ber_tlv_close(&w, mark);
	assert_true(sg_tlv_writer_ok(&w));
	assert_int_equal(w.len, 3 + 3 + 160);
	assert_memory_equal(buf, "\xD0\x81\xA3\x8D\x81\xA0", 6);
	assert_memory_equal(buf + 6, val, 160);

	/* 300-byte value: 82 01 2C inside, 82 01 30 outside */
	sg_tlv_writer_init(&w, buf, sizeof(buf));
	mark = sg_ber_tlv_open(&w, 0xD1);
	sg_ctlv_put(&w, 0x0B, true, val, 300);
	sg_ber_tlv_close(&w, mark);
	assert_true(sg_tlv_writer_ok(&w));
	assert_int_equal(w.len, 4 + 4 + 300);
	assert_memory_equal(buf, "\xD1\x82\x01\x30\x8B\x82\x01\x2C", 8);
	assert_memory_equal(buf + 8, val, 300);
}

static void write_overflow(void **state)
{
	uint8_t buf[8];
	struct sg_tlv_writer w;
	size_t mark;

	sg_tlv_writer_init(&w, buf, sizeof(buf));
	sg_ctlv_put(&w, 0x01, true, "\x01\x21\x80", 3);
	assert_true(sg_tlv_writer_ok(&w));
	sg_ctlv_put(&w, 0x02, true, "\x81\x02\x03", 3);
	assert_false(sg_tlv_writer_ok(&w));
	/* sticky: even a write that would fit is refused */
	sg_tlv_put_raw(&w, "\x00", 1);
	assert_false(sg_tlv_writer_ok(&w));
	assert_true(w.len <= sizeof(buf));

	/* growing the length at close must not run past the buffer */
	sg_tlv_writer_init(&w, buf, sizeof(buf));
	mark = sg_ber_tlv_open(&w, 0xD0);
	sg_tlv_put_raw(&w, "\x01\x02\x03\x04\x05\x06", 6);
	sg_ber_tlv_close(&w, mark);
	assert_true(sg_tlv_writer_ok(&w));
	assert_int_equal(w.len, 8);

	sg_tlv_writer_init(&w, buf, sizeof(buf));
	sg_ctlv_put(&w, 0, false, NULL, 0);
	assert_false(sg_tlv_writer_ok(&w));
}

/* Round trip every length size through writer and reader. */
static void round_trip_lengths(void **state)
{
	static uint8_t buf[0x10010], val[0xFFFF];
	static const size_t lens[] = { 0, 1, 127, 128, 255, 256, 1000, 0xFFFF };
	struct sg_tlv_writer w;
	struct sg_tlv_reader r;
	struct sg_tlv t;
	struct sg_error err;
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(val, (int)i, lens[i]);
		sg_tlv_writer_init(&w, buf, sizeof(buf));
		sg_ctlv_put(&w, 0x36, true, val, lens[i]);
		assert_true(sg_tlv_writer_ok(&w));
		assert_int_equal(w.len, 1 + (size_t)sg_tlv_len_size(lens[i]) + lens[i]);
		sg_tlv_reader_init(&r, buf, w.len);
		assert_int_equal(sg_ctlv_next(&r, &t, &err), 1);
		assert_int_equal(t.tag, 0x36);
		assert_int_equal(t.len, lens[i]);
		assert_memory_equal(t.val, val, lens[i]);
	}
	/* a value above 0xFFFF has no length encoding: refused even though the buffer has room */
	sg_tlv_writer_init(&w, val, sizeof(val));
	sg_ctlv_put(&w, 0x36, true, buf, 0x10000);
	assert_false(sg_tlv_writer_ok(&w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ber_then_ctlv_display_text),
		cmocka_unit_test(ctlv_find),
		cmocka_unit_test(lengths),
		cmocka_unit_test(two_byte_lengths),
		cmocka_unit_test(three_byte_ctlv_tag),
		cmocka_unit_test(ctlv_bad_tags),
		cmocka_unit_test(ber_tags),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(write_ctlv_and_ber),
		cmocka_unit_test(write_long_template),
		cmocka_unit_test(write_overflow),
		cmocka_unit_test(round_trip_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
