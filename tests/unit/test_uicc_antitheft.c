/* The anti-theft applet (specs/antitheft-protocol.md) driven the way the OTA server and a handset drive it: commands
 * in secured packets on TAR C1 00 01, results read from the PoR, enforcement seen through the APDUs a handset
 * sends (TERMINAL PROFILE, AUTHENTICATE, call control, the user data key envelope), across power cycles and card
 * image reopenings (a handset factory reset touches none of it).
 *
 * The owner key and proofs are pinned to values computed with the OpenSSL command line:
 *   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:'correct horse' \
 *       -kdfopt salt:simguard-owner:8988211000000000003 -kdfopt iter:100000 PBKDF2
 *   printf 'UNLK\0\0\0\x07\0\0\0\0\x05' | openssl mac -digest SHA256 -macopt hexkey:OWNER_KEY HMAC  (first 16 bytes) */
#include "test_uicc_ota_harness.h"

#include <openssl/evp.h>

#include "uicc/antitheft.h"
#include "uicc/ota_re.h"

#define OWNER_KEY "3C3C1AE6FD70A55465140E5DB3B68C388857AE06D605AB5CFD65D7EF48A50981"
#define PROOF_UNLK_7_CNTR5 "79F3FEAE6F02B938E4DCD7399764693A"
#define PROOF_OPTO_8_CNTR6 "B6F6B69FB5D0085F4B5179234662E5A2"

#define OWNER_PROFILE "{\"apps\": {\"antitheft\": {\"owner_key\": \"" OWNER_KEY "\", \"owner_number\": \"+15550100999\"}}}"

struct at {
	struct tcard t;
	uint64_t cntr;
	struct h_session s;
	uint8_t data[300]; /* PoR data after the result code */
	size_t len;
};

/* Send a command (SPI 1619, keyset 1, next counter); returns the 2-character result ("" for no PoR). */
static const char *cmd(struct at *a, const char *verb, uint32_t id, const char *tlv)
{
	static char rc[3];
	uint8_t msg[300], pkt[SP_MAX_PACKET], por[300], plain[300];
	struct sp_cmd_hdr h = { .spi = { 0x16, 0x19 }, .kic = 0x15, .kid = 0x15, .tar = { 0xC1, 0x00, 0x01 } };
	struct sp_keys keys = { 0 };
	struct sp_response r;
	size_t ml = h_cmd(verb, id, tlv, msg), n, por_len;
	bool ok = false;

	h.cntr = ++a->cntr;
	n = h_packet("1619", 0x15, 0x15, "C10001", h.cntr, msg, ml, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	h_send(&a->t, pkt, n, por, &por_len, &a->s);
	rc[0] = '\0';
	a->len = 0;
	if (!por_len)
		return rc;
	keys.kic.len = h_hex(K1_KIC, keys.kic.key, 32);
	keys.kid.len = h_hex(K1_KID, keys.kid.key, 32);
	assert_true(por_len > 3);
	assert_int_equal(sp_response_verify(por + 3, por_len - 3, &h, &keys, SP_DIALECT_SMS, &r, &ok, plain,
					    sizeof(plain), NULL),
			 SP_VERDICT_OK);
	assert_true(ok);
	assert_int_equal(r.status, 0);
	assert_true(r.data_len >= 2);
	memcpy(rc, r.data, 2);
	rc[2] = '\0';
	a->len = r.data_len - 2;
	memcpy(a->data, r.data + 2, a->len);
	return rc;
}

/* The owner proof for the next command (HMAC-SHA256 with the owner key, computed here with OpenSSL's EVP). */
static char *proof_tlv(struct at *a, const char *verb, uint32_t id, const char *key_hex, char *out)
{
	uint8_t key[32], m[13], mac[32];
	uint64_t c = a->cntr + 1;
	size_t mac_len;
	char hex[40];

	h_hex(key_hex, key, sizeof(key));
	memcpy(m, verb, 4);
	for (int i = 0; i < 4; i++)
		m[4 + i] = (uint8_t)(id >> (24 - 8 * i));
	for (int i = 12; i >= 8; i--, c >>= 8)
		m[i] = c & 0xFF;
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, m, sizeof(m), mac, sizeof(mac), &mac_len));
	sprintf(out, "8310%s", sg_hex_encode(mac, 16, hex, sizeof(hex)));
	return out;
}

static void setup_card(struct at *a, const char *patch)
{
	memset(a, 0, sizeof(*a));
	h_card(&a->t, patch);
	h_power_up(&a->t, &a->s);
}

/* SELECT ADF.USIM, VERIFY PIN1 and AUTHENTICATE: 6985 while the network is refused. */
static uint16_t authenticate(struct tcard *t)
{
	tx(t, "00A4040410A0000000871002FFFFFFFF8907090000");
	tx(t, "0020000108" "31323334FFFFFFFF");
	return tx(t, "008800812210" "00112233445566778899AABBCCDDEEFF" "10" "00000000000000000000000000000000");
}

