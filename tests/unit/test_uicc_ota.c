/* The OTA acceptance matrix of the card's receiving entity (specs/ota-receiving-entity.md): every SPI / KIc / KID
 * combination the card accepts answers with the exact PoR, and every refusal (replay, counter too low / too high /
 * blocked, unknown TAR, below MSL, tampered byte, single DES on the anti-theft TAR, wrong keyset) with the exact
 * unsecured PoR or nothing at all.
 *
 * Expected PoRs are independent of our codec: the reference's worked examples (../shared/reference/
 * secured-packets.md §11, sms-pp-and-ussd.md §7, §11), hand-written bytes for unsecured PoRs, and PoRs computed
 * with the OpenSSL command line (CC: `openssl enc -des-ede-cbc|-des-ede3-cbc -nopad -iv 0` last block over the
 * zero-padded input, `openssl mac -cipher AES-128-CBC CMAC` leftmost 8 bytes; ciphering `openssl enc -nopad -iv 0`)
 * by the layout of secured-packets.md §6 — the same script reproduces both reference examples byte for byte. */
#include "test_uicc_ota_harness.h"

#include "uicc/ota_re.h"

/* secured-packets.md §11 */
#define EX1_PACKET "00201516191515C100017643B44E88EA671B24E0244A2DE2E0F7FF1BF3FE5BD9F574"
#define EX1_ENVELOPE                                                                                                   \
	"D1468202838106069194710100008B38440B919471103254F67FF6521010210000002502700000201516191515C100017643B44E88EA671" \
	"B24E0244A2DE2E0F7FF1BF3FE5BD9F574"
#define EX1_POR "027100001C12C10001C9B7FD1CFBA7B9A2257B092B453434760CB4D0357E28C24D"
#define EX2_PACKET "00281516392222C100011FC425DA2528A24A37A106804696AD0A7D33612B38A1411DD6E721B425081D8D"
#define EX2_SHORT_POR "027100001412C1000147C3AF2EA8A86459D8F4838840932BF5"
/* sms-pp-and-ussd.md §11 gives this SEND SHORT MESSAGE with the lengths D0 3C / 8B 31, which do not add up: the
 * SMS-SUBMIT it carries (41 00, TP-DA 0B 91 94 71 10 32 54 F6, 7F F6, UDL 29 and 41 octets of PoR) is 54 = 0x36
 * bytes, so the template is 0x41. Every other byte is the reference's. */
#define EX2_SEND_SM                                                                                                    \
	"D0418103011300820281838B3641000B919471103254F67FF629027100002412C10001B211D72DDC33E57C0611B3CEB3C18F7286E268E7" \
	"B9A05FE9FA55C4A7ADB03DB3"

/* computed with the OpenSSL command line as described at the top */
#define POR_AES_1619  "027100002412C10001D64D56074FFBB92EFF367BA721E77E4C7EA40711DCA5FF5F283EA45FE8A62D02"
#define POR_TDES3     "027100001C12C100017FEC627003E121AAFDA11E9B56E2EC02114B4F160FE6B59D"
#define POR_CC_ONLY   "027100001512C1000100000000020000A41058CF9482FCFA4F4B"
#define POR_ONEHIGHER "027100001C12C10001DDC78C55D1932047F080A643200C2979412D8697431A3A6D"
/* no checksum, not ciphered: RPL 000D, RHL 0A, TAR, CNTR 3, PCNTR 0, status 0, "OK" */
#define POR_PLAIN "027100000D0AC100010000000003 00004F4B"

