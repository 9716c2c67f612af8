/* Unit tests for the SMS TPDU codecs against the byte vectors of sms-pp-and-ussd.md (built by oFono's and pySim's
 * encoders), plus TPDUs and UDHs that lie about their lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <osmocom/core/talloc.h>

#include "simguard/hex.h"
#include "simguard/sms_tpdu.h"

static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	struct sg_error err;
	long n = sg_hex_decode(hex, out, size, "vector", &err);

	assert_true(n >= 0);
	return (size_t)n;
}

/* Example 1's command packet, after 02 70 00 */
static const char ex1_packet[] = "00201516191515C100017643B44E88EA671B24E0244A2DE2E0F7FF1BF3FE5BD9F574";

static const char ex1_deliver[] = "440B919471103254F67FF6521010210000002502700000201516191515C100017643B44E88EA671B24E024"
				  "4A2DE2E0F7FF1BF3FE5BD9F574";

static size_t ex1_packet_bytes(uint8_t *out, size_t size)
{
	return unhex(ex1_packet, out, size);
}

static void deliver_example1_encode(void **state)
{
	uint8_t want[80], pkt[64], ud[SMS_UD_MAX], out[SMS_TPDU_MAX];
	size_t want_len = unhex(ex1_deliver, want, sizeof(want)), pkt_len = ex1_packet_bytes(pkt, sizeof(pkt));
	struct sms_addr oa = { .ton = 1, .npi = 1, .digits = "49170123456" };
	uint8_t scts[7];
	struct sg_error err;
	size_t n;

	/* 56 bytes: the envelope's 8B 38 (the reference's "57" label miscounts) */
	assert_int_equal(want_len, 56);
	/* 2025-01-01 12:00:00 UTC */
	sms_scts_from_time(1735732800, scts);
	assert_memory_equal(scts, "\x52\x10\x10\x21\x00\x00\x00", 7);
	ud[0] = 2;
	ud[1] = 0x70;
	ud[2] = 0;
	memcpy(ud + 3, pkt, pkt_len);
	assert_int_equal(sms_ota_deliver_build(&oa, scts, ud, 3 + pkt_len, out, sizeof(out), &n, &err), 0);
	assert_int_equal(n, want_len);
	assert_memory_equal(out, want, n);
}

static void deliver_example1_decode(void **state)
{
	uint8_t buf[80];
	size_t len = unhex(ex1_deliver, buf, sizeof(buf));
	struct sms_deliver d;
	struct sms_udh h;
	struct sg_error err;
	time_t t;

	assert_int_equal(sms_deliver_decode(buf, len, &d, &err), 0);
	assert_false(d.more_msgs);
	assert_true(d.udhi);
	assert_int_equal(d.oa.ton, 1);
	assert_int_equal(d.oa.npi, 1);
	assert_string_equal(d.oa.digits, "49170123456");
	assert_int_equal(d.pid, 0x7f);
	assert_int_equal(d.dcs, 0xf6);
	assert_int_equal(sms_scts_to_time(d.scts, &t, &err), 0);
	assert_int_equal(t, 1735732800);
	assert_int_equal(d.ud.udl, 37);
	assert_int_equal(sms_udh_parse(d.ud.ud, d.ud.ud_len, &h, &err), 0);
	assert_true(h.cpi);
	assert_false(h.has_concat);
	assert_int_equal(h.udh_len, 3);
}

/* oFono conformance vector "SMS-PP data download 1.6.1": no UDHI, DCS 16, 13 octets of text */
static void deliver_ofono_161(void **state)
{
	uint8_t buf[64];
	struct sms_deliver d;
	struct sg_error err;
	time_t t;
	size_t len = unhex("04049121437F16891010000000000D53686F7274204D657373616765", buf, sizeof(buf));
	assert_int_equal(sms_deliver_decode(buf, len, &d, &err), 0);
	assert_string_equal(d.oa.digits, "1234");
	assert_int_equal(d.oa.npi, 1);
	assert_false(d.udhi);
	assert_true(sms_dcs_is_class2_8bit(d.dcs));
	assert_int_equal(d.ud.ud_len, 13);
	assert_memory_equal(d.ud.ud, "Short Message", 13);
	assert_int_equal(sms_scts_to_time(d.scts, &t, &err), 0);
	assert_int_equal(t, 883612800); /* 1998-01-01 00:00:00 UTC */
}

