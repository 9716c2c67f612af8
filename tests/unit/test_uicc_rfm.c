/* Remote file management (ETSI TS 102 226 compact format) on the RFM TARs: scripts of command APDUs, the PoR data
 * "commands executed || last SW || last response data", execution stopping at the first error, GET RESPONSE for
 * the data of a SELECT, updates that persist, and a remote session that leaves the terminal's alone.
 * Expected PoRs: hand-written bytes for unsecured PoRs; the CC-secured one computed with the OpenSSL command line
 * (`openssl enc -des-ede-cbc -nopad -iv 0`, last block over the zero-padded input of secured-packets.md §6). */
#include "test_uicc_ota_harness.h"

#include "uicc/rfm.h"

#define RFM_PROFILE                                                                                                    \
	"{\"ota\": {\"keysets\": ["                                                                                       \
	"{\"kvn\": 1, \"kic\": {\"alg\": \"3des2\", \"key\": \"" K1_KIC "\"}, \"kid\": {\"alg\": \"3des2\", \"key\": \"" \
	K1_KID "\"}}],"                                                                                                \
	"\"counters\": [{\"kvn\": 1, \"value\": 0}, {\"kvn\": 1, \"tar\": \"B00011\", \"value\": 5}],"                   \
	"\"tars\": [{\"tar\": \"C10001\", \"app\": \"antitheft\", \"msl\": \"16\"},"                                      \
	"{\"tar\": \"B00010\", \"app\": \"rfm-uicc\", \"msl\": \"00\"},"                                                 \
	"{\"tar\": \"B00011\", \"app\": \"rfm-usim\", \"msl\": \"12\", \"kvns\": [1]}]}}"

/* Script on B00010 without security (SPI 00 01: PoR always, unsecured); the PoR's bytes. */
static void run_plain(struct tcard *t, const char *script, uint8_t *por, size_t *por_len)
{
	uint8_t s[300], pkt[SP_MAX_PACKET];
	struct h_session hs;
	size_t n = h_hex(script, s, sizeof(s));

	n = h_packet("0001", 0x00, 0x00, "B00010", 0, s, n, NULL, NULL, SP_DIALECT_SMS, pkt);
	h_send(t, pkt, n, por, por_len, &hs);
}

static void test_read_iccid_unsecured(void **state)
{
	uint8_t por[300];
	size_t por_len;
	struct tcard t = { 0 };

	h_card(&t, RFM_PROFILE);
	/* SELECT EF.ICCID (no FCP), READ BINARY 10 */
	run_plain(&t, "00A4000C022FE2" "00B000000A", por, &por_len);
	h_assert_hex(por, por_len, "0271000018" "0A" "B00010" "0000000000" "00" "00" "029000" "98881201000000000" "0F3");
	tcard_cleanup(&t);
}

static void test_usim_cc_secured(void **state)
{
	uint8_t s[32], pkt[SP_MAX_PACKET], por[300];
	struct h_session hs;
	struct tcard t = { 0 };
	size_t n, por_len;

	h_card(&t, RFM_PROFILE);
	/* rfm-usim starts in ADF.USIM: SELECT EF.AD, READ BINARY 4; CC + counter higher (its own counter, 5) */
	n = h_hex("00A4000C026FAD" "00B0000004", s, sizeof(s));
	n = h_packet("1209", 0x15, 0x15, "B00011", 6, s, n, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	h_send(&t, pkt, n, por, &por_len, &hs);
	h_assert_hex(por, por_len, "027100001A12B000110000000006000045FDFA38F621647E02900000000002");
	/* the counter of B00011 is its own: keyset 1's other counter did not move */
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xB0\x00\x11"), 6);
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 0);
	tcard_cleanup(&t);
}

static void test_stops_at_error(void **state)
{
	uint8_t por[300];
	size_t por_len;
	struct tcard t = { 0 };

	h_card(&t, RFM_PROFILE);
	run_plain(&t, "00A4000C026F99" "00B0000004", por, &por_len);
	h_assert_hex(por + 16, por_len - 16, "016A82");
	/* a script cut short: the broken command counts and answers 6700 */
	run_plain(&t, "00A4000C022FE2" "00B000", por, &por_len);
	h_assert_hex(por + 16, por_len - 16, "026700");
	tcard_cleanup(&t);
}