static uint16_t call_control(struct tcard *t, const char *digits, uint8_t *rsp, size_t *len)
{
	struct cat_address addr = { .ton = 1, .npi = 1 };
	struct cat_call_control cc = { .address = &addr };
	struct cat_buf b;

	snprintf(addr.digits, sizeof(addr.digits), "%s", digits);
	assert_int_equal(cat_build_call_control(&b, &cc, NULL), 0);
	return h_envelope(t, b.data, b.len, rsp, len);
}

static bool call_barred(struct tcard *t, const char *digits)
{
	uint8_t rsp[64];
	size_t len;

	call_control(t, digits, rsp, &len);
	if (len == 0)
		return false;
	assert_int_equal(len, 2);
	assert_memory_equal(rsp, "\x01\x00", 2);
	return true;
}

static void test_lock_enforced_across_power_cycles(void **state)
{
	struct at a;
	size_t len;
	const uint8_t *dt;
	uint8_t rsp[64];

	setup_card(&a, NULL);
	assert_int_not_equal(authenticate(&a.t), 0x6985);
	assert_false(call_barred(&a.t, "4930123456"));
	assert_int_equal(h_envelope(&a.t, (const uint8_t *)"\xD4\x05\x82\x02\x82\x81", 6, rsp, &len), 0x6A80);
	assert_string_equal(cmd(&a, "LOCK", 1, "8108537465616C6F6E21" "820C2B3135353530313030393939"), "OK");
	/* lock screen at once */
	assert_non_null(dt = h_find(&a.s, CAT_CMD_DISPLAY_TEXT, &len));
	assert_int_equal(dt[h_details(dt) + 2], 0x81); /* high priority, the user clears it */
	assert_non_null(memmem(dt, len, "Stealon!", 8));
	assert_int_equal(h_count(&a.s, CAT_CMD_SET_UP_IDLE_MODE_TEXT), 1);
	assert_int_equal(authenticate(&a.t), 0x6985);

	/* power cycle and a new card session from the image: still locked, lock screen first at every power-up */
	for (int i = 0; i < 2; i++) {
		if (i == 0) {
			uicc_card_power_off(a.t.card);
			uicc_card_power_on(a.t.card);
		} else {
			h_reopen(&a.t, NULL);
		}
		h_power_up(&a.t, &a.s);
		assert_true(a.s.n >= 3);
		assert_int_equal(a.s.cmd[0][h_details(a.s.cmd[0]) + 1], CAT_CMD_DISPLAY_TEXT);
		assert_int_equal(a.s.cmd[1][h_details(a.s.cmd[1]) + 1], CAT_CMD_SET_UP_IDLE_MODE_TEXT);
		assert_non_null(memmem(a.s.cmd[0], a.s.len[0], "+15550100999", 12));
		assert_int_equal(authenticate(&a.t), 0x6985);
	}
	/* call control: emergency numbers and the owner's number only; SMS barred */
	assert_false(call_barred(&a.t, "112"));
	assert_false(call_barred(&a.t, "911"));
	assert_false(call_barred(&a.t, "15550100999"));
	assert_false(call_barred(&a.t, "0015550100999")); /* same subscriber number, other prefix */
	assert_true(call_barred(&a.t, "4930123456"));
	assert_true(call_barred(&a.t, "1120"));
	assert_int_equal(h_envelope(&a.t, (const uint8_t *)"\xD5\x04\x82\x02\x82\x81", 6, rsp, &len), 0x9000);
	assert_int_equal(len, 2);
	/* what the card cannot read while locked is refused (fail closed) */
	assert_int_equal(h_envelope(&a.t, (const uint8_t *)"\xD4\x05\x82\x02\x82\x81", 6, rsp, &len), 0x9000);
	h_assert_hex(rsp, len, "0100");
	tcard_cleanup(&a.t);
}

static void test_unlock_rules(void **state)
{
	char p[64];
	struct at a;

	setup_card(&a, OWNER_PROFILE);
	assert_string_equal(cmd(&a, "LOCK", 1, NULL), "OK");
	assert_string_equal(cmd(&a, "UNLK", 2, NULL), "AU");				   /* no proof */
	assert_string_equal(cmd(&a, "UNLK", 3, "831000112233445566778899AABBCCDDEEFF"), "AU"); /* wrong proof */
	assert_string_equal(cmd(&a, "UNLK", 4, "8001" "02"), "AU"); /* the operator cannot lift the owner's lock */
	assert_int_equal(a.cntr, 4);
	/* the proof pinned to the OpenSSL command line: UNLK, request 7, counter 5 */
	assert_string_equal(cmd(&a, "UNLK", 7, "8310" PROOF_UNLK_7_CNTR5), "OK");
	assert_int_equal(authenticate(&a.t), 0x9862); /* network allowed again (this AUTN is not authentic) */
	/* a proof is single-use: bound to its counter */
	assert_string_equal(cmd(&a, "LOCK", 8, NULL), "OK");
	assert_string_equal(cmd(&a, "UNLK", 7, "8310" PROOF_UNLK_7_CNTR5), "AU");

	/* an operator lock on top: only the operator lifts it, and only with the owner's proof for the owner's part */
	assert_string_equal(cmd(&a, "LOCK", 10, "8001" "02"), "OK");
	assert_string_equal(cmd(&a, "UNLK", 11, proof_tlv(&a, "UNLK", 11, OWNER_KEY, p)), "OL");
	assert_string_equal(cmd(&a, "UNLK", 12, "8001" "02"), "AU");
	assert_string_equal(cmd(&a, "UNLK", 13, strcat(proof_tlv(&a, "UNLK", 13, OWNER_KEY, p), "800102")), "OK");
	assert_int_not_equal(authenticate(&a.t), 0x6985);

	/* an operator lock alone */
	assert_string_equal(cmd(&a, "LOCK", 14, "8001" "02"), "OK");
	assert_string_equal(cmd(&a, "UNLK", 15, proof_tlv(&a, "UNLK", 15, OWNER_KEY, p)), "OL");
	assert_string_equal(cmd(&a, "UNLK", 16, "8001" "02"), "OK");
	tcard_cleanup(&a.t);
}