static const char ex1_report[] = "40077FF621027100001C12C10001C9B7FD1CFBA7B9A2257B092B453434760CB4D0357E28C24D";

static void deliver_report_example1(void **state)
{
	uint8_t buf[64], out[64];
	size_t len = unhex(ex1_report, buf, sizeof(buf)), n;
	struct sms_deliver_report r, e;
	struct sg_error err;
	struct sms_udh h;

	assert_int_equal(len, 38);
	assert_int_equal(sms_deliver_report_decode(buf, len, false, &r, &err), 0);
	assert_true(r.has_pid && r.has_dcs && r.has_ud && r.udhi);
	assert_int_equal(r.ud.udl, 0x21);
	assert_int_equal(sms_udh_parse(r.ud.ud, r.ud.ud_len, &h, &err), 0);
	assert_true(h.rpi);
	/* encode from fields, byte-exact */
	e = (struct sms_deliver_report){ .udhi = true, .has_pid = true, .has_dcs = true, .has_ud = true, .pid = 0x7f,
					 .dcs = 0xf6 };
	assert_int_equal(sms_ud_set_octets(&e.ud, buf + 5, 33, &err), 0);
	assert_int_equal(sms_deliver_report_encode(&e, out, sizeof(out), &n, &err), 0);
	assert_int_equal(n, len);
	assert_memory_equal(out, buf, n);
	/* the same in an RP-ERROR with TP-FCS D5 */
	e.is_error = true;
	e.fcs = SMS_FCS_DATA_DOWNLOAD_ERROR;
	assert_int_equal(sms_deliver_report_encode(&e, out, sizeof(out), &n, &err), 0);
	assert_int_equal(n, len + 1);
	assert_memory_equal(out, "\x40\xd5\x07\x7f\xf6\x21", 6);
	assert_int_equal(sms_deliver_report_decode(out, n, true, &r, &err), 0);
	assert_int_equal(r.fcs, 0xd5);
	/* RP-ACK with nothing */
	assert_int_equal(sms_deliver_report_decode((const uint8_t *)"\x00\x00", 2, false, &r, &err), 0);
	assert_false(r.has_ud);
}

/* Example 2's PoR in SEND SHORT MESSAGE (8B 31 ...), parsed by oFono */
static const char ex2_submit[] = "41000B919471103254F67FF629027100002412C10001B211D72DDC33E57C0611B3CEB3C18F7286E268E7B9A05FE9FA55"
				 "C4A7ADB03DB3";

static void submit_example2(void **state)
{
	uint8_t buf[80], out[SMS_TPDU_MAX];
	size_t len = unhex(ex2_submit, buf, sizeof(buf)), n;
	struct sms_submit s;
	struct sg_error err;

	/* the UD is 41 octets (UDL 29), so the TPDU is 54 bytes; the reference's "8B 31" length is short */
	assert_int_equal(len, 54);
	assert_int_equal(sms_submit_decode(buf, len, &s, &err), 0);
	assert_true(s.udhi);
	assert_int_equal(s.vpf, SMS_VPF_NONE);
	assert_int_equal(s.mr, 0);
	assert_string_equal(s.da.digits, "49170123456");
	assert_int_equal(s.pid, 0x7f);
	assert_int_equal(s.dcs, 0xf6);
	assert_int_equal(s.ud.udl, 41);
	assert_int_equal(sms_submit_encode(&s, out, sizeof(out), &n, &err), 0);
	assert_int_equal(n, len);
	assert_memory_equal(out, buf, len);
	/* with a relative validity period */
	s.vpf = SMS_VPF_RELATIVE;
	s.vp[0] = 0xa7;
	assert_int_equal(sms_submit_encode(&s, out, sizeof(out), &n, &err), 0);
	assert_int_equal(n, len + 1);
	assert_int_equal(out[0], 0x51);
	assert_int_equal(sms_submit_decode(out, n, &s, &err), 0);
	assert_int_equal(s.vp[0], 0xa7);
}

