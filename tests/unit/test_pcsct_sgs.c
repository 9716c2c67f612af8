/* Unit tests for handset-sim's SGs codec (pcsct/sgs.h): what the MME side and the UE send, byte for byte against
 * the hex verified with a real osmo-msc (shared/recipes/osmocom-smsc.md section 9); what an MSC sends, as built by
 * libosmogsm's own MSC-side encoders (gsm29118_create_*), split out of a stream and decoded; and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <osmocom/gsm/gsm29118.h>
#include <osmocom/gsm/protocol/gsm_04_11.h>

#include "pcsct/sgs.h"
#include "simguard/hex.h"

#define IMSI_IE	 "01080910100000000010" /* IMSI 001010000000001 */
#define MME_NAME "mmec01.mmegi0001.mme.epc.mnc001.mcc001.3gppnetwork.org"
/* the MME name IE: 55 bytes of DNS labels */
#define MME_IE                                 \
	"0937"                                 \
	"066d6d6563303109"                     \
	"6d6d65676930303031036d6d650365706306" \
	"6d6e6330303106"                       \
	"6d63633030310b"                       \
	"336770706e6574776f726b036f7267"

static const struct sgs_mme ue = {.imsi = "001010000000001", .mme_name = MME_NAME, .mcc = 1, .mnc = 1, .lac = 1};

static void assert_msg_hex(struct msgb *msg, const char *hex)
{
	uint8_t want[512];
	long n = sg_hex_decode(hex, want, sizeof(want), "expected", NULL);

	assert_non_null(msg);
	assert_true(n > 0);
	assert_int_equal(msgb_length(msg), (size_t)n);
	assert_memory_equal(msgb_data(msg), want, (size_t)n);
	msgb_free(msg);
}

static size_t from_hex(const char *hex, uint8_t *out, size_t size)
{
	long n = sg_hex_decode(hex, out, size, "input", NULL);

	assert_true(n > 0);
	return (size_t)n;
}

/* Recipe section 9: LU-REQ, TMSI-REALLOCATION-COMPLETE, SERVICE-REQUEST as osmo-msc accepted them. */
static void test_mme_messages(void **state)
{
	(void)state;
	assert_msg_hex(sgs_build_lu_req(&ue), "09" IMSI_IE MME_IE "0a0101"
					      "040500f1100001");
	assert_msg_hex(sgs_build_tmsi_realloc_complete(&ue), "0c" IMSI_IE);
	assert_msg_hex(sgs_build_service_req(&ue, 2), "06" IMSI_IE "200102"
						      "250100");
	assert_msg_hex(sgs_build_paging_reject(&ue, 4), "02" IMSI_IE "080104");
	assert_msg_hex(sgs_build_imsi_detach(&ue, 1), "13" IMSI_IE MME_IE "110101");
	assert_msg_hex(sgs_build_reset_ack(&ue), "16" MME_IE);
}

static void test_mme_bad_identity(void **state)
{
	struct sgs_mme bad = ue;

	(void)state;
	snprintf(bad.imsi, sizeof(bad.imsi), "00101X");
	assert_null(sgs_build_lu_req(&bad));
	bad = ue;
	snprintf(bad.mme_name, sizeof(bad.mme_name), "%s", "");
	assert_null(sgs_build_lu_req(&bad));
}

