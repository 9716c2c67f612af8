/* Unit tests for a lab handset's deliver_sm -> SMS-DELIVER mapping (sms_smpp.c) of GSM 7-bit text, which SMPP
 * carries one septet per octet: without a header packed as is, after a concatenation header packed from the
 * septet boundary after the header's fill bit. The expected packed octets were made with the Python packer of
 * test_handset_sim.sh (an independent implementation of TS 23.038 6.1.2.1.1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pcsct/sms_smpp.h"
#include "smsgw/smpp_codec.h"

static void text_sm(struct smpp_sm *sm, bool udhi, const uint8_t *ud, size_t len)
{
	smpp_sm_init(sm);
	sm->src_ton = 1;
	sm->src_npi = 1;
	strcpy(sm->src, "4917699001");
	sm->esm_class = udhi ? 0x40 : 0x00;
	memcpy(sm->ud, ud, len);
	sm->ud_len = len;
}

static void to_deliver(const struct smpp_sm *sm, struct sms_deliver *d)
{
	uint8_t tpdu[SMS_TPDU_MAX];
	struct sg_error err;
	size_t len;

	assert_int_equal(pcsct_sm_to_deliver(sm, tpdu, sizeof(tpdu), &len, &err), 0);
	assert_int_equal(sms_deliver_decode(tpdu, len, d, &err), 0);
}

/* A part of a concatenated text: header octets, one fill bit, the septets; UDL counts 7 + 6 septets. */
static void test_text_part(void **state)
{
	static const uint8_t ud[] = { 0x05, 0x00, 0x03, 0x42, 0x02, 0x01, 'h', 'e', 'l', 'l', 'o', ' ' };
	static const uint8_t want[] = { 0x05, 0x00, 0x03, 0x42, 0x02, 0x01, 0xD0, 0x65, 0x36, 0xFB, 0x0D, 0x02 };
	static const uint8_t euro[] = { 0x05, 0x00, 0x03, 0x42, 0x02, 0x02, 0x1B, 0x65, '!' };
	struct sms_deliver d;
	struct smpp_sm sm;

	(void)state;
	text_sm(&sm, true, ud, sizeof(ud));
	to_deliver(&sm, &d);
	assert_true(d.udhi);
	assert_int_equal(d.dcs, 0x00);
	assert_int_equal(d.ud.udl, 13);
	assert_int_equal(d.ud.ud_len, sizeof(want));
	assert_memory_equal(d.ud.ud, want, sizeof(want));
	text_sm(&sm, true, euro, sizeof(euro));
	to_deliver(&sm, &d);
	assert_int_equal(d.ud.udl, 10);
	assert_memory_equal(d.ud.ud + 6, "\x36\xe5\x10", 3);
}

/* 153 septets beside the 6-octet header fill one SMS (140 octets); 154 do not; a header longer than the user
 * data is refused. */
static void test_text_part_limits(void **state)
{
	uint8_t ud[200], tpdu[SMS_TPDU_MAX];
	struct sms_deliver d;
	struct smpp_sm sm;
	struct sg_error err;
	size_t len;

	(void)state;
	memset(ud, 'x', sizeof(ud));
	memcpy(ud, "\x05\x00\x03\x42\x02\x01", 6);
	text_sm(&sm, true, ud, 6 + 153);
	to_deliver(&sm, &d);
	assert_int_equal(d.ud.udl, 160);
	assert_int_equal(d.ud.ud_len, 140);
	text_sm(&sm, true, ud, 6 + 154);
	assert_int_equal(pcsct_sm_to_deliver(&sm, tpdu, sizeof(tpdu), &len, &err), -1);
	assert_non_null(strstr(err.msg, "161 septets"));
	ud[0] = 9;
	text_sm(&sm, true, ud, 6);
	assert_int_equal(pcsct_sm_to_deliver(&sm, tpdu, sizeof(tpdu), &len, &err), -1);
	assert_non_null(strstr(err.msg, "header"));
}

/* Without a header: 160 characters, packed, UDL 160. */
static void test_text_whole(void **state)
{
	uint8_t ud[161];
	struct sms_deliver d;
	struct smpp_sm sm;

	(void)state;
	memset(ud, 'x', sizeof(ud));
	text_sm(&sm, false, ud, 160);
	to_deliver(&sm, &d);
	assert_false(d.udhi);
	assert_int_equal(d.ud.udl, 160);
	assert_int_equal(d.ud.ud_len, 140);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_part),
		cmocka_unit_test(test_text_part_limits),
		cmocka_unit_test(test_text_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