#define MATRIX_PROFILE                                                                                                 \
	"{\"ota\": {\"keysets\": ["                                                                                       \
	"{\"kvn\": 1, \"kic\": {\"alg\": \"3des2\", \"key\": \"" K1_KIC "\"}, \"kid\": {\"alg\": \"3des2\", \"key\": \"" \
	K1_KID "\"}},"                                                                                                 \
	"{\"kvn\": 2, \"kic\": {\"alg\": \"aes\", \"key\": \"" K2_KIC "\"}, \"kid\": {\"alg\": \"aes\", \"key\": \""     \
	K2_KID "\"}},"                                                                                                 \
	"{\"kvn\": 3, \"kic\": {\"alg\": \"3des3\", \"key\": \"" K3_KIC "\"}, \"kid\": {\"alg\": \"3des3\", \"key\": \"" \
	K3_KID "\"}},"                                                                                                 \
	"{\"kvn\": 4, \"kic\": {\"alg\": \"des\", \"key\": \"" K4_KIC "\"}, \"kid\": {\"alg\": \"des\", \"key\": \""     \
	K4_KID "\"}}],"                                                                                                \
	"\"counters\": [{\"kvn\": 1, \"value\": 0}, {\"kvn\": 1, \"tar\": \"B00011\", \"value\": 5},"                    \
	"{\"kvn\": 2, \"tar\": \"B00010\", \"value\": 1099511627775}],"                                                 \
	"\"tars\": [{\"tar\": \"C10001\", \"app\": \"antitheft\", \"msl\": \"16\", \"kvns\": [1, 2, 3, 4]},"            \
	"{\"tar\": \"B00010\", \"app\": \"rfm-uicc\", \"msl\": \"00\"},"                                                 \
	"{\"tar\": \"B00011\", \"app\": \"rfm-usim\", \"msl\": \"12\", \"kvns\": [1]}],"                                 \
	"\"error_por\": \"unsecured\"}}"

static const uint8_t lock_cmd[8] = { 'L', 'O', 'C', 'K', 0x00, 0x00, 0x00, 0x2A };

struct kset {
	uint8_t id;
	const char *kic, *kid;
};
static const struct kset KS1 = { 0x15, K1_KIC, K1_KID }, KS2 = { 0x22, K2_KIC, K2_KID },
			  KS3 = { 0x39, K3_KIC, K3_KID }, KS4 = { 0x41, K4_KIC, K4_KID };

/* Send a LOCK secured with ks; PoR into por. */
static uint16_t send_lock(struct tcard *t, const char *spi, const struct kset *ks, const char *tar, uint64_t cntr,
			  uint8_t *por, size_t *por_len, struct h_session *s)
{
	uint8_t pkt[SP_MAX_PACKET];
	size_t n = h_packet(spi, ks->id, ks->id, tar, cntr, lock_cmd, sizeof(lock_cmd), ks->kic, ks->kid,
			    SP_DIALECT_SMS, pkt);

	return h_send(t, pkt, n, por, por_len, s);
}