static void test_unlock_without_enrolment(void **state)
{
	struct at a;

	setup_card(&a, NULL);
	assert_string_equal(cmd(&a, "LOCK", 1, NULL), "OK");
	assert_string_equal(cmd(&a, "UNLK", 2, NULL), "NE");
	assert_string_equal(cmd(&a, "UNLK", 3, "8001" "02"), "OK");
	tcard_cleanup(&a.t);
}

static void test_disable_is_final(void **state)
{
	char p[64];
	struct at a;

	setup_card(&a, OWNER_PROFILE);
	assert_string_equal(cmd(&a, "DSBL", 1, "8001" "02"), "OK");
	assert_string_equal(cmd(&a, "UNLK", 2, strcat(proof_tlv(&a, "UNLK", 2, OWNER_KEY, p), "800102")), "DI");
	assert_string_equal(cmd(&a, "LOCK", 3, NULL), "DI");
	assert_string_equal(cmd(&a, "OPTI", 4, NULL), "DI");
	h_reopen(&a.t, OWNER_PROFILE);
	h_power_up(&a.t, &a.s);
	assert_int_equal(a.s.cmd[0][h_details(a.s.cmd[0]) + 1], CAT_CMD_DISPLAY_TEXT);
	assert_int_equal(authenticate(&a.t), 0x6985);
	assert_false(call_barred(&a.t, "112"));
	assert_true(call_barred(&a.t, "15550100999")); /* no owner number once disabled */
	assert_string_equal(cmd(&a, "STAT", 5, NULL), "OK");
	assert_memory_equal(a.data, "\x90\x01\x02", 3);
	tcard_cleanup(&a.t);
}

static uint16_t user_key(struct tcard *t, uint8_t key[32])
{
	size_t len;
	uint16_t sw = h_envelope(t, (const uint8_t *)"\xCF\x04\x82\x02\x82\x81", 6, key, &len);

	if (sw == 0x9000)
		assert_int_equal(len, 32);
	return sw;
}

static void test_wipe(void **state)
{
	uint8_t key1[32], key2[32], key3[32], rec[176];
	char p[64];
	struct at a;

	setup_card(&a, OWNER_PROFILE);
	assert_int_equal(user_key(&a.t, key1), 0x6982); /* PIN1 not verified */
	tx(&a.t, "0020000108" "31323334FFFFFFFF");
	assert_int_equal(user_key(&a.t, key1), 0x9000);
	h_reopen(&a.t, OWNER_PROFILE); /* the key is durable */
	h_power_up(&a.t, &a.s);
	tx(&a.t, "0020000108" "31323334FFFFFFFF");
	assert_int_equal(user_key(&a.t, key2), 0x9000);
	assert_memory_equal(key1, key2, 32);
	/* user data: an SMS and the owner's contact (ADN record 1 from the profile) */
	tx(&a.t, "00A4080C047FFF6F3C");
	memset(rec, 0xFF, sizeof(rec));
	rec[0] = 0x01;
	memcpy(rec + 1, "secret message", 14);
	assert_int_equal(h_apdu(&a.t, 0xDC, rec, 0) >> 8, 0x6E); /* (CLA 80 is not for UPDATE RECORD) */

	assert_string_equal(cmd(&a, "WIPE", 1, NULL), "OK");
	assert_memory_equal(a.data, "\x93\x02\x00\x3C", 4); /* 50 ADN + 10 SMS records cleared and verified */
	tx(&a.t, "00A4080C047F106F3A");
	assert_int_equal(tx(&a.t, "00B201041E"), 0x9000);
	for (int i = 0; i < 30; i++)
		assert_int_equal(a.t.rsp[i], 0xFF);
	tx(&a.t, "00A4080C047FFF6F3C");
	assert_int_equal(tx(&a.t, "00B20104B0"), 0x9000);
	assert_int_equal(a.t.rsp[0], 0x00);
	for (int i = 1; i < 176; i++)
		assert_int_equal(a.t.rsp[i], 0xFF);
	/* the key is gone, for good, until the owner comes back */
	assert_int_equal(user_key(&a.t, key2), 0x6A88);
	h_reopen(&a.t, OWNER_PROFILE);
	tx(&a.t, "0020000108" "31323334FFFFFFFF");
	assert_int_equal(user_key(&a.t, key2), 0x6A88);
	assert_string_equal(cmd(&a, "UNLK", 2, "8001" "02"), "OK"); /* no proof: key stays destroyed */
	assert_int_equal(user_key(&a.t, key2), 0x6A88);
	assert_string_equal(cmd(&a, "UNLK", 3, proof_tlv(&a, "UNLK", 3, OWNER_KEY, p)), "OK");
	assert_int_equal(user_key(&a.t, key3), 0x9000);
	assert_memory_not_equal(key1, key3, 32);
	/* locked: no key */
	assert_string_equal(cmd(&a, "LOCK", 4, NULL), "OK");
	assert_int_equal(user_key(&a.t, key2), 0x6985);
	tcard_cleanup(&a.t);
}

