/* Per-command APDU tests of the card core (TS 102 221 / ISO 7816-4): SELECT and FCPs, STATUS, READ/UPDATE BINARY
 * and RECORD, PIN commands, class and length errors, GET RESPONSE and the CAT command shaping (61xx, 91xx, 6Cxx).
 * Expected file encodings are the published ones (ICCID and IMSI as pySim's enc_iccid / enc_imsi produce them). */
#include "test_uicc_util.h"
#include "test_uicc_toolkit_double.h"

#define USIM_AID "A0000000871002FFFFFFFF8907090000"
#define PIN_OK       \
	"0020000108" \
	"31323334FFFFFFFF"
#define PIN_BAD      \
	"0020000108" \
	"39393939FFFFFFFF"
#define ADM_OK       \
	"0020000A08" \
	"3838383838383838"

static int setup(void **state)
{
	struct tcard *t = calloc(1, sizeof(*t));

	td_check_linked();
	tcard_init(t);
	td_pending = 0;
	td_auth_allowed = true;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tcard_cleanup(*state);
	free(*state);
	return 0;
}

/* Does the FCP (in t->rsp) contain this TLV (hex) somewhere? */
static bool fcp_has(struct tcard *t, const char *tlv_hex)
{
	return strstr(rsp_hex(t), tlv_hex) != NULL;
}

static void get_fcp(struct tcard *t, const char *select_hex)
{
	uint16_t sw = tx(t, select_hex);
	char gr[16];

	assert_int_equal(sw & 0xFF00, 0x6100);
	snprintf(gr, sizeof(gr), "00C00000%02X", sw & 0xFF);
	assert_sw(t, gr, 0x9000);
	assert_int_equal(t->rsp[0], 0x62);
	assert_int_equal(t->rsp[1], t->rsp_len - 4);
}

static void select_mf(void **state)
{
	struct tcard *t = *state;

	get_fcp(t, "00A40004023F00");
	assert_true(fcp_has(t, "82027821"));
	assert_true(fcp_has(t, "83023F00"));
	assert_true(fcp_has(t, "8A0105"));
	assert_true(fcp_has(t, "C60C9001C0")); /* PIN1 enabled, ADM1 present */
	/* ISO style P2 00 gets the FCP too; P2 0C nothing */
	assert_int_equal(tx(t, "00A40000023F00") & 0xFF00, 0x6100);
	assert_sw(t, "00A4000C023F00", 0x9000);
	assert_int_equal(t->rsp_len, 2);
	/* SELECT with no data selects the MF */
	assert_sw(t, "00A4000C", 0x9000);
}

static void select_adf_by_aid(void **state)
{
	struct tcard *t = *state;

	get_fcp(t, "00A4040410" USIM_AID "00");
	assert_true(fcp_has(t, "8410" USIM_AID));
	/* partial AID: RID + application code */
	assert_int_equal(tx(t, "00A4040C07A0000000871002"), 0x9000);
	assert_sw(t, "00A4040C07A0000000871003", 0x6A82);
	assert_sw(t, "00A4040C04A0000000", 0x6A82); /* shorter than a RID */
	/* next occurrence of the only application */
	assert_sw(t, "00A4040E07A0000000871002", 0x6A82);
	/* 7FFF is the current application once selected */
	assert_sw(t, "00A4000C027FFF", 0x9000);
	assert_sw(t, "00A4000C026F07", 0x9000);
}

static void select_path_and_ef_fcp(void **state)
{
	struct tcard *t = *state;

	get_fcp(t, "00A40804047FFF6F07");
	assert_true(fcp_has(t, "82024121"));
	assert_true(fcp_has(t, "83026F07"));
	assert_true(fcp_has(t, "80020009"));
	assert_true(fcp_has(t, "880138"));   /* SFI 07 */
	assert_true(fcp_has(t, "8B036F06")); /* rule in the ADF's EF.ARR */
	get_fcp(t, "00A40804047F106F3A");
	assert_true(fcp_has(t, "8205422100"
			       "1E32")); /* linear fixed, 50 records of 30 bytes */
	/* path from the current DF (DF.TELECOM) */
	assert_sw(t, "00A4090C026F40", 0x9000);
	/* a path including 3F00 is tolerated */
	assert_sw(t, "00A4080C063F007F106F3A", 0x9000);
}