static void addresses(void **state)
{
	struct sms_addr a = { .ton = 1, .npi = 1, .digits = "1234" }, b;
	uint8_t out[12];
	struct sg_error err;

	assert_int_equal(sms_addr_encode(&a, out, sizeof(out), "tp-da", &err), 4);
	assert_memory_equal(out, "\x04\x91\x21\x43", 4);
	strcpy(a.digits, "*#1");
	a.ton = 0;
	assert_int_equal(sms_addr_encode(&a, out, sizeof(out), "tp-da", &err), 4);
	assert_memory_equal(out, "\x03\x81\xba\xf1", 4);
	assert_int_equal(sms_addr_decode(out, 4, &b, "tp-da", &err), 4);
	assert_string_equal(b.digits, "*#1");
	strcpy(a.digits, "12x");
	assert_int_equal(sms_addr_encode(&a, out, sizeof(out), "tp-da", &err), -1);
	assert_string_equal(err.msg, "tp-da: 'x' is not an address digit (0-9 * # a b c)");
	/* alphanumeric */
	a.ton = 5;
	a.npi = 0;
	strcpy(a.digits, "OTA");
	assert_int_equal(sms_addr_encode(&a, out, sizeof(out), "tp-oa", &err), 5);
	assert_memory_equal(out, "\x06\xd0\x4f\x6a\x10", 5);
	assert_int_equal(sms_addr_decode(out, 5, &b, "tp-oa", &err), 5);
	assert_string_equal(b.digits, "OTA");
	/* 20 digits fit, the output buffer must be checked */
	a.ton = 1;
	strcpy(a.digits, "12345678901234567890");
	assert_int_equal(sms_addr_encode(&a, out, sizeof(out), "tp-da", &err), 12);
	assert_int_equal(sms_addr_encode(&a, out, 11, "tp-da", &err), -1);
}

static void lying_tpdus(void **state)
{
	uint8_t buf[80];
	size_t len = unhex(ex1_deliver, buf, sizeof(buf));
	struct sms_deliver d;
	struct sms_submit s;
	struct sms_deliver_report r;
	struct sg_error err;

	/* UDL claims one byte more than present */
	buf[18] = 0x26;
	assert_int_equal(sms_deliver_decode(buf, len, &d, &err), -1);
	assert_string_equal(err.msg, "tp-udl: 38 claims 38 octets, only 37 present");
	/* UDL claims fewer: trailing bytes */
	buf[18] = 0x24;
	assert_int_equal(sms_deliver_decode(buf, len, &d, &err), -1);
	assert_string_equal(err.msg, "tp-ud: 1 bytes after the 36 octets TP-UDL announces");
	buf[18] = 0x25;
	/* UDHL runs past the user data */
	buf[19] = 0x30;
	assert_int_equal(sms_deliver_decode(buf, len, &d, &err), -1);
	assert_string_equal(err.msg, "udh: UDHL 48 runs past the 37 octets of user data");
	buf[19] = 0x02;
	/* address length beyond the TPDU */
	assert_int_equal(sms_deliver_decode(buf, 6, &d, &err), -1);
	assert_string_equal(err.msg, "tp-oa: 11 semi-octets need 6 bytes, only 3 present");
	buf[1] = 0x15;
	assert_int_equal(sms_deliver_decode(buf, len, &d, &err), -1);
	assert_string_equal(err.msg, "tp-oa: length 21 semi-octets exceeds 20");
	buf[1] = 0x0b;
	/* truncated in the SCTS */
	assert_int_equal(sms_deliver_decode(buf, 14, &d, &err), -1);
	/* wrong MTI */
	assert_int_equal(sms_submit_decode(buf, len, &s, &err), -1);
	assert_string_equal(err.msg, "sms-submit: TP-MTI 0 is not SMS-SUBMIT");
	/* a 7-bit UDL that means more than 140 octets */
	assert_int_equal(sms_deliver_decode((const uint8_t *)"\x04\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa1", 13,
					    &d, &err),
			 -1);
	assert_string_equal(err.msg, "tp-udl: 161 means 141 octets, more than 140");
	/* deliver report: PI promises PID, nothing there; UDHI with no user data */
	assert_int_equal(sms_deliver_report_decode((const uint8_t *)"\x00\x01", 2, false, &r, &err), -1);
	assert_int_equal(sms_deliver_report_decode((const uint8_t *)"\x40\x00", 2, false, &r, &err), -1);
	assert_int_equal(sms_deliver_report_decode((const uint8_t *)"\x00\x80", 2, false, &r, &err), -1);
	assert_string_equal(err.msg, "sms-deliver-report: TP-PI extension octet missing");
}