/* SGsAP-STATUS (TS 29.118 8.18, IEs 9.4.6 / 9.4.18 / 9.4.3) for a refused message, with and without the IMSI. */
static void test_mme_status(void **state)
{
	static const uint8_t reject[] = {0x0b, 0x01, 0x08, 0x09, 0x10, 0x10, 0, 0, 0, 0, 0x10, 0x0f, 0x01, 0x03};
	static const uint8_t tmsi_cmpl[] = {0x0c, 0x01, 0x08, 0x09, 0x10, 0x10, 0, 0, 0, 0, 0x10};

	(void)state;
	/* cause 07 message not compatible with the protocol state, the LOCATION-UPDATE-REJECT in IE 1b */
	assert_msg_hex(sgs_build_status(&ue, SGSAP_SGS_CAUSE_MSG_INCOMP_STATE, reject, sizeof(reject)),
		       "1d" IMSI_IE "080107"
		       "1b0e"
		       "0b" IMSI_IE "0f0103");
	/* cause 0c message unknown, no IMSI */
	assert_msg_hex(sgs_build_status(NULL, SGSAP_SGS_CAUSE_MSG_UNKNOWN, tmsi_cmpl, 3), "1d08010c1b030c0108");
	/* what the VLR sends, what only the MME sends */
	assert_true(sgs_msg_to_mme(SGSAP_MSGT_LOC_UPD_ACK));
	assert_true(sgs_msg_to_mme(SGSAP_MSGT_RESET_ACK));
	assert_true(sgs_msg_to_mme(SGSAP_MSGT_STATUS));
	assert_false(sgs_msg_to_mme(SGSAP_MSGT_TMSI_REALL_CMPL));
	assert_false(sgs_msg_to_mme(SGSAP_MSGT_LOC_UPD_REQ));
	assert_false(sgs_msg_to_mme(0x44));
}

/* Recipe section 9, MT: CP-ACK then CP-DATA(RP-ACK MR 0) in UPLINK-UNITDATA. */
static void test_ue_mt_answers(void **state)
{
	struct msgb *nas;

	(void)state;
	nas = sms_build_cp_ack(true, 0);
	assert_msg_hex(sgs_build_ul_unitdata(&ue, msgb_data(nas), msgb_length(nas)), "08" IMSI_IE "16028904");
	msgb_free(nas);
	nas = sms_build_rp_report(true, 0, 0, 0, NULL, 0);
	assert_msg_hex(sgs_build_ul_unitdata(&ue, msgb_data(nas), msgb_length(nas)), "08" IMSI_IE "1605890102"
										     "0200");
	msgb_free(nas);
	/* RP-ERROR cause 111 with a deliver report (RP-User-Data IE 41) */
	assert_msg_hex(sms_build_rp_report(true, 3, 7, GSM411_RP_CAUSE_PROTOCOL_ERR, (const uint8_t *)"\x00\xd4", 2),
		       "b901"
		       "08"
		       "0407"
		       "016f"
		       "410200d4");
}

/* Recipe section 9, MO: RP-DATA MR 1, empty RP-OA, RP-DA 1999, SMS-SUBMIT to 12345 with UDH 027100. */
static void test_ue_mo_rp_data(void **state)
{
	uint8_t tpdu[32];
	size_t n = from_hex("410105812143f57ff607027100aabbccdd", tpdu, sizeof(tpdu));
	struct sg_error err;

	(void)state;
	assert_msg_hex(sms_build_rp_data(0, 1, "1999", tpdu, n, &err), "09011900010003919199114101"
								       "05812143f57ff607027100aabbccdd");
	assert_null(sms_build_rp_data(0, 1, "19a9", tpdu, n, &err));
	assert_non_null(strstr(err.msg, "service centre"));
	assert_null(sms_build_rp_data(0, 1, "1999", tpdu, 0, &err));
}

/* RP-Destination Address at its limit (TS 24.011 8.2.5.2: length octet, then at most 11 octets, TON/NPI and 10 of
 * BCD): 20 digits go out as 0b 91 + ten swapped digit pairs, 21 are refused naming the count and the limit. */