/* WIPE is one step: a power cut at any write point leaves either everything (records and key) or nothing wiped. */
static void test_wipe_power_cut(void **state)
{
	uint8_t key[32], key_after[32], adn_before[30];
	unsigned int wiped = 0, kept = 0;

	for (long cut = 0; cut < 64; cut++) {
		struct at a;
		bool adn_cleared;
		uint16_t sw;

		setup_card(&a, OWNER_PROFILE);
		tx(&a.t, "0020000108" "31323334FFFFFFFF");
		assert_int_equal(user_key(&a.t, key), 0x9000);
		tx(&a.t, "00A4080C047F106F3A");
		tx(&a.t, "00B201041E");
		memcpy(adn_before, a.t.rsp, 30);
		uicc_store_cut_power_at(uicc_card_store(a.t.card), cut);
		cmd(&a, "WIPE", 1, NULL);
		h_reopen(&a.t, OWNER_PROFILE);
		tx(&a.t, "0020000108" "31323334FFFFFFFF");
		tx(&a.t, "00A4080C047F106F3A");
		assert_int_equal(tx(&a.t, "00B201041E"), 0x9000);
		adn_cleared = memcmp(a.t.rsp, adn_before, 30) != 0;
		if (adn_cleared)
			for (int i = 0; i < 30; i++)
				assert_int_equal(a.t.rsp[i], 0xFF);
		sw = user_key(&a.t, key_after);
		if (adn_cleared) {
			assert_int_equal(sw, 0x6A88);
			wiped++;
		} else {
			assert_int_equal(sw, 0x9000);
			assert_memory_equal(key, key_after, 32);
			kept++;
		}
		uicc_store_cut_power_at(uicc_card_store(a.t.card), -1);
		tcard_cleanup(&a.t);
		if (adn_cleared && wiped > 1)
			break; /* past the last write point: the WIPE went through without a cut */
	}
	assert_true(kept > 0);
	assert_true(wiped > 1);
}

/* LOCATE: status 0B in the ENVELOPE response, then location and IMEI in a PoR sent by SEND SHORT MESSAGE. */
static void test_locate(void **state)
{
	uint8_t msg[16], pkt[SP_MAX_PACKET], por[300], plain[300];
	struct sp_cmd_hdr h = { .spi = { 0x16, 0x19 }, .kic = 0x15, .kid = 0x15, .tar = { 0xC1, 0x00, 0x01 }, .cntr = 1 };
	struct sp_keys keys = { 0 };
	struct sp_response r;
	struct sms_submit sub;
	struct at a;
	const uint8_t *sm;
	size_t n, por_len, len;
	bool ok;

	setup_card(&a, NULL);
	keys.kic.len = h_hex(K1_KIC, keys.kic.key, 32);
	keys.kid.len = h_hex(K1_KID, keys.kid.key, 32);
	n = h_packet("1619", 0x15, 0x15, "C10001", 1, msg, h_cmd("LOCA", 5, NULL, msg), K1_KIC, K1_KID,
		     SP_DIALECT_SMS, pkt);
	h_send(&a.t, pkt, n, por, &por_len, &a.s);
	assert_int_equal(sp_response_verify(por + 3, por_len - 3, &h, &keys, SP_DIALECT_SMS, &r, &ok, plain,
					    sizeof(plain), NULL),
			 SP_VERDICT_OK);
	assert_true(ok);
	assert_int_equal(r.status, SP_STATUS_RESP_BY_SUBMIT);
	assert_int_equal(r.data_len, 0);
	assert_int_equal(h_count(&a.s, CAT_CMD_PROVIDE_LOCAL_INFO), 2);
	assert_non_null(sm = h_find(&a.s, CAT_CMD_SEND_SHORT_MESSAGE, &len));
	/* D0 len 81 03 .. 82 02 81 83 8B len SMS-SUBMIT */
	assert_int_equal(sm[11], 0x8B);
	assert_int_equal(sms_submit_decode(sm + 13, sm[12], &sub, NULL), 0);
	assert_string_equal(sub.da.digits, H_OA);
	assert_int_equal(sub.pid, 0x7F);
	assert_int_equal(sub.dcs, 0xF6);
	assert_memory_equal(sub.ud.ud, "\x02\x71\x00", 3);
	assert_int_equal(sp_response_verify(sub.ud.ud + 3, sub.ud.ud_len - 3, &h, &keys, SP_DIALECT_SMS, &r, &ok, plain,
					    sizeof(plain), NULL),
			 SP_VERDICT_OK);
	assert_true(ok);
	assert_int_equal(r.status, 0);
	h_assert_hex(r.data, r.data_len, "4F4B" "910700F110 00010001" "920F313233343536373839303132333435" "940100");

	/* no service: no location, IMEI still */
	h_location_result = 0x20;
	n = h_packet("1619", 0x15, 0x15, "C10001", 2, msg, h_cmd("LOCA", 6, NULL, msg), K1_KIC, K1_KID,
		     SP_DIALECT_SMS, pkt);
	h.cntr = 2;
	h_send(&a.t, pkt, n, por, &por_len, &a.s);
	h_location_result = 0x00;
	assert_non_null(sm = h_find(&a.s, CAT_CMD_SEND_SHORT_MESSAGE, &len));
	assert_int_equal(sms_submit_decode(sm + 13, sm[12], &sub, NULL), 0);
	assert_int_equal(sp_response_verify(sub.ud.ud + 3, sub.ud.ud_len - 3, &h, &keys, SP_DIALECT_SMS, &r, &ok, plain,
					    sizeof(plain), NULL),
			 SP_VERDICT_OK);
	h_assert_hex(r.data, r.data_len, "4E4C" "920F313233343536373839303132333435" "940120");
	tcard_cleanup(&a.t);
}