static void test_select_get_response(void **state)
{
	uint8_t por[300], fcp[256];
	size_t por_len, fcp_len;
	struct tcard t = { 0 };
	char script[64], sw[8];
	uint16_t sel;

	h_card(&t, RFM_PROFILE);
	/* what the terminal sees for SELECT EF.ICCID with FCP */
	sel = tx(&t, "00A40004022FE2");
	assert_int_equal(sel >> 8, 0x61);
	assert_int_equal(tx(&t, "00C0000000"), 0x9000);
	fcp_len = t.rsp_len - 2;
	assert_int_equal(fcp_len, sel & 0xFF);
	memcpy(fcp, t.rsp, fcp_len);
	/* over RFM the SELECT answers 61xx and GET RESPONSE picks the same FCP up */
	run_plain(&t, "00A40004022FE2", por, &por_len);
	snprintf(sw, sizeof(sw), "01%04X", sel);
	h_assert_hex(por + 16, por_len - 16, sw);
	snprintf(script, sizeof(script), "00A40004022FE2" "00C00000%02X", sel & 0xFF);
	run_plain(&t, script, por, &por_len);
	assert_int_equal(por[16], 2);
	assert_memory_equal(por + 17, "\x90\x00", 2);
	assert_int_equal(por_len - 19, fcp_len);
	assert_memory_equal(por + 19, fcp, fcp_len);
	/* GET RESPONSE with nothing to get */
	run_plain(&t, "00C0000010", por, &por_len);
	h_assert_hex(por + 16, por_len - 16, "016985");
	tcard_cleanup(&t);
}

/* An ADM file updated over the air persists; the terminal's own session is not touched. */
static void test_update_persists(void **state)
{
	uint8_t por[300];
	size_t por_len;
	struct tcard t = { 0 };

	h_card(&t, RFM_PROFILE);
	assert_int_equal(tx(&t, "00A4080C047FFF6F46"), 0x9000); /* terminal: EF.SPN */
	assert_int_equal(tx(&t, "00D6000003414243"), 0x6982);  /* needs ADM */
	run_plain(&t, "00A4080C047FFF6F46" "00D600000401414243" "00B0000004", por, &por_len);
	h_assert_hex(por + 16, por_len - 16, "03900001414243");
	h_reopen(&t, RFM_PROFILE);
	assert_int_equal(tx(&t, "00A4080C047FFF6F46"), 0x9000);
	assert_int_equal(tx(&t, "00B0000004"), 0x9000);
	h_assert_hex(t.rsp, 4, "01414243");
	/* the terminal's current file stays current through an RFM script that selects elsewhere */
	run_plain(&t, "00A4000C022FE2", por, &por_len);
	assert_int_equal(tx(&t, "00B0000001"), 0x9000);
	assert_int_equal(t.rsp[0], 0x01);
	tcard_cleanup(&t);
}

/* The PoR is only as long as one response data can carry: a large read is cut, still a valid PoR. */
static void test_large_read(void **state)
{
	struct ota_reply r;
	struct tcard t = { 0 };
	uint8_t s[] = { 0x00, 0xA4, 0x08, 0x0C, 0x04, 0x7F, 0xFF, 0x6F, 0x3C, 0x00, 0xB2, 0x01, 0x04, 0xB0 };

	h_card(&t, RFM_PROFILE);
	memset(&r, 0, sizeof(r));
	rfm_run(t.card, s, sizeof(s), false, &r);
	assert_int_equal(r.len, 3 + 176);
	assert_memory_equal(r.data, "\x02\x90\x00", 3);
	tcard_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_iccid_unsecured), cmocka_unit_test(test_usim_cc_secured),
		cmocka_unit_test(test_stops_at_error),	     cmocka_unit_test(test_select_get_response),
		cmocka_unit_test(test_update_persists),	     cmocka_unit_test(test_large_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