static void test_ue_mo_rp_da_limit(void **state)
{
	uint8_t tpdu[32];
	size_t n = from_hex("410105812143f57ff607027100aabbccdd", tpdu, sizeof(tpdu));
	struct sg_error err;

	(void)state;
	/* CP-DATA TI 0, RP length 0x21 = 2 + 1 (empty RP-OA) + 12 (RP-DA) + 1 + 17 (TPDU) */
	assert_msg_hex(sms_build_rp_data(0, 1, "12345678901234567890", tpdu, n, &err),
		       "090121"
		       "0001"
		       "00"
		       "0b9121436587092143658709"
		       "11"
		       "410105812143f57ff607027100aabbccdd");
	/* 19 digits: the last octet's high nibble is the filler F */
	assert_msg_hex(sms_build_rp_data(0, 1, "1234567890123456789", tpdu, n, &err),
		       "090121"
		       "0001"
		       "00"
		       "0b91214365870921436587f9"
		       "11"
		       "410105812143f57ff607027100aabbccdd");
	assert_null(sms_build_rp_data(0, 1, "123456789012345678901", tpdu, n, &err));
	assert_non_null(strstr(err.msg, "service centre address"));
	assert_non_null(strstr(err.msg, "21 digits"));
	assert_non_null(strstr(err.msg, "1 to 20"));
	assert_null(sms_build_rp_data(0, 1, "", tpdu, n, &err));
	assert_non_null(strstr(err.msg, "0 digits"));
	assert_int_equal(sms_rp_addr_check("12345678901234567890", "x", &err), 0);
	assert_int_equal(sms_rp_addr_check("1234567890123456789#", "x", &err), -1);
	assert_non_null(strstr(err.msg, "'#' is not a digit"));
}

/* What osmo-msc sends: libosmogsm's MSC-side encoders, one after another in one stream buffer. */
static void test_msc_stream(void **state)
{
	struct gsm29118_paging_req pr = {.imsi = "001010000000001", .vlr_name = "vlr.example", .serv_ind = 2};
	struct osmo_location_area_id lai = {.plmn = {.mcc = 1, .mnc = 1}, .lac = 1};
	uint8_t tmsi_mi[5] = {0xf4, 0x12, 0x34, 0x56, 0x78};
	struct msgb *m[3];
	uint8_t buf[600];
	size_t len = 0, off = 0;
	struct sgs_msg msg;
	struct sg_error err;
	uint32_t tmsi = 0;
	int i, n;

	(void)state;
	m[0] = gsm29118_create_lu_ack("001010000000001", &lai, tmsi_mi, sizeof(tmsi_mi));
	m[1] = gsm29118_create_paging_req(&pr);
	m[2] = gsm29118_create_release_req("001010000000001", 0);
	for (i = 0; i < 3; i++) {
		memcpy(buf + len, msgb_data(m[i]), msgb_length(m[i]));
		len += msgb_length(m[i]);
	}
	for (i = 0; i < 3; i++) {
		/* a message cut anywhere inside is not whole yet */
		assert_int_equal(sgs_msg_len(buf + off, 1, &err), 0);
		n = sgs_msg_len(buf + off, len - off, &err);
		assert_int_equal(n, (int)msgb_length(m[i]));
		assert_int_equal(sgs_msg_decode(buf + off, (size_t)n, &msg, &err), 0);
		assert_string_equal(msg.imsi, "001010000000001");
		if (i == 0) {
			assert_int_equal(msg.type, SGSAP_MSGT_LOC_UPD_ACK);
			assert_int_equal(sgs_msg_new_tmsi(&msg, &tmsi), 1);
			assert_int_equal(tmsi, 0x12345678);
		} else if (i == 1) {
			assert_int_equal(msg.type, SGSAP_MSGT_PAGING_REQ);
			assert_int_equal(*TLVP_VAL(&msg.ies, SGSAP_IE_SERVICE_INDICATOR), 2);
		}
		off += (size_t)n;
		msgb_free(m[i]);
	}
	assert_int_equal(off, len);
	assert_int_equal(sgs_msg_len(buf, 0, &err), 0);

	/* a STATUS without the (optional) IMSI, as osmo-msc sends for a message that had none; one with it, where
	 * libosmogsm puts it (after the cause) */
	len = from_hex("1d0801071b020c00", buf, sizeof(buf));
	assert_int_equal(sgs_msg_len(buf, len, &err), (int)len);
	assert_int_equal(sgs_msg_decode(buf, len, &msg, &err), 0);
	assert_string_equal(msg.imsi, "");
	assert_int_equal(*TLVP_VAL(&msg.ies, SGSAP_IE_SGS_CAUSE), SGSAP_SGS_CAUSE_MSG_INCOMP_STATE);
	m[0] = gsm29118_create_status("001010000000001", SGSAP_SGS_CAUSE_SEMANT_INCORR_MSG, NULL);
	assert_int_equal(sgs_msg_len(msgb_data(m[0]), msgb_length(m[0]), &err), (int)msgb_length(m[0]));
	assert_int_equal(sgs_msg_decode(msgb_data(m[0]), msgb_length(m[0]), &msg, &err), 0);
	assert_string_equal(msg.imsi, "001010000000001");
	msgb_free(m[0]);
	/* but not one without its cause */
	len = from_hex("1d" IMSI_IE "1b020c00", buf, sizeof(buf));
	assert_int_equal(sgs_msg_len(buf, len, &err), -1);
	assert_non_null(strstr(err.msg, "SGS-CAUSE"));
}