static void test_example1_exact(void **state)
{
	uint8_t pkt[SP_MAX_PACKET], env[300], por[300];
	size_t n, env_len, por_len;
	struct tcard t = { 0 };
	uint16_t sw;

	h_card(&t, NULL);
	n = h_packet("1619", 0x15, 0x15, "C10001", 1, lock_cmd, sizeof(lock_cmd), K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	h_assert_hex(pkt, n, EX1_PACKET);
	env_len = h_packet_envelope(pkt, n, env);
	h_assert_hex(env, env_len, EX1_ENVELOPE);
	/* no TERMINAL PROFILE yet: the PoR still travels in the response data */
	sw = h_envelope(&t, env, env_len, por, &por_len);
	assert_int_equal(sw, 0x9000);
	h_assert_hex(por, por_len, EX1_POR);
	tcard_cleanup(&t);
}

static void test_example2_exact(void **state)
{
	uint8_t pkt[SP_MAX_PACKET], env[300], por[300], send_sm[100];
	size_t n, env_len, por_len, len;
	struct h_session s;
	struct tcard t = { 0 };
	const uint8_t *cmd;
	uint16_t sw;

	h_card(&t, NULL);
	h_power_up(&t, &s);
	{
		uint8_t cmd2[8]; /* Example 2's request id is 2B */
		memcpy(cmd2, lock_cmd, 8);
		cmd2[7] = 0x2B;
		n = h_packet("1639", 0x22, 0x22, "C10001", 2, cmd2, 8, K2_KIC, K2_KID, SP_DIALECT_SMS, pkt);
	}
	h_assert_hex(pkt, n, EX2_PACKET);
	env_len = h_packet_envelope(pkt, n, env);
	sw = h_envelope(&t, env, env_len, por, &por_len);
	/* the short PoR (0B) answers the ENVELOPE; the full one is the first command of the proactive session */
	h_assert_hex(por, por_len, EX2_SHORT_POR);
	memset(&s, 0, sizeof(s));
	h_serve(&t, sw, &s);
	h_assert_hex(s.cmd[0], s.len[0], EX2_SEND_SM);
	assert_int_equal(sw, 0x9143);
	(void)send_sm;
	/* then the lock screen */
	assert_non_null(h_find(&s, CAT_CMD_DISPLAY_TEXT, &len));
	assert_non_null(cmd = h_find(&s, CAT_CMD_SET_UP_IDLE_MODE_TEXT, &len));
	tcard_cleanup(&t);
}

/* Each accepted SPI / KIc / KID combination and its exact PoR. */
static void test_matrix_accepted(void **state)
{
	uint8_t por[300];
	size_t por_len;
	struct h_session s;
	struct tcard t = { 0 };
	uint16_t sw;

	h_card(&t, MATRIX_PROFILE);
	h_power_up(&t, &s);

	sw = send_lock(&t, "1619", &KS1, "C10001", 1, por, &por_len, &s);
	h_assert_hex(por, por_len, EX1_POR);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(h_count(&s, CAT_CMD_DISPLAY_TEXT), 1);

	send_lock(&t, "1619", &KS2, "C10001", 1, por, &por_len, &s); /* AES-128, own counter */
	h_assert_hex(por, por_len, POR_AES_1619);
	send_lock(&t, "1619", &KS3, "C10001", 1, por, &por_len, &s); /* 3DES three keys */
	h_assert_hex(por, por_len, POR_TDES3);
	send_lock(&t, "1609", &KS1, "C10001", 2, por, &por_len, &s); /* PoR with CC, not ciphered */
	h_assert_hex(por, por_len, POR_CC_ONLY);
	send_lock(&t, "1601", &KS1, "C10001", 3, por, &por_len, &s); /* PoR without security */
	h_assert_hex(por, por_len, POR_PLAIN);
	send_lock(&t, "1600", &KS1, "C10001", 4, por, &por_len, &s); /* no PoR */
	assert_int_equal(por_len, 0);
	send_lock(&t, "1602", &KS1, "C10001", 5, por, &por_len, &s); /* PoR on error only, no error */
	assert_int_equal(por_len, 0);
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 5);
	send_lock(&t, "1E19", &KS1, "C10001", 6, por, &por_len, &s); /* counter exactly one higher */
	h_assert_hex(por, por_len, POR_ONEHIGHER);
	/* PoR via SMS-SUBMIT: short PoR 0B now, the full one (Example 2 bytes, counter 2 of keyset 2) by SEND SM */
	{
		uint8_t cmd2[8], pkt[SP_MAX_PACKET], send_sm[100];
		size_t n, len;
		memcpy(cmd2, lock_cmd, 8);
		cmd2[7] = 0x2B;
		n = h_packet("1639", 0x22, 0x22, "C10001", 2, cmd2, 8, K2_KIC, K2_KID, SP_DIALECT_SMS, pkt);
		sw = h_send(&t, pkt, n, por, &por_len, &s);
		h_assert_hex(por, por_len, EX2_SHORT_POR);
		len = h_hex(EX2_SEND_SM, send_sm, sizeof(send_sm));
		assert_int_equal(s.len[0], len);
		assert_memory_equal(s.cmd[0], send_sm, len);
	}
	tcard_cleanup(&t);
}

/* Unsecured error PoR: RPL 000B, RHL 0A, TAR, CNTR zero (never what a refused packet deciphered to), PCNTR 00,
 * status. */
static void assert_refused(const uint8_t *por, size_t len, const char *tar, uint8_t status)
{
	char want[64];

	snprintf(want, sizeof(want), "027100000B0A%s000000000000%02X", tar, status);
	h_assert_hex(por, len, want);
}