static void select_errors(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, "00A4000C026F99", 0x6A82);
	assert_sw(t, "00A4000C036F0700", 0x6700);
	assert_sw(t, "00A4020C026F07", 0x6A86);
	assert_sw(t, "00A40010023F00", 0x6A86);
	assert_sw(t, "00A408040300FF00", 0x6700);
	/* 7FFF before any application was selected */
	assert_sw(t, "00A4000C027FFF", 0x6A82);
	/* an EF of DF.TELECOM is not reachable from the MF by FID alone */
	assert_sw(t, "00A4000C026F3A", 0x6A82);
}

static void read_iccid(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, "00A4000C022FE2", 0x9000);
	assert_sw(t, "00B000000A", 0x9000);
	assert_string_equal(rsp_hex(t), "988812010000000000F3");
	/* by SFI 02 from the MF */
	assert_sw(t, "00A4000C023F00", 0x9000);
	assert_sw(t, "00B0820505", 0x9000);
	assert_string_equal(rsp_hex(t), "00000000F3");
	assert_sw(t, "00B0821005", 0x6B00 | 0); /* offset 16 beyond 10 bytes */
}

static void read_binary_lengths(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, "00A4000C022FE2", 0x9000);
	assert_sw(t, "00B0000810", 0x6282); /* two bytes left of 16 asked */
	assert_string_equal(rsp_hex(t), "00F3");
	assert_sw(t, "00B0000800", 0x9000); /* Le 00: up to 256 */
	assert_string_equal(rsp_hex(t), "00F3");
	assert_sw(t, "00B0000A01", 0x6B00);
	assert_sw(t, "00B00000", 0x6700);     /* no Le */
	assert_sw(t, "00B0000001AA", 0x6700); /* data on a read */
	assert_sw(t, "00B0E00001", 0x6B00);   /* P1 b8 with b7/b6 set */
	/* no current EF */
	assert_sw(t, "00A4000C023F00", 0x9000);
	assert_sw(t, "00B0000001", 0x6986);
	/* READ BINARY on a record file */
	assert_sw(t, "00A4000C022F00", 0x9000);
	assert_sw(t, "00B0000001", 0x6981);
}

static void imsi_needs_pin(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, "00A4080C047FFF6F07", 0x9000);
	assert_sw(t, "00B0000009", 0x6982);
	assert_sw(t, PIN_OK, 0x9000);
	assert_sw(t, "00B0000009", 0x9000);
	assert_string_equal(rsp_hex(t), "080910100000000010");
	/* EF.AD is readable always: MNC length 2 */
	assert_sw(t, "00A4000C026FAD", 0x9000);
	assert_sw(t, "00B0000004", 0x9000);
	assert_string_equal(rsp_hex(t), "00000002");
}

static void ust_services(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, PIN_OK, 0x9000);
	assert_sw(t, "00A4080C047FFF6F38", 0x9000);
	assert_sw(t, "00B000000A", 0x9000);
	/* service n is byte (n-1)/8 bit (n-1)%8: SMS-PP download 28 -> byte 3 bit 3, USSD download 70 -> byte 8
	 * bit 5 */
	assert_true(t->rsp[3] & 0x08);
	assert_true(t->rsp[8] & 0x20);
	assert_true(t->rsp[1] & 0x02); /* SMS 10 */
	assert_true(t->rsp[4] & 0x01); /* 33: shall be set */
}