/* Recipe section 8: the SMS-DELIVER osmo-msc delivered, RP-OA 447785016005, in a DOWNLINK-UNITDATA. */
static void test_msc_mt_sms(void **state)
{
	static const char dl[] = "07" IMSI_IE "162a"
				 "0901"
				 "27"
				 "0105"
				 "0791447758100650"
				 "00"
				 "1b"
				 "6005912143f57ff6"
				 "62113201000000"
				 "0b0270000123456789abcdef";
	/* RP-DATA N->MS MR 5, RP-OA, empty RP-DA, a one-byte TPDU */
	static const struct {
		const char *hex, *oa;
	} oa_limit[] = {
		{"0105"
		 "0b9121436587092143658709"
		 "00"
		 "0100",
		 "12345678901234567890"},
		{"0105"
		 "0b91214365870921436587f9"
		 "00"
		 "0100",
		 "1234567890123456789"},
		{"0105"
		 "0c912143658709214365870921"
		 "00"
		 "0100",
		 NULL},
	};
	uint8_t buf[128];
	size_t i, n = from_hex(dl, buf, sizeof(buf));
	struct sgs_msg m;
	struct sms_cp cp;
	struct sms_rp rp;
	struct sg_error err;

	(void)state;
	assert_int_equal(sgs_msg_len(buf, n, &err), (int)n);
	assert_int_equal(sgs_msg_decode(buf, n, &m, &err), 0);
	assert_int_equal(sms_cp_decode(TLVP_VAL(&m.ies, SGSAP_IE_NAS_MSG_CONTAINER),
				       TLVP_LEN(&m.ies, SGSAP_IE_NAS_MSG_CONTAINER), &cp, &err),
			 0);
	assert_false(cp.ti_flag);
	assert_int_equal(cp.type, GSM411_MT_CP_DATA);
	assert_int_equal(sms_rp_decode(cp.rp, cp.rp_len, &rp, &err), 0);
	assert_int_equal(rp.type, GSM411_MT_RP_DATA_MT);
	assert_int_equal(rp.mr, 5);
	assert_string_equal(rp.oa, "447785016005");
	assert_string_equal(rp.da, "");
	assert_int_equal(rp.ud_len, 27);
	assert_int_equal(rp.ud[0], 0x60);
	assert_int_equal(rp.ud[rp.ud_len - 1], 0xef);

	/* RP-OA at its limit: 11 octets, TON/NPI 91 and 20 digits; 19 digits with the filler; 12 octets refused */
	for (i = 0; i < sizeof(oa_limit) / sizeof(oa_limit[0]); i++) {
		n = from_hex(oa_limit[i].hex, buf, sizeof(buf));
		assert_int_equal(sms_rp_decode(buf, n, &rp, &err), oa_limit[i].oa ? 0 : -1);
		if (oa_limit[i].oa)
			assert_string_equal(rp.oa, oa_limit[i].oa);
		else
			assert_non_null(strstr(err.msg, "originator address of 12 bytes: 11 at most"));
	}

	/* the network's RP-ACK for an MO (TI flag set) and RP-ERROR cause 38 with a diagnostic */
	n = from_hex("89010203"
		     "01",
		     buf, sizeof(buf));
	assert_int_equal(sms_cp_decode(buf, n, &cp, &err), 0);
	assert_true(cp.ti_flag);
	assert_int_equal(sms_rp_decode(cp.rp, cp.rp_len, &rp, &err), 0);
	assert_int_equal(rp.type, GSM411_MT_RP_ACK_MT);
	assert_int_equal(rp.mr, 1);
	n = from_hex("0501"
		     "022601",
		     buf, sizeof(buf));
	assert_int_equal(sms_rp_decode(buf, n, &rp, &err), 0);
	assert_int_equal(rp.cause, 38);
}