/* LOCATE by USSD: status 0C now, the result in SEND USSD (the USSD dialect's PoR as an 8-bit class-2 string). */
static void test_locate_ussd(void **state)
{
	uint8_t msg[16], pkt[SP_MAX_PACKET], por[300], plain[300];
	struct sp_cmd_hdr h = { .spi = { 0x16, 0x19 }, .kic = 0x15, .kid = 0x15, .tar = { 0xC1, 0x00, 0x01 }, .cntr = 1 };
	struct sp_keys keys = { 0 };
	struct sp_response r;
	struct sg_tlv ussd;
	struct cat_buf b;
	struct at a;
	const uint8_t *su;
	size_t n, por_len, len;
	bool ok;

	setup_card(&a, NULL);
	keys.kic.len = h_hex(K1_KIC, keys.kic.key, 32);
	keys.kid.len = h_hex(K1_KID, keys.kid.key, 32);
	n = h_packet("1619", 0x15, 0x15, "C10001", 1, msg, h_cmd("LOCA", 5, NULL, msg), K1_KIC, K1_KID,
		     SP_DIALECT_USSD, pkt);
	assert_int_equal(cat_build_ussd_download(&b, 0xF6, pkt, n, NULL), 0);
	memset(&a.s, 0, sizeof(a.s));
	h_serve(&a.t, h_envelope(&a.t, b.data, b.len, por, &por_len), &a.s);
	assert_int_equal(sp_response_verify(por, por_len, &h, &keys, SP_DIALECT_USSD, &r, &ok, plain, sizeof(plain),
					    NULL),
			 SP_VERDICT_OK);
	assert_true(ok);
	assert_int_equal(r.status, SP_STATUS_RESP_BY_USSD);
	assert_non_null(su = h_find(&a.s, CAT_CMD_SEND_USSD, &len));
	assert_int_equal(sg_ctlv_find(su + 2, len - 2, CAT_TAG_USSD_STRING, &ussd, NULL), 1);
	assert_int_equal(ussd.val[0], 0xF6);
	assert_int_equal(sp_response_verify(ussd.val + 1, ussd.len - 1, &h, &keys, SP_DIALECT_USSD, &r, &ok, plain,
					    sizeof(plain), NULL),
			 SP_VERDICT_OK);
	assert_true(ok);
	assert_int_equal(r.status, 0);
	h_assert_hex(r.data, r.data_len, "4F4B" "910700F110 00010001" "920F313233343536373839303132333435" "940100");
	tcard_cleanup(&a.t);
}

static void test_locate_needs_terminal(void **state)
{
	struct at a;
	uint8_t p[8];

	memset(&a, 0, sizeof(a));
	h_card(&a.t, NULL);
	/* a terminal without PROVIDE LOCAL INFORMATION or SEND SHORT MESSAGE */
	h_serve(&a.t, h_apdu(&a.t, 0x10, p, h_hex("0B01FF0011000017", p, sizeof(p))), &a.s);
	assert_string_equal(cmd(&a, "LOCA", 1, NULL), "TU");
	assert_int_equal(a.s.n, 0);
	tcard_cleanup(&a.t);
}

