/* Unit tests for the SMPP codec: byte-exact against the libsmpp34-packed examples of smpp-for-ota.md section 9,
 * and PDUs that lie about their lengths get the right command_status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <smpp34.h>

#include "simguard/hex.h"
#include "smsgw/smpp_codec.h"

static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	struct sg_error err;
	long n = sg_hex_decode(hex, out, size, "vector", &err);

	assert_true(n >= 0);
	return (size_t)n;
}

static const char ref_bind[] = "00000026000000090000000000000001" "6F746173727600" "73656372657400" "4F544100"
			       "34000000";
static const char ref_submit[] =
	"0000005B00000004000000000000000200010134393137313030303939000101343931373031323334353600407F0000000100"
	"F6002502700000201516191515C100017643B44E88EA671B24E0244A2DE2E0F7FF1BF3FE5BD9F574";

static void strip(const char *in, char *out)
{
	for (; *in; in++)
		if (*in != ' ')
			*out++ = *in;
	*out = '\0';
}

static void bind_bytes(void **state)
{
	uint8_t want[64], out[64];
	size_t n = unhex(ref_bind, want, sizeof(want));
	struct smpp_bind b = { .cmd = BIND_TRANSCEIVER, .system_id = "otasrv", .password = "secret",
			       .system_type = "OTA" };
	char why[128];
	struct smpp_bind d;

	assert_int_equal(smpp_encode_bind(1, &b, out, sizeof(out)), (int)n);
	assert_memory_equal(out, want, n);
	assert_int_equal(smpp_pdu_check(want, n, why, sizeof(why)), ESME_ROK);
	assert_int_equal(smpp_decode_bind(want, n, &d, why, sizeof(why)), ESME_ROK);
	assert_string_equal(d.system_id, "otasrv");
	assert_string_equal(d.password, "secret");
	assert_int_equal(d.version, 0x34);
}

static void submit_bytes(void **state)
{
	char hex[512];
	uint8_t want[128], out[256];
	size_t n;
	struct smpp_sm sm, d;
	char why[128];
	int len;

	strip(ref_submit, hex);
	n = unhex(hex, want, sizeof(want));
	assert_int_equal(n, 0x5b);
	smpp_sm_init(&sm);
	sm.src_ton = sm.src_npi = sm.dst_ton = sm.dst_npi = 1;
	strcpy(sm.src, "4917100099");
	strcpy(sm.dst, "49170123456");
	sm.esm_class = 0x40;
	sm.pid = 0x7f;
	sm.regdel = 1;
	sm.dcs = 0xf6;
	memcpy(sm.ud, want + n - 0x25, 0x25);
	sm.ud_len = 0x25;
	len = smpp_encode_sm(SUBMIT_SM, 2, &sm, out, sizeof(out), why, sizeof(why));
	assert_int_equal(len, (int)n);
	assert_memory_equal(out, want, n);
	assert_int_equal(smpp_pdu_check(want, n, why, sizeof(why)), ESME_ROK);
	assert_int_equal(smpp_decode_sm(want, n, &d, why, sizeof(why)), ESME_ROK);
	assert_string_equal(d.dst, "49170123456");
	assert_int_equal(d.ud_len, 0x25);
	assert_memory_equal(d.ud, sm.ud, 0x25);
	assert_false(d.use_payload);
	/* the same with message_payload: sm_length 0, TLV 0424, command_length 0x5F */
	sm.use_payload = true;
	len = smpp_encode_sm(SUBMIT_SM, 2, &sm, out, sizeof(out), why, sizeof(why));
	assert_int_equal(len, 0x5f);
	assert_memory_equal(out + 0x5f - 0x25 - 5, "\x00\x04\x24\x00\x25\x02\x70\x00", 8);
	assert_int_equal(smpp_pdu_check(out, (size_t)len, why, sizeof(why)), ESME_ROK);
	assert_int_equal(smpp_decode_sm(out, (size_t)len, &d, why, sizeof(why)), ESME_ROK);
	assert_true(d.use_payload);
	assert_memory_equal(d.ud, sm.ud, 0x25);
}