static void update_binary_rights(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, PIN_OK, 0x9000);
	assert_sw(t, "00A4080C047FFF6F07", 0x9000);
	assert_sw(t, "00D6000001AA", 0x6982); /* EF.IMSI needs ADM */
	assert_sw(t, "0020000A083838383838383839", 0x63C9);
	assert_sw(t, ADM_OK, 0x9000);
	assert_sw(t, "00D60008020000", 0x6700); /* runs past the end */
	assert_sw(t, "00D6000901AA", 0x6B00);	/* offset at the end */
	assert_sw(t, "00D6000801AA", 0x9000);
	assert_sw(t, "00B0000801", 0x9000);
	assert_string_equal(rsp_hex(t), "AA");
	/* EF.ICCID can never be updated (and is not reachable by FID from the ADF: path from the MF) */
	assert_sw(t, "00A4000C022FE2", 0x6A82);
	assert_sw(t, "00A4080C022FE2", 0x9000);
	assert_sw(t, "00D6000001AA", 0x6982);
}

static void update_binary_persists(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, PIN_OK, 0x9000);
	assert_sw(t, "00A4040C07A0000000871002", 0x9000);
	assert_sw(t, "00A4000C026F7E", 0x9000);
	assert_sw(t,
		  "00D600000B"
		  "11223344"
		  "00F1100001"
		  "FF"
		  "00",
		  0x9000);
	/* across a reset the file stays, the PIN verification does not */
	uicc_card_reset(t->card);
	assert_sw(t, "00A4080C047FFF6F7E", 0x9000);
	assert_sw(t, "00B000000B", 0x6982);
	/* and across a new process (card reopened from the image) */
	tcard_close(t);
	tcard_open(t);
	assert_sw(t, PIN_OK, 0x9000);
	assert_sw(t, "00A4080C047FFF6F7E", 0x9000);
	assert_sw(t, "00B000000B", 0x9000);
	assert_string_equal(rsp_hex(t), "1122334400F1100001FF00");
}

static void records(void **state)
{
	struct tcard *t = *state;
	char cmd[128];

	assert_sw(t, PIN_OK, 0x9000);
	assert_sw(t, "00A4080C047F106F3A", 0x9000);
	assert_sw(t, "00B201041E", 0x9000);
	assert_string_equal(rsp_hex(t), "4F776E6572FFFFFFFFFFFFFFFFFFFFFF07915155100090F9FFFFFFFFFFFF");
	assert_sw(t, "00B2010410", 0x6C1E); /* T=0: wrong Le, exact length announced */
	assert_sw(t, "00B2010400", 0x9000);
	assert_sw(t, "00B233041E", 0x6A83); /* record 51 of 50 */
	assert_sw(t, "00B200041E", 0x6A83); /* current record: none yet */
	/* next / previous */
	assert_sw(t, "00B200021E", 0x9000); /* next from none -> 1 */
	assert_int_equal(t->rsp[0], 0x4F);
	assert_sw(t, "00B200021E", 0x9000); /* 2 */
	assert_int_equal(t->rsp[0], 0xFF);
	assert_sw(t, "00B200041E", 0x9000); /* current = 2 */
	assert_sw(t, "00B200031E", 0x9000); /* previous -> 1 */
	assert_sw(t, "00B200031E", 0x6A83); /* before 1 on a linear file */
	assert_sw(t, "00B201051E", 0x6A86); /* bad mode */
	/* update */
	snprintf(cmd, sizeof(cmd), "00DC02041E%s",
		 "42"
		 "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
		 "0381214300FFFFFFFFFFFFFFFFFF");
	assert_sw(t, cmd, 0x9000);
	assert_sw(t, "00B202041E", 0x9000);
	assert_int_equal(t->rsp[0], 0x42);
	assert_sw(t, "00DC020403010203", 0x6700);
	assert_sw(t,
		  "00DC33041E"
		  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
		  0x6A83);
	/* SFI addressing: EF.SMS has none, EF.DIR (SFI 1E) in the MF does */
	assert_sw(t, "00A4000C023F00", 0x9000);
	assert_sw(t, "00B201F426", 0x9000);
	assert_int_equal(t->rsp[0], 0x61);
	assert_memory_equal(t->rsp + 20, "\x50\x04USIM", 6);
	/* READ RECORD on a transparent file */
	assert_sw(t, "00A4000C022FE2", 0x9000);
	assert_sw(t, "00B2010400", 0x6981);
}