static void test_ring_message_status(void **state)
{
	const uint8_t *c;
	struct at a;
	size_t len;

	setup_card(&a, NULL);
	assert_string_equal(cmd(&a, "RING", 1, "8402005A"), "OK");
	assert_non_null(c = h_find(&a.s, CAT_CMD_PLAY_TONE, &len));
	assert_non_null(memmem(c, len, "\x8E\x01\x08", 3));     /* ringing */
	assert_non_null(memmem(c, len, "\x84\x02\x01\x5A", 4)); /* 90 seconds */
	assert_int_equal(c[h_details(c) + 2], 0x01);		/* vibrate */
	assert_string_equal(cmd(&a, "RING", 2, "8402001D"), "PE"); /* 29 s */
	assert_string_equal(cmd(&a, "RING", 3, "840200B5"), "PE"); /* 181 s */
	assert_string_equal(cmd(&a, "RING", 4, "840200B4" "860115"), "OK");
	assert_non_null(memmem(a.s.cmd[0], a.s.len[0], "\x8E\x01\x15", 3));

	assert_string_equal(cmd(&a, "MESG", 5, "810E506C656173652063616C6C206D65"), "OK");
	assert_non_null(c = h_find(&a.s, CAT_CMD_DISPLAY_TEXT, &len));
	assert_non_null(memmem(c, len, "Please call me", 14));
	assert_int_equal(h_count(&a.s, CAT_CMD_SET_UP_IDLE_MODE_TEXT), 1);
	assert_string_equal(cmd(&a, "MESG", 6, NULL), "PE");

	assert_string_equal(cmd(&a, "STAT", 7, NULL), "OK");
	h_assert_hex(a.data, a.len, "900100" "950100" "920F313233343536373839303132333435");
	tcard_cleanup(&a.t);
}

static void test_opt_out(void **state)
{
	char p[64];
	struct at a;

	setup_card(&a, OWNER_PROFILE);
	assert_string_equal(cmd(&a, "OPTO", 1, NULL), "AU");
	assert_int_equal(a.cntr, 1);
	assert_string_equal(cmd(&a, "LOCK", 2, NULL), "OK");
	assert_int_equal(a.cntr, 2);
	assert_string_equal(cmd(&a, "OPTO", 3, proof_tlv(&a, "OPTO", 3, OWNER_KEY, p)), "LK");
	assert_string_equal(cmd(&a, "UNLK", 4, proof_tlv(&a, "UNLK", 4, OWNER_KEY, p)), "OK");
	assert_int_equal(a.cntr, 4);
	assert_string_equal(cmd(&a, "OPTI", 5, NULL), "OK");
	/* OPTO, request 8, counter 6: pinned to the OpenSSL command line */
	assert_string_equal(cmd(&a, "OPTO", 8, "8310" PROOF_OPTO_8_CNTR6), "OK");
	assert_string_equal(cmd(&a, "LOCK", 9, NULL), "OO");
	assert_string_equal(cmd(&a, "DSBL", 10, NULL), "OO");
	assert_string_equal(cmd(&a, "WIPE", 11, NULL), "OO");
	assert_string_equal(cmd(&a, "LOCA", 12, NULL), "OO");
	assert_string_equal(cmd(&a, "STAT", 13, NULL), "OK");
	h_assert_hex(a.data, a.len, "900100" "95010C" "920F313233343536373839303132333435");
	assert_string_equal(cmd(&a, "OPTI", 14, NULL), "OK");
	assert_string_equal(cmd(&a, "LOCK", 15, NULL), "OK");
	tcard_cleanup(&a.t);
}

static void test_enrol(void **state)
{
	static const char key_a[] = "85201111111111111111111111111111111111111111111111111111111111111111";
	static const char key_b[] = "85202222222222222222222222222222222222222222222222222222222222222222";
	char p[160];
	struct at a;

	setup_card(&a, NULL);
	assert_string_equal(cmd(&a, "ENRL", 1, NULL), "PE");
	assert_string_equal(cmd(&a, "ENRL", 2, key_a), "OK"); /* first enrolment */
	assert_string_equal(cmd(&a, "ENRL", 3, key_b), "AU"); /* re-enrolment needs the current secret */
	strcpy(p, key_b);
	proof_tlv(&a, "ENRL", 4, "1111111111111111111111111111111111111111111111111111111111111111", p + strlen(p));
	assert_string_equal(cmd(&a, "ENRL", 4, p), "OK");
	assert_string_equal(cmd(&a, "LOCK", 5, NULL), "OK");
	assert_string_equal(cmd(&a, "ENRL", 6, "800102" "85203333333333333333333333333333333333333333333333333333333333333333"),
			    "LK");
	assert_string_equal(cmd(&a, "UNLK", 7, proof_tlv(&a, "UNLK", 7,
							  "2222222222222222222222222222222222222222222222222222222222222222",
							  p)),
			    "OK");
	tcard_cleanup(&a.t);
}

static void test_command_errors(void **state)
{
	struct at a;

	setup_card(&a, NULL);
	assert_string_equal(cmd(&a, "FOO!", 1, NULL), "UV");
	assert_string_equal(cmd(&a, "LOCK", 2, "800103"), "PE");	  /* origin 03 */
	assert_string_equal(cmd(&a, "LOCK", 3, "800101800101"), "PE"); /* twice */
	assert_string_equal(cmd(&a, "LOCK", 4, "9F0100"), "PE");	  /* unknown tag */
	assert_string_equal(cmd(&a, "LOCK", 5, "8105414243"), "PE");	  /* runs past the end */
	assert_string_equal(cmd(&a, "LOCK", 6, "8203313233"), "OK");
	assert_string_equal(cmd(&a, "LOCK", 7, "82023132"), "PE"); /* 2 digits */
	assert_string_equal(cmd(&a, "LOCK", 8, "8103410042"), "PE"); /* NUL in text */
	tcard_cleanup(&a.t);
}