static void header_only_bytes(void **state)
{
	uint8_t out[32];

	assert_int_equal(smpp_encode_hdr_only(ENQUIRE_LINK, 0, 9, out, sizeof(out)), 16);
	assert_memory_equal(out, "\x00\x00\x00\x10\x00\x00\x00\x15\x00\x00\x00\x00\x00\x00\x00\x09", 16);
	assert_int_equal(smpp_encode_hdr_only(GENERIC_NACK, ESME_RINVCMDID, 9, out, sizeof(out)), 16);
	assert_memory_equal(out, "\x00\x00\x00\x10\x80\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x09", 16);
	assert_int_equal(smpp_encode_sm_resp(SUBMIT_SM_RESP, ESME_RTHROTTLED, 2, "x", out, sizeof(out)), 16);
	assert_memory_equal(out, "\x00\x00\x00\x10\x80\x00\x00\x04\x00\x00\x00\x58\x00\x00\x00\x02", 16);
	assert_int_equal(smpp_encode_sm_resp(SUBMIT_SM_RESP, ESME_ROK, 2, "42", out, sizeof(out)), 19);
	assert_memory_equal(out + 16, "42", 3);
}

static void lying_pdus(void **state)
{
	char hex[512], why[128];
	uint8_t p[128];
	size_t n;

	strip(ref_submit, hex);
	n = unhex(hex, p, sizeof(p));
	/* sm_length past the end */
	p[0x5b - 0x26] = 0x26;
	assert_int_equal(smpp_pdu_check(p, n, why, sizeof(why)), ESME_RINVMSGLEN);
	assert_string_equal(why, "sm_length 38 runs past the PDU (37 bytes left)");
	/* sm_length short: the rest is read as TLVs, which do not parse */
	p[0x5b - 0x26] = 0x20;
	assert_int_equal(smpp_pdu_check(p, n, why, sizeof(why)), ESME_RINVOPTPARSTREAM);
	p[0x5b - 0x26] = 0x25;
	/* command_length not the PDU's length */
	p[3] = 0x5c;
	assert_int_equal(smpp_pdu_check(p, n, why, sizeof(why)), ESME_RINVCMDLEN);
	p[3] = 0x5b;
	/* an address without its NUL: overwrite the source address terminator and beyond */
	memset(p + 16 + 3, 'A', 21);
	assert_int_equal(smpp_pdu_check(p, n, why, sizeof(why)), ESME_RINVCMDLEN);
	assert_string_equal(why, "source_addr: 24 characters, at most 20 allowed");
	/* unknown command id */
	assert_int_equal(smpp_pdu_check((const uint8_t *)"\x00\x00\x00\x10\x00\x00\x00\x77\x00\x00\x00\x00\x00\x00"
							 "\x00\x01",
					16, why, sizeof(why)),
			 ESME_RINVCMDID);
	/* enquire_link with a body */
	assert_int_equal(smpp_pdu_check((const uint8_t *)"\x00\x00\x00\x11\x00\x00\x00\x15\x00\x00\x00\x00\x00\x00"
							 "\x00\x01\x00",
					17, why, sizeof(why)),
			 ESME_RINVCMDLEN);
	/* a fixed-size TLV with the wrong length */
	{
		struct smpp_sm sm;
		uint8_t out[128];
		int len;

		smpp_sm_init(&sm);
		strcpy(sm.dst, "1001");
		sm.ud_len = 1;
		sm.ussd_op = 2;
		len = smpp_encode_sm(SUBMIT_SM, 3, &sm, out, sizeof(out), why, sizeof(why));
		assert_true(len > 0);
		assert_int_equal(smpp_pdu_check(out, (size_t)len, why, sizeof(why)), ESME_ROK);
		/* ussd_service_op is last: 05 01 00 01 op -> claim length 2 and add a byte */
		out[len - 2] = 2;
		out[len] = 0;
		out[3] = (uint8_t)(len + 1);
		assert_int_equal(smpp_pdu_check(out, (size_t)len + 1, why, sizeof(why)), ESME_RINVPARLEN);
		assert_string_equal(why, "TLV 0x0501 has length 2, must be 1");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bind_bytes),
		cmocka_unit_test(submit_bytes),
		cmocka_unit_test(header_only_bytes),
		cmocka_unit_test(lying_pdus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