static void pin_retries_and_unblock(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, "0020000100", 0x63C3); /* retry query (T=0 form with P3 = 00) */
	assert_sw(t, "00200001", 0x63C3);   /* case 1 */
	assert_sw(t, PIN_BAD, 0x63C2);
	assert_sw(t, PIN_BAD, 0x63C1);
	assert_sw(t, PIN_OK, 0x9000);	  /* a right PIN restores the counter */
	assert_sw(t, "00200001", 0x9000); /* verified */
	uicc_card_reset(t->card);
	assert_sw(t, "00200001", 0x63C3);
	assert_sw(t, PIN_BAD, 0x63C2);
	assert_sw(t, PIN_BAD, 0x63C1);
	assert_sw(t, PIN_BAD, 0x63C0);
	assert_sw(t, PIN_OK, 0x6983); /* blocked, even with the right PIN */
	assert_sw(t, "00200001", 0x6983);
	/* blocked survives a new process */
	tcard_close(t);
	tcard_open(t);
	assert_sw(t, PIN_OK, 0x6983);
	/* UNBLOCK: retry query, wrong PUK, right PUK with a new PIN */
	assert_sw(t, "002C0001", 0x63CA);
	assert_sw(t,
		  "002C000110"
		  "3132333435363739"
		  "35363738FFFFFFFF",
		  0x63C9);
	assert_sw(t,
		  "002C000110"
		  "3132333435363738"
		  "3536FFFFFFFFFFFF",
		  0x6A80); /* new PIN too short */
	assert_sw(t,
		  "002C000110"
		  "3132333435363738"
		  "35363738FFFFFFFF",
		  0x9000);
	assert_sw(t, "002C0001", 0x63CA);
	assert_sw(t, "00200001", 0x9000);
	uicc_card_reset(t->card);
	assert_sw(t, PIN_OK, 0x63C2);
	assert_sw(t, "002000010835363738FFFFFFFF", 0x9000);
}

static void pin_change_disable_enable(void **state)
{
	struct tcard *t = *state;

	assert_sw(t,
		  "0024000110"
		  "31323334FFFFFFFF"
		  "3030303030303030",
		  0x9000);
	uicc_card_reset(t->card);
	assert_sw(t, PIN_OK, 0x63C2);
	assert_sw(t, "00200001083030303030303030", 0x9000);
	assert_sw(t,
		  "0024000110"
		  "31323334FFFFFFFF"
		  "3030303030303030",
		  0x63C2);
	assert_sw(t, "002400010831323334FFFFFFFF", 0x6700);
	/* disable: afterwards PIN1 files are readable without VERIFY */
	assert_sw(t, "00260001083030303030303030", 0x9000);
	assert_sw(t, "00260001083030303030303030", 0x6985);
	assert_sw(t,
		  "0024000110"
		  "3030303030303030"
		  "31323334FFFFFFFF",
		  0x6984);
	uicc_card_reset(t->card);
	assert_sw(t, "00A4080C047FFF6F07", 0x9000);
	assert_sw(t, "00B0000009", 0x9000);
	get_fcp(t, "00A40004023F00");
	assert_true(fcp_has(t, "C60C900140")); /* PIN1 disabled in the PIN status template */
	/* enable again */
	assert_sw(t, "00280001083030303030303030", 0x9000);
	uicc_card_reset(t->card);
	assert_sw(t, "00A4080C047FFF6F07", 0x9000);
	assert_sw(t, "00B0000009", 0x6982);
}