/* Handset change: reported once, as a secured command packet of the card, kept until the terminal sent it. */
static void test_handset_change(void **state)
{
	uint8_t plain[300];
	struct sp_keys keys = { 0 };
	struct sp_command c;
	struct sms_submit sub;
	struct at a;
	const uint8_t *sm;
	size_t len;

	strcpy(h_imei, "123456789012345");
	setup_card(&a, NULL);
	assert_string_equal(cmd(&a, "STAT", 1, NULL), "OK"); /* the server's address is now known */
	strcpy(h_imei, "490154203237518");
	uicc_card_reset(a.t.card);
	h_power_up(&a.t, &a.s);
	assert_non_null(sm = h_find(&a.s, CAT_CMD_SEND_SHORT_MESSAGE, &len));
	assert_int_equal(sms_submit_decode(sm + 13, sm[12], &sub, NULL), 0);
	assert_string_equal(sub.da.digits, H_OA);
	assert_memory_equal(sub.ud.ud, "\x02\x70\x00", 3);
	keys.kic.len = h_hex(K1_KIC, keys.kic.key, 32);
	keys.kid.len = h_hex(K1_KID, keys.kid.key, 32);
	assert_int_equal(sp_command_verify(sub.ud.ud + 3, sub.ud.ud_len - 3, SP_DIALECT_SMS, &keys, &c, plain,
					   sizeof(plain), NULL),
			 SP_VERDICT_OK);
	assert_memory_equal(c.hdr.spi, "\x16\x00", 2);
	assert_memory_equal(c.hdr.tar, "\xC1\x00\x01", 3);
	assert_int_equal(c.hdr.cntr, 1);
	h_assert_hex(c.data, c.data_len,
		     "4853434800000001" "920F343930313534323033323337353138" "980F313233343536373839303132333435"
		     "900100");
	assert_string_equal(cmd(&a, "STAT", 2, NULL), "OK");
	h_assert_hex(a.data, a.len, "900100" "950100" "920F343930313534323033323337353138");
	/* next power-up in the same handset: nothing to report */
	uicc_card_reset(a.t.card);
	h_power_up(&a.t, &a.s);
	assert_int_equal(h_count(&a.s, CAT_CMD_SEND_SHORT_MESSAGE), 0);
	strcpy(h_imei, "123456789012345");
	tcard_cleanup(&a.t);
}

/* A report the terminal could not send (no service) is kept in the card image and sent again with the same bytes:
 * when a location status event says service is back, and at the next power-up. */
static uint16_t service_back(struct at *a)
{
	uint8_t rsp[16];
	size_t len;
	uint16_t sw = h_envelope(&a->t, (const uint8_t *)"\xD6\x0A\x99\x01\x03\x82\x02\x82\x81\x9B\x01\x00", 12, rsp,
				 &len);

	memset(&a->s, 0, sizeof(a->s));
	return h_serve(&a->t, sw, &a->s);
}

static void test_report_retried(void **state)
{
	uint8_t first[300];
	size_t first_len, len;
	const uint8_t *sm;
	struct at a;

	strcpy(h_imei, "123456789012345");
	setup_card(&a, NULL);
	assert_string_equal(cmd(&a, "STAT", 1, NULL), "OK");
	strcpy(h_imei, "490154203237518");
	h_sms_result = 0x20;
	uicc_card_reset(a.t.card);
	h_power_up(&a.t, &a.s);
	assert_non_null(sm = h_find(&a.s, CAT_CMD_SEND_SHORT_MESSAGE, &len));
	memcpy(first, sm, len);
	first_len = len;
	assert_int_equal(h_count(&a.s, CAT_CMD_SET_UP_EVENT_LIST), 1); /* watching for service */
	assert_string_equal(cmd(&a, "STAT", 2, NULL), "OK");
	h_assert_hex(a.data, 6, "900100950120"); /* report waiting */
	/* service comes back, still no luck */
	service_back(&a);
	assert_non_null(sm = h_find(&a.s, CAT_CMD_SEND_SHORT_MESSAGE, &len));
	assert_memory_equal(sm + 5, first + 5, first_len - 5); /* same report, same counter */
	/* the card goes to another power-up (its image reopened): the same packet again, sent this time */
	h_sms_result = 0x00;
	h_reopen(&a.t, NULL);
	h_power_up(&a.t, &a.s);
	assert_non_null(sm = h_find(&a.s, CAT_CMD_SEND_SHORT_MESSAGE, &len));
	assert_int_equal(len, first_len);
	assert_memory_equal(sm + 5, first + 5, len - 5);
	assert_int_equal(h_count(&a.s, CAT_CMD_SET_UP_EVENT_LIST), 2); /* on, then off again */
	assert_string_equal(cmd(&a, "STAT", 3, NULL), "OK");
	h_assert_hex(a.data, 6, "900100950100");
	service_back(&a);
	assert_int_equal(a.s.n, 0);
	h_reopen(&a.t, NULL);
	h_power_up(&a.t, &a.s);
	assert_int_equal(h_count(&a.s, CAT_CMD_SEND_SHORT_MESSAGE), 0);
	strcpy(h_imei, "123456789012345");
	tcard_cleanup(&a.t);
}