static void test_matrix_refused(void **state)
{
	uint8_t pkt[SP_MAX_PACKET], replay[SP_MAX_PACKET], por[300];
	size_t n, replay_len, por_len;
	struct h_session s;
	struct tcard t = { 0 };
	uint16_t sw;

	h_card(&t, MATRIX_PROFILE);
	h_power_up(&t, &s);
	replay_len = h_packet("1619", 0x15, 0x15, "C10001", 1, lock_cmd, 8, K1_KIC, K1_KID, SP_DIALECT_SMS, replay);
	h_send(&t, replay, replay_len, por, &por_len, &s);
	h_assert_hex(por, por_len, EX1_POR);
	h_power_up(&t, &s);

	/* replay: the same packet again */
	sw = h_send(&t, replay, replay_len, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_CNTR_LOW);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(s.n, 0); /* nothing ran */
	/* counter too low (a fresh packet with an old counter) */
	send_lock(&t, "1619", &KS1, "C10001", 0, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_CNTR_LOW);
	/* counter too high where it must be exactly one higher */
	send_lock(&t, "1E19", &KS1, "C10001", 3, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_CNTR_HIGH);
	/* unknown TAR */
	send_lock(&t, "1619", &KS1, "C10002", 2, por, &por_len, &s);
	assert_refused(por, por_len, "C10002", SP_STATUS_TAR_UNKNOWN);
	/* below the MSL: no counter, CC without ciphering, RC instead of CC */
	send_lock(&t, "0619", &KS1, "C10001", 2, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_INSUFFICIENT_SECURITY);
	send_lock(&t, "1219", &KS1, "C10001", 2, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_INSUFFICIENT_SECURITY);
	send_lock(&t, "1519", &KS1, "C10001", 2, por, &por_len, &s); /* CRC-32 is no checksum for this TAR */
	assert_refused(por, por_len, "C10001", SP_STATUS_INSUFFICIENT_SECURITY);
	/* single DES is refused by the anti-theft applet's policy even though the TAR lists keyset 4 */
	send_lock(&t, "1619", &KS4, "C10001", 1, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_INSUFFICIENT_SECURITY);
	/* tampered byte: one bit of the ciphertext */
	n = h_packet("1619", 0x15, 0x15, "C10001", 2, lock_cmd, 8, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	pkt[20] ^= 0x01;
	h_send(&t, pkt, n, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_CHK_FAILED);
	/* KIc naming AES for the 3DES keyset 1; a keyset the card does not have */
	n = h_packet("1619", 0x12, 0x15, "C10001", 2, lock_cmd, 8, K2_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	h_send(&t, pkt, n, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_UNIDENTIFIED);
	n = h_packet("1619", 0x75, 0x75, "C10001", 2, lock_cmd, 8, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	h_send(&t, pkt, n, por, &por_len, &s);
	assert_refused(por, por_len, "C10001", SP_STATUS_UNIDENTIFIED);
	/* a keyset the TAR does not allow (B00011 takes keyset 1 only) */
	n = h_packet("1219", 0x22, 0x22, "B00011", 9, (const uint8_t *)"\x00\xF2\x00\x0C\x00", 5, K2_KIC, K2_KID,
		     SP_DIALECT_SMS, pkt);
	h_send(&t, pkt, n, por, &por_len, &s);
	assert_refused(por, por_len, "B00011", SP_STATUS_UNIDENTIFIED);
	/* a counter that reached FFFFFFFFFF is blocked for good */
	n = h_packet("1619", 0x22, 0x22, "B00010", 1, (const uint8_t *)"\x00\xF2\x00\x0C\x00", 5, K2_KIC, K2_KID,
		     SP_DIALECT_SMS, pkt);
	h_send(&t, pkt, n, por, &por_len, &s);
	assert_refused(por, por_len, "B00010", SP_STATUS_CNTR_BLOCKED);
	/* a refused packet whose SPI asks for no PoR gets none, even here */
	send_lock(&t, "1600", &KS1, "C10001", 0, por, &por_len, &s);
	assert_int_equal(por_len, 0);

	/* nothing of this moved the counter: the next packet in sequence is accepted */
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 1);
	send_lock(&t, "1E19", &KS1, "C10001", 2, por, &por_len, &s);
	assert_int_equal(por_len, 33);
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 2);
	tcard_cleanup(&t);
}

/* The default profile setting: security failures get no PoR at all, all alike (9000, no data, nothing queued). */
static void test_failures_silent_by_default(void **state)
{
	uint8_t pkt[SP_MAX_PACKET], por[300];
	size_t n, por_len;
	struct h_session s;
	struct tcard t = { 0 };
	/* counter too low, unknown TAR, below MSL, then a tampered byte */
	const char *spi[] = { "1619", "1619", "0619" };
	const char *tar[] = { "C10001", "C10099", "C10001" };
	uint64_t cntr[] = { 0, 1, 1 };

	h_card(&t, NULL);
	h_power_up(&t, &s);
	for (int i = 0; i < 4; i++) {
		if (i < 3) {
			n = h_packet(spi[i], 0x15, 0x15, tar[i], cntr[i], lock_cmd, 8, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
		} else {
			n = h_packet("1619", 0x15, 0x15, "C10001", 1, lock_cmd, 8, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
			pkt[n - 1] ^= 0x80;
		}
		assert_int_equal(h_send(&t, pkt, n, por, &por_len, &s), 0x9000);
		assert_int_equal(por_len, 0);
		assert_int_equal(s.n, 0);
	}
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 0);
	assert_true(uicc_toolkit_network_auth_allowed(t.card));
	tcard_cleanup(&t);
}

/* The counter is durable before the command runs: a cut at the counter's commit runs nothing; a cut right after
 * it loses the command, and the counter stays used. */
static void test_counter_committed_first(void **state)
{
	uint8_t pkt[SP_MAX_PACKET], por[300];
	size_t n, por_len;
	struct h_session s;
	struct tcard t = { 0 };
	unsigned long before, points;

	h_card(&t, NULL);
	n = h_packet("1619", 0x15, 0x15, "C10001", 1, lock_cmd, 8, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	/* how many write points a counter commit has */
	before = uicc_store_write_points(uicc_card_store(t.card));
	assert_int_equal(ota_re_counter_commit(t.card, 9, (const uint8_t *)"\0\0\0", 0, NULL), 0);
	points = uicc_store_write_points(uicc_card_store(t.card)) - before;
	assert_true(points > 0);

	uicc_store_cut_power_at(uicc_card_store(t.card), 0);
	assert_int_equal(h_send(&t, pkt, n, por, &por_len, &s), 0x6F00);
	h_reopen(&t, NULL);
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 0);
	assert_true(uicc_toolkit_network_auth_allowed(t.card));

	uicc_store_cut_power_at(uicc_card_store(t.card), (long)points);
	assert_int_equal(h_send(&t, pkt, n, por, &por_len, &s), 0x6F00); /* no PoR for a LOCK that was not stored */
	assert_int_equal(por_len, 0);
	h_reopen(&t, NULL);
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 1);
	assert_true(uicc_toolkit_network_auth_allowed(t.card)); /* the LOCK did not survive the cut */
	/* and it cannot be replayed */
	h_send(&t, pkt, n, por, &por_len, &s);
	assert_int_equal(por_len, 0);
	assert_true(uicc_toolkit_network_auth_allowed(t.card));
	tcard_cleanup(&t);
}

static void test_ussd(void **state)
{
	uint8_t pkt[SP_MAX_PACKET], env[300], por[300], plain[300];
	size_t n, por_len;
	struct cat_buf b;
	struct sp_response rsp;
	struct sp_cmd_hdr h = { .spi = { 0x16, 0x19 }, .kic = 0x15, .kid = 0x15, .tar = { 0xC1, 0x00, 0x01 }, .cntr = 1 };
	struct sp_keys keys = { 0 };
	struct tcard t = { 0 };
	bool ok = false;

	h_card(&t, NULL);
	n = h_packet("1619", 0x15, 0x15, "C10001", 1, lock_cmd, 8, K1_KIC, K1_KID, SP_DIALECT_USSD, pkt);
	assert_int_equal(cat_build_ussd_download(&b, 0xF6, pkt, n, NULL), 0);
	memcpy(env, b.data, b.len);
	h_envelope(&t, env, b.len, por, &por_len);
	keys.kic.len = h_hex(K1_KIC, keys.kic.key, 32);
	keys.kid.len = h_hex(K1_KID, keys.kid.key, 32);
	assert_int_equal(sp_response_verify(por, por_len, &h, &keys, SP_DIALECT_USSD, &rsp, &ok, plain, sizeof(plain),
					    NULL),
			 SP_VERDICT_OK);
	assert_true(ok);
	assert_int_equal(rsp.status, 0);
	assert_int_equal(rsp.data_len, 2);
	assert_memory_equal(rsp.data, "OK", 2);
	assert_false(uicc_toolkit_network_auth_allowed(t.card));
	/* 7-bit text is not a data download: ignored */
	assert_int_equal(cat_build_ussd_download(&b, 0x0F, pkt, n, NULL), 0);
	assert_int_equal(h_envelope(&t, b.data, b.len, por, &por_len), 0x9000);
	assert_int_equal(por_len, 0);
	tcard_cleanup(&t);
}

/* A LOCK with a long message does not fit one SMS: parts out of order, a duplicate, 8- and 16-bit references. */
static void send_parts(struct tcard *t, bool concat16, uint64_t cntr, uint8_t *por, size_t *por_len)
{
	uint8_t data[200], pkt[SP_MAX_PACKET], env[300];
	struct sms_ota_part parts[4];
	size_t n, dl, env_len;
	int np;

	dl = h_cmd("LOCK", 7, NULL, data);
	data[dl++] = 0x81;
	data[dl++] = 110;
	memset(data + dl, 'x', 110);
	dl += 110;
	n = h_packet("1619", 0x15, 0x15, "C10001", cntr, data, dl, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	np = sms_ota_split(pkt, n, SMS_IEI_CPI, concat16, 0x1234, parts, 4, NULL);
	assert_int_equal(np, 2);
	env_len = h_sms_envelope(parts[1].ud, parts[1].len, env);
	assert_int_equal(h_envelope(t, env, env_len, por, por_len), 0x9000);
	assert_int_equal(*por_len, 0);
	assert_int_equal(h_envelope(t, env, env_len, por, por_len), 0x9000); /* duplicate: ignored */
	assert_int_equal(*por_len, 0);
	env_len = h_sms_envelope(parts[0].ud, parts[0].len, env);
	h_envelope(t, env, env_len, por, por_len);
}

static void test_concatenated(void **state)
{
	uint8_t por[300];
	size_t por_len;
	struct tcard t = { 0 };

	h_card(&t, NULL);
	send_parts(&t, false, 1, por, &por_len);
	assert_int_equal(por_len, 33); /* status 00, "OK", CC, 3DES */
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 1);
	send_parts(&t, true, 2, por, &por_len);
	assert_int_equal(por_len, 33);
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 2);
	tcard_cleanup(&t);
}