static void test_bad_input(void **state)
{
	static const char *const bad_cp[] = {"09", "0801", "090105010102", "0901010a", "0910", "0977"};
	static const char *const bad_rp[] = {
		"01",
		"01050c91112233445566778899001100", /* RP-OA of 12 bytes */
		"010503914477",
		"01050091",
		"0105000000", /* runs past, no user data */
		"0301"
		"42",
		"0501",
		"050102",
		"0701", /* unknown IE, cause missing, type 7 */
	};
	uint8_t buf[64];
	struct sms_cp cp;
	struct sms_rp rp;
	struct sgs_msg m;
	struct sg_error err;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad_cp) / sizeof(bad_cp[0]); i++) {
		n = from_hex(bad_cp[i], buf, sizeof(buf));
		assert_int_equal(sms_cp_decode(buf, n, &cp, &err), -1);
	}
	for (i = 0; i < sizeof(bad_rp) / sizeof(bad_rp[0]); i++) {
		n = from_hex(bad_rp[i], buf, sizeof(buf));
		assert_int_equal(sms_rp_decode(buf, n, &rp, &err), -1);
	}
	/* not a message type the MME takes; a mandatory IE missing or passed over; an IMSI IE too long; an IMSI that is
	 * a TMSI */
	n = from_hex("4401", buf, sizeof(buf));
	assert_int_equal(sgs_msg_len(buf, n, &err), -1);
	assert_non_null(strstr(err.msg, "0x44"));
	n = from_hex("07" IMSI_IE "07", buf, sizeof(buf));
	assert_int_equal(sgs_msg_len(buf, n, &err), -1);
	assert_non_null(strstr(err.msg, "mandatory"));
	/* a PAGING-REQUEST whose TMSI stands where the VLR name and the service indicator must be */
	n = from_hex("01" IMSI_IE "0304f4123456", buf, sizeof(buf));
	assert_int_equal(sgs_msg_len(buf, n, &err), -1);
	assert_non_null(strstr(err.msg, "VLR"));
	n = from_hex("1b0109091010000000001000", buf, sizeof(buf));
	assert_int_equal(sgs_msg_decode(buf, n, &m, &err), -1);
	n = from_hex("1b0105f412345678", buf, sizeof(buf));
	assert_int_equal(sgs_msg_decode(buf, n, &m, &err), -1);
	assert_non_null(strstr(err.msg, "IMSI"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mme_messages),  cmocka_unit_test(test_mme_bad_identity),
		cmocka_unit_test(test_mme_status),    cmocka_unit_test(test_ue_mt_answers),
		cmocka_unit_test(test_ue_mo_rp_data), cmocka_unit_test(test_ue_mo_rp_da_limit),
		cmocka_unit_test(test_msc_stream),    cmocka_unit_test(test_msc_mt_sms),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