static void test_config(void **state)
{
	struct antitheft_config cfg;
	struct sg_error err;
	json_t *j;

	j = json_loads("{\"owner_key\": \"0011\"}", 0, NULL);
	assert_int_equal(antitheft_config_parse(j, &cfg, &err), -1);
	assert_string_equal(err.msg, "apps.antitheft.owner_key: needs 32 bytes, got 2");
	json_decref(j);
	j = json_loads("{\"lock_mesage\": \"x\"}", 0, NULL);
	assert_int_equal(antitheft_config_parse(j, &cfg, &err), -1);
	assert_string_equal(err.msg, "apps.antitheft.lock_mesage: unknown field");
	json_decref(j);
	j = json_loads("{\"emergency_numbers\": [\"112\", \"9a\"]}", 0, NULL);
	assert_int_equal(antitheft_config_parse(j, &cfg, &err), -1);
	assert_string_equal(err.msg, "apps.antitheft.emergency_numbers[1]: must be 2 to 7 digits");
	json_decref(j);
	j = json_loads("{\"lock_refuses_network\": false, \"report_address\": \"+4912345\", \"emergency_numbers\": "
		       "[\"110\"]}",
		       0, NULL);
	assert_int_equal(antitheft_config_parse(j, &cfg, &err), 0);
	assert_false(cfg.lock_refuses_network);
	assert_int_equal(cfg.n_emergency, 1);
	assert_int_equal(cfg.report_address.ton, 1);
	assert_string_equal(cfg.report_address.digits, "4912345");
	json_decref(j);
}

/* lock_refuses_network false: a LOCKED card keeps the network (reachable by OTA), DISABLED never does. */
static void test_lock_keeps_network_when_configured(void **state)
{
	struct at a;

	setup_card(&a, "{\"apps\": {\"antitheft\": {\"lock_refuses_network\": false}}}");
	assert_string_equal(cmd(&a, "LOCK", 1, NULL), "OK");
	assert_true(uicc_toolkit_network_auth_allowed(a.t.card));
	assert_true(call_barred(&a.t, "4930123456"));
	assert_string_equal(cmd(&a, "DSBL", 2, NULL), "OK");
	assert_false(uicc_toolkit_network_auth_allowed(a.t.card));
	tcard_cleanup(&a.t);
}

static void test_state_record(void **state)
{
	struct antitheft_state s = { .lock = 3, .opted_out = true, .has_owner_key = true, .report_cntr = 0x0102030405,
				     .n_outbox = 1, .has_server = true, .server_kvn = 2 },
			       d;
	uint8_t buf[2048];
	size_t len;
	struct sg_error err;

	memset(s.owner_key, 0x5A, 32);
	strcpy(s.message, "m");
	strcpy(s.contact, "+123");
	strcpy(s.imei, "123456789012345");
	strcpy(s.server.digits, "4917");
	s.server.ton = 1;
	s.server.npi = 1;
	s.outbox[0].id = 7;
	s.outbox[0].ud_len = 3;
	memcpy(s.outbox[0].ud, "\x02\x70\x00", 3);
	assert_int_equal(antitheft_state_encode(&s, buf, sizeof(buf), &len), 0);
	assert_int_equal(antitheft_state_decode(buf, len, &d, &err), 0);
	assert_int_equal(d.lock, 3);
	assert_true(d.opted_out);
	assert_memory_equal(d.owner_key, s.owner_key, 32);
	assert_int_equal(d.report_cntr, 0x0102030405);
	assert_string_equal(d.server.digits, "4917");
	assert_int_equal(d.n_outbox, 1);
	assert_int_equal(d.outbox[0].id, 7);
	/* damage is reported, never half-read */
	buf[len - 1] ^= 0xFF;
	buf[len - 4] = 0x7F;
	assert_int_equal(antitheft_state_decode(buf, len, &d, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_enforced_across_power_cycles),
		cmocka_unit_test(test_unlock_rules),
		cmocka_unit_test(test_unlock_without_enrolment),
		cmocka_unit_test(test_disable_is_final),
		cmocka_unit_test(test_wipe),
		cmocka_unit_test(test_wipe_power_cut),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_locate_ussd),
		cmocka_unit_test(test_locate_needs_terminal),
		cmocka_unit_test(test_ring_message_status),
		cmocka_unit_test(test_opt_out),
		cmocka_unit_test(test_enrol),
		cmocka_unit_test(test_command_errors),
		cmocka_unit_test(test_handset_change),
		cmocka_unit_test(test_report_retried),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_lock_keeps_network_when_configured),
		cmocka_unit_test(test_state_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