/* The reassembly bounds, with the card's clock in the test's hands. */
static void test_concat_bounds(void **state)
{
	struct ota_concat *c = ota_concat_alloc(NULL);
	struct sms_deliver d = { .udhi = true, .oa = { .ton = 1, .npi = 1, .digits = "12345" } };
	struct sms_udh h;
	uint8_t *msg;
	size_t len;
	bool cpi;

	for (int g = 0; g < OTA_CONCAT_GROUPS + 1; g++) {
		uint8_t ud[] = { 0x05, 0x00, 0x03, (uint8_t)g, 0x02, 0x02, 0xAA, 0xBB };
		memcpy(d.ud.ud, ud, sizeof(ud));
		d.ud.ud_len = sizeof(ud);
		assert_int_equal(sms_udh_parse(d.ud.ud, d.ud.ud_len, &h, NULL), 0);
		assert_int_equal(ota_concat_add(c, &d, &h, 100, NULL, &msg, &len, &cpi, NULL),
				 g < OTA_CONCAT_GROUPS ? SMS_REASM_PENDING : SMS_REASM_FULL);
	}
	assert_int_equal(ota_concat_pending(c), OTA_CONCAT_GROUPS);
	/* group 0 completes with its first part, which carries the CPI */
	{
		uint8_t ud[] = { 0x07, 0x00, 0x03, 0x00, 0x02, 0x01, 0x70, 0x00, 0x11, 0x22 };
		memcpy(d.ud.ud, ud, sizeof(ud));
		d.ud.ud_len = sizeof(ud);
		assert_int_equal(sms_udh_parse(d.ud.ud, d.ud.ud_len, &h, NULL), 0);
		assert_int_equal(ota_concat_add(c, &d, &h, 101, NULL, &msg, &len, &cpi, NULL), SMS_REASM_COMPLETE);
		assert_true(cpi);
		assert_int_equal(len, 4);
		assert_memory_equal(msg, "\x11\x22\xAA\xBB", 4);
		talloc_free(msg);
	}
	/* the others time out */
	{
		uint8_t ud[] = { 0x05, 0x00, 0x03, 0x09, 0x02, 0x02, 0xCC };
		memcpy(d.ud.ud, ud, sizeof(ud));
		d.ud.ud_len = sizeof(ud);
		sms_udh_parse(d.ud.ud, d.ud.ud_len, &h, NULL);
		assert_int_equal(ota_concat_add(c, &d, &h, 100 + OTA_CONCAT_TIMEOUT + 1, NULL, &msg, &len, &cpi, NULL),
				 SMS_REASM_PENDING);
		assert_int_equal(ota_concat_pending(c), 1);
	}
	ota_concat_reset(c);
	assert_int_equal(ota_concat_pending(c), 0);
	talloc_free(c);
}