static void pin_errors(void **state)
{
	struct tcard *t = *state;

	assert_sw(t,
		  "0020000208"
		  "31323334FFFFFFFF",
		  0x6A88); /* no such key reference */
	assert_sw(t,
		  "0020010108"
		  "31323334FFFFFFFF",
		  0x6B00);
	assert_sw(t, "002000010431323334", 0x6700);
	assert_sw(t, "00200001", 0x63C3); /* nothing was counted */
}

static void status_cmd(void **state)
{
	struct tcard *t = *state;
	uint16_t sw;

	assert_sw(t, "00A4040C07A0000000871002", 0x9000);
	sw = tx(t, "80F2000000");
	assert_int_equal(sw, 0x9000);
	assert_int_equal(t->rsp[0], 0x62);
	assert_true(fcp_has(t, "8410" USIM_AID));
	assert_sw(t, "80F2000112", 0x9000);
	assert_string_equal(rsp_hex(t), "8410" USIM_AID);
	assert_sw(t, "80F2000105", 0x6C12);
	assert_sw(t, "80F2000C", 0x9000);
	assert_sw(t, "80F2000500", 0x6A86);
	assert_sw(t, "80F2030000", 0x6A86);
}

static void class_and_instruction_errors(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, "A0A40000023F00", 0x6E00); /* 2G SIM class */
	assert_sw(t, "80A40004023F00", 0x6E00); /* SELECT is an ISO command */
	assert_sw(t, "00F2000000", 0x6E00);	/* STATUS is a TS 102 221 command */
	assert_sw(t, "01A40004023F00", 0x6881); /* logical channel 1 */
	assert_sw(t, "44A40004023F00", 0x6881);
	assert_sw(t, "0CA40004023F00", 0x6882); /* secure messaging */
	assert_sw(t, "00FE000000", 0x6D00);
	assert_sw(t, "00B1000000", 0x6D00);
	assert_sw(t, "00700000", 0x6A81); /* MANAGE CHANNEL */
	assert_sw(t, "FFA40004023F00", 0x6E00);
}

static void length_errors(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, "00A4", 0x6700);
	assert_sw(t, "00A40004033F00", 0x6700);	  /* Lc 3, 2 bytes */
	assert_sw(t, "00A40004013F00AA", 0x6700); /* bytes after Le */
	assert_sw(t,
		  "00A4000400000002"
		  "3F00",
		  0x6700); /* extended length */
	assert_sw(t,
		  "00B0000000"
		  "0100",
		  0x6700); /* extended Le */
}

static void get_response_rules(void **state)
{
	struct tcard *t = *state;
	uint16_t sw;
	size_t total;

	assert_sw(t, "00C0000010", 0x6985); /* nothing to give */
	sw = tx(t, "00A40004023F00");
	total = sw & 0xFF;
	assert_int_equal(sw >> 8, 0x61);
	assert_int_equal(tx(t, "00C00000FF"), 0x6C00 | total); /* more than there is */
	assert_sw(t, "00C0000005", 0x6100 | (total - 5));      /* part of it */
	assert_int_equal(t->rsp[0], 0x62);
	assert_sw(t, "80C0000000", 0x9000); /* the rest, CLA 80 as Java sends it */
	assert_int_equal(t->rsp_len - 2, total - 5);
	assert_sw(t, "00C0000001", 0x6985);
	/* any other command drops the pending data */
	tx(t, "00A40004023F00");
	assert_sw(t, "00A4000C023F00", 0x9000);
	assert_sw(t, "00C0000001", 0x6985);
	assert_sw(t, "00C0010001", 0x6B00);
}