static void lying_udhs(void **state)
{
	struct sms_udh h;
	struct sg_error err;

	assert_int_equal(sms_udh_parse((const uint8_t *)"\x05\x00\x03\x01\x02\x01\xaa", 7, &h, &err), 0);
	assert_true(h.has_concat);
	assert_int_equal(h.concat_total, 2);
	assert_int_equal(h.concat_seq, 1);
	assert_int_equal(h.udh_len, 6);
	/* IE length past UDHL */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x03\x00\x03\x01\x02\x01", 6, &h, &err), -1);
	assert_string_equal(err.msg, "udh: IE 0x00 length 3 runs past UDHL 3");
	/* concatenation IE of the wrong length */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x04\x00\x02\x01\x02", 5, &h, &err), -1);
	assert_string_equal(err.msg, "udh: concatenation IE 0x00 has length 2, must be 3");
	/* part 0, part 3 of 2, total 0 */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x05\x00\x03\x01\x02\x00", 6, &h, &err), -1);
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x05\x00\x03\x01\x02\x03", 6, &h, &err), -1);
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x05\x00\x03\x01\x00\x01", 6, &h, &err), -1);
	/* truncated IE header */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x01\x70", 2, &h, &err), -1);
	assert_string_equal(err.msg, "udh: IE at offset 1 truncated (no length octet)");
	/* CPI with content */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x03\x70\x01\x00", 4, &h, &err), -1);
	/* two concatenation IEs */
	assert_int_equal(sms_udh_parse((const uint8_t *)"\x0b\x00\x03\x01\x02\x01\x08\x04\x00\x01\x02\x01", 12, &h,
				       &err),
			 -1);
	assert_string_equal(err.msg, "udh: more than one concatenation IE");
	/* empty user data */
	assert_int_equal(sms_udh_parse((const uint8_t *)"", 0, &h, &err), -1);
}

static void split_single_and_concat(void **state)
{
	uint8_t pkt[600];
	struct sms_ota_part parts[8];
	struct sms_udh h;
	struct sg_error err;
	size_t total = 0;

	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
	assert_int_equal(sms_ota_split(pkt, 137, SMS_IEI_CPI, false, 7, parts, 8, &err), 1);
	assert_int_equal(parts[0].len, 140);
	assert_memory_equal(parts[0].ud, "\x02\x70\x00", 3);
	/* 138 bytes: 132 + 6 */
	assert_int_equal(sms_ota_split(pkt, 138, SMS_IEI_CPI, false, 7, parts, 8, &err), 2);
	assert_memory_equal(parts[0].ud, "\x07\x00\x03\x07\x02\x01\x70\x00", 8);
	assert_int_equal(parts[0].len, 140);
	assert_memory_equal(parts[1].ud, "\x05\x00\x03\x07\x02\x02", 6);
	assert_int_equal(parts[1].len, 6 + 6);
	/* 16-bit reference: 131 then 133 per part */
	assert_int_equal(sms_ota_split(pkt, 600, SMS_IEI_RPI, true, 0x1234, parts, 8, &err), 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(sms_udh_parse(parts[i].ud, parts[i].len, &h, &err), 0);
		assert_true(h.concat16);
		assert_int_equal(h.concat_ref, 0x1234);
		assert_int_equal(h.concat_seq, i + 1);
		assert_int_equal(h.rpi, i == 0);
		assert_memory_equal(parts[i].ud + h.udh_len, pkt + total, parts[i].len - h.udh_len);
		total += parts[i].len - h.udh_len;
		assert_true(parts[i].len <= SMS_UD_MAX);
	}
	assert_int_equal(total, 600);
	assert_int_equal(sms_ota_split(pkt, 600, SMS_IEI_CPI, false, 1, parts, 4, &err), -1);
	assert_string_equal(err.msg, "ota split: 600 bytes need 5 parts, limit 4");
	assert_int_equal(sms_ota_split(pkt, 0, SMS_IEI_CPI, false, 1, parts, 4, &err), -1);
}