/* With the proactive queue nearly full the toolkit is busy: 9300, and nothing was consumed. */
static void test_busy(void **state)
{
	uint8_t pkt[SP_MAX_PACKET], env[300], por[300], msg[64];
	size_t n, env_len, por_len, ml;
	struct h_session s;
	struct tcard t = { 0 };
	uint16_t sw;

	h_card(&t, NULL);
	h_power_up(&t, &s);
	/* MESSAGE queues two commands each; nobody fetches them */
	for (uint64_t c = 1; c <= 3; c++) {
		ml = h_cmd("MESG", (uint32_t)c, "810548656C6C6F", msg);
		n = h_packet("1619", 0x15, 0x15, "C10001", c, msg, ml, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
		env_len = h_packet_envelope(pkt, n, env);
		sw = h_envelope(&t, env, env_len, por, &por_len);
		assert_int_equal(sw >> 8, 0x91);
	}
	n = h_packet("1619", 0x15, 0x15, "C10001", 4, lock_cmd, 8, K1_KIC, K1_KID, SP_DIALECT_SMS, pkt);
	env_len = h_packet_envelope(pkt, n, env);
	assert_int_equal(h_envelope(&t, env, env_len, por, &por_len), 0x9300);
	assert_int_equal(ota_re_counter(t.card, 1, (const uint8_t *)"\xC1\x00\x01"), 3);
	/* the terminal works through the session, then the same packet goes through */
	h_serve(&t, 0x9100 | (uint16_t)uicc_toolkit_pending_len(t.card), &s);
	sw = h_envelope(&t, env, env_len, por, &por_len);
	assert_int_equal(por_len, 33);
	tcard_cleanup(&t);
}

/* Envelopes the receiving entity refuses as malformed, and those that are no command packet. */
static void test_bad_envelopes(void **state)
{
	static const char *const bad[] = {
		"D1028202",		       /* truncated device identities */
		"D10482028183",		       /* no TPDU */
		"D108820283818B02",	       /* bad lengths */
		"D1078202818306008B00",	       /* device identities reversed, empty TPDU */
		"D9058202838181",	       /* USSD without string */
	};
	/* oFono's "SMS-PP data download 1.6.1": a text, no UDH: 9000, ignored */
	static const char ofono[] = "D12D8202838106099111223344556677F88B1C04049121437F16891010000000000D53686F7274204D657373616765";
	uint8_t env[300], por[300];
	size_t n, por_len;
	struct tcard t = { 0 };

	h_card(&t, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = h_hex(bad[i], env, sizeof(env));
		assert_int_equal(h_envelope(&t, env, n, por, &por_len), 0x6A80);
	}
	n = h_hex(ofono, env, sizeof(env));
	assert_int_equal(h_envelope(&t, env, n, por, &por_len), 0x9000);
	assert_int_equal(por_len, 0);
	tcard_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example1_exact),
		cmocka_unit_test(test_example2_exact),
		cmocka_unit_test(test_matrix_accepted),
		cmocka_unit_test(test_matrix_refused),
		cmocka_unit_test(test_failures_silent_by_default),
		cmocka_unit_test(test_counter_committed_first),
		cmocka_unit_test(test_ussd),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_concat_bounds),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_bad_envelopes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