static void cat_shaping(void **state)
{
	struct tcard *t = *state;

	assert_sw(t, "8010000003FFFFFF", 0x9000);
	assert_sw(t, "0010000003FFFFFF", 0x6E00);
	assert_sw(t, "8010010003FFFFFF", 0x6B00);
	assert_sw(t, "80100000", 0x6700);
	/* ENVELOPE with data: 61xx, then GET RESPONSE */
	assert_sw(t, "80C2000003D10100", 0x6103);
	assert_sw(t, "80C0000003", 0x9000);
	assert_string_equal(rsp_hex(t), "027100");
	/* ENVELOPE raising a proactive command: 91xx, here and on later commands until it is fetched */
	assert_sw(t, "80C2000003D30100", 0x9110);
	assert_sw(t, "80F2000C", 0x9110);
	assert_sw(t, "8012000008", 0x6C10); /* wrong Le does not consume it */
	assert_sw(t, "8012000010", 0x9000);
	assert_int_equal(t->rsp[0], 0xD0);
	assert_int_equal(t->rsp_len, 18);
	assert_sw(t, "801400000C810301210082028281830100", 0x9000);
	assert_int_equal(td_last_tr_len, 12);
	assert_sw(t, "80F2000C", 0x9000);
	/* busy */
	assert_sw(t, "80C2000002E000", 0x9300);
	/* envelope data + pending proactive command: 61xx first, 91xx after GET RESPONSE */
	td_pending = 20;
	assert_sw(t, "80C2000003D10100", 0x6103);
	assert_sw(t, "00C0000003", 0x9114);
	td_pending = 0;
	/* a reset clears the toolkit session */
	td_pending = 20;
	uicc_card_reset(t->card);
	assert_sw(t, "80F2000C", 0x9000);
}

static void unpowered_card(void **state)
{
	struct tcard *t = *state;
	uint8_t rsp[UICC_RSP_MAX];
	size_t len = sizeof(rsp);

	uicc_card_power_off(t->card);
	assert_int_equal(uicc_card_apdu(t->card, (const uint8_t *)"\x00\xA4\x00\x0C", 4, rsp, &len), -1);
	uicc_card_power_on(t->card);
	len = 1;
	assert_int_equal(uicc_card_apdu(t->card, (const uint8_t *)"\x00\xA4\x00\x0C", 4, rsp, &len), -1);
}

static void trace_redaction(void **state)
{
	struct tcard *t = *state;
	uint8_t out[64];
	size_t n;

	tx(t, PIN_OK);
	n = uicc_card_trace_redact(t->card,
				   (const uint8_t *)"\x00\x20\x00\x01\x08"
						    "1234\xff\xff\xff\xff",
				   13, t->rsp, t->rsp_len, out, sizeof(out));
	assert_int_equal(n, 15);
	assert_memory_equal(out, "\x00\x20\x00\x01\x08\xff\xff\xff\xff\xff\xff\xff\xff\x90\x00", 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(select_mf, setup, teardown),
		cmocka_unit_test_setup_teardown(select_adf_by_aid, setup, teardown),
		cmocka_unit_test_setup_teardown(select_path_and_ef_fcp, setup, teardown),
		cmocka_unit_test_setup_teardown(select_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(read_iccid, setup, teardown),
		cmocka_unit_test_setup_teardown(read_binary_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(imsi_needs_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(ust_services, setup, teardown),
		cmocka_unit_test_setup_teardown(update_binary_rights, setup, teardown),
		cmocka_unit_test_setup_teardown(update_binary_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(records, setup, teardown),
		cmocka_unit_test_setup_teardown(pin_retries_and_unblock, setup, teardown),
		cmocka_unit_test_setup_teardown(pin_change_disable_enable, setup, teardown),
		cmocka_unit_test_setup_teardown(pin_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(status_cmd, setup, teardown),
		cmocka_unit_test_setup_teardown(class_and_instruction_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(length_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(get_response_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(cat_shaping, setup, teardown),
		cmocka_unit_test_setup_teardown(unpowered_card, setup, teardown),
		cmocka_unit_test_setup_teardown(trace_redaction, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