static void reassembly(void **state)
{
	struct sms_reasm_cfg cfg = { .max_groups = 2, .max_bytes = 300, .timeout = 30 };
	struct sms_reasm *r = sms_reasm_alloc(NULL, &cfg);
	uint8_t *out = NULL;
	size_t out_len = 0;
	struct sg_error err;

	assert_non_null(r);
	/* out of order with a duplicate */
	assert_int_equal(sms_reasm_add(r, "1001", false, 5, 3, 3, (const uint8_t *)"cc", 2, 100, NULL, &out, &out_len,
				       &err),
			 SMS_REASM_PENDING);
	assert_int_equal(sms_reasm_add(r, "1001", false, 5, 3, 1, (const uint8_t *)"aaa", 3, 101, NULL, &out,
				       &out_len, &err),
			 SMS_REASM_PENDING);
	assert_int_equal(sms_reasm_add(r, "1001", false, 5, 3, 1, (const uint8_t *)"aaa", 3, 101, NULL, &out,
				       &out_len, &err),
			 SMS_REASM_DUPLICATE);
	/* same ref, other sender and other reference space: separate groups */
	assert_int_equal(sms_reasm_add(r, "1002", false, 5, 2, 1, (const uint8_t *)"x", 1, 102, NULL, &out, &out_len,
				       &err),
			 SMS_REASM_PENDING);
	assert_int_equal(sms_reasm_add(r, "1001", true, 5, 2, 1, (const uint8_t *)"y", 1, 102, NULL, &out, &out_len,
				       &err),
			 SMS_REASM_FULL);
	/* mismatching total */
	assert_int_equal(sms_reasm_add(r, "1001", false, 5, 4, 2, (const uint8_t *)"b", 1, 103, NULL, &out, &out_len,
				       &err),
			 SMS_REASM_ERROR);
	assert_int_equal(sms_reasm_add(r, "1001", false, 5, 3, 2, (const uint8_t *)"b", 1, 103, NULL, &out, &out_len,
				       &err),
			 SMS_REASM_COMPLETE);
	assert_int_equal(out_len, 6);
	assert_memory_equal(out, "aaabcc", 6);
	talloc_free(out);
	assert_int_equal(sms_reasm_pending(r), 1);
	/* lost part: the group times out */
	assert_int_equal(sms_reasm_expire(r, 131), 0);
	assert_int_equal(sms_reasm_expire(r, 132), 1);
	assert_int_equal(sms_reasm_pending(r), 0);
	/* byte bound */
	uint8_t big[140] = { 0 };
	assert_int_equal(sms_reasm_add(r, "1003", false, 1, 3, 1, big, 140, 200, NULL, &out, &out_len, &err),
			 SMS_REASM_PENDING);
	assert_int_equal(sms_reasm_add(r, "1003", false, 1, 3, 2, big, 140, 200, NULL, &out, &out_len, &err),
			 SMS_REASM_PENDING);
	assert_int_equal(sms_reasm_add(r, "1003", false, 1, 3, 3, big, 140, 200, NULL, &out, &out_len, &err),
			 SMS_REASM_FULL);
	assert_int_equal(sms_reasm_add(r, "1003", false, 1, 3, 4, big, 1, 200, NULL, &out, &out_len, &err),
			 SMS_REASM_ERROR);
	sms_reasm_free(r);
}

static void split_then_reassemble(void **state)
{
	struct sms_reasm_cfg cfg = { .max_groups = 4, .max_bytes = 2048, .timeout = 30 };
	struct sms_reasm *r = sms_reasm_alloc(NULL, &cfg);
	struct sms_ota_part parts[4];
	uint8_t pkt[400], *out = NULL;
	size_t out_len = 0;
	struct sg_error err;
	int n;

	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 7);
	n = sms_ota_split(pkt, sizeof(pkt), SMS_IEI_CPI, false, 9, parts, 4, &err);
	assert_int_equal(n, 3);
	for (int i = n - 1; i >= 0; i--) {
		struct sms_udh h;
		enum sms_reasm_result res;

		assert_int_equal(sms_udh_parse(parts[i].ud, parts[i].len, &h, &err), 0);
		res = sms_reasm_add(r, "49170123456", h.concat16, h.concat_ref, h.concat_total, h.concat_seq,
				    parts[i].ud + h.udh_len, parts[i].len - h.udh_len, 0, NULL, &out, &out_len, &err);
		assert_int_equal(res, i ? SMS_REASM_PENDING : SMS_REASM_COMPLETE);
	}
	assert_int_equal(out_len, sizeof(pkt));
	assert_memory_equal(out, pkt, sizeof(pkt));
	talloc_free(out);
	sms_reasm_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deliver_example1_encode),
		cmocka_unit_test(deliver_example1_decode),
		cmocka_unit_test(deliver_ofono_161),
		cmocka_unit_test(deliver_report_example1),
		cmocka_unit_test(submit_example2),
		cmocka_unit_test(addresses),
		cmocka_unit_test(lying_tpdus),
		cmocka_unit_test(lying_udhs),
		cmocka_unit_test(split_single_and_concat),
		cmocka_unit_test(reassembly),
		cmocka_unit_test(split_then_reassemble),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
