/* AUTHENTICATE against independent truth: the 3GPP TS 35.208 test set 1 (K, OPc, RAND, SQN, AMF -> MAC-A, RES, CK,
 * IK, AK, AK*) and libosmocore's network side (osmo_auth_gen_vec builds the AUTN the card must accept;
 * osmo_auth_gen_vec_auts must accept the card's AUTS and recover its SQN). */
#include <osmocom/crypt/auth.h>

#include "test_uicc_util.h"
#include "test_uicc_toolkit_double.h"

/* TS 35.208 test set 1 (the demo profile carries its K and OPc) */
#define TS1_K	   "465B5CE8B199B49FAA5F0A2EE238A6BC"
#define TS1_OPC	   "CD63CB71954A9F4E48A5994E37A02BAF"
#define TS1_RAND   "23553CBE9637A89D218AE64DAE47BF35"
#define TS1_SQN	   "FF9BB4D0B607"
#define TS1_AMF	   "B9B9"
#define TS1_MAC_A  "4A9FFAC354DFAFB3"
#define TS1_RES	   "A54211D5E3BA50BF"
#define TS1_CK	   "B40BA9A3C58B2A05BBF0D987B21BF8CB"
#define TS1_IK	   "F769BCD751044604127672711C6D3441"
#define TS1_AK	   "AA689C648370"
#define TS1_AKSTAR "451E8BECA43B"
/* AUTN = SQN xor AK || AMF || MAC-A */
#define TS1_AUTN "55F328B43577" TS1_AMF TS1_MAC_A

#define PIN_OK       \
	"0020000108" \
	"31323334FFFFFFFF"
#define SELECT_USIM "00A4040C07A0000000871002"

static int setup(void **state)
{
	struct tcard *t = calloc(1, sizeof(*t));

	td_check_linked();
	tcard_init(t);
	td_auth_allowed = true;
	assert_sw(t, SELECT_USIM, 0x9000);
	assert_sw(t, PIN_OK, 0x9000);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tcard_cleanup(*state);
	free(*state);
	return 0;
}

static void hex(const char *s, uint8_t *out, size_t len)
{
	assert_int_equal(sg_hex_decode(s, out, len, "vector", NULL), (long)len);
}

/* AUTHENTICATE 3G context, then GET RESPONSE; returns the final SW with the data in t->rsp. */
static uint16_t authenticate(struct tcard *t, const uint8_t rand[16], const uint8_t autn[16])
{
	char cmd[128], r[33], a[33], gr[16];
	uint16_t sw;

	snprintf(cmd, sizeof(cmd), "008800812210%s10%s00", sg_hex_encode(rand, 16, r, sizeof(r)),
		 sg_hex_encode(autn, 16, a, sizeof(a)));
	sw = tx(t, cmd);
	if ((sw >> 8) != 0x61)
		return sw;
	snprintf(gr, sizeof(gr), "00C00000%02X", sw & 0xFF);
	return tx(t, gr);
}

static void aud_init(struct osmo_sub_auth_data *aud, uint64_t sqn)
{
	memset(aud, 0, sizeof(*aud));
	aud->type = OSMO_AUTH_TYPE_UMTS;
	aud->algo = OSMO_AUTH_ALG_MILENAGE;
	hex(TS1_K, aud->u.umts.k, 16);
	hex(TS1_OPC, aud->u.umts.opc, 16);
	hex(TS1_AMF, aud->u.umts.amf, 2);
	aud->u.umts.sqn = sqn;
	aud->u.umts.ind_bitlen = 5;
}

/* The test-set AUTN has a correct MAC, so the card gets past the MAC check; its SQN is far beyond anything the
 * card accepted (more than 2^28 ahead), so the card answers AUTS carrying its SQN_MS (0) under AK*. */
static void ts35208_vector_mac_ok_sqn_resync(void **state)
{
	struct tcard *t = *state;
	uint8_t rand[16], autn[16];

	hex(TS1_RAND, rand, 16);
	hex(TS1_AUTN, autn, 16);
	assert_int_equal(authenticate(t, rand, autn), 0x9000);
	assert_int_equal(t->rsp_len - 2, 16);
	assert_int_equal(t->rsp[0], 0xDC);
	assert_int_equal(t->rsp[1], 14);
	/* SQN_MS = 0, so the first 6 AUTS bytes are AK* itself */
	assert_memory_equal(rsp_hex(t) + 4, TS1_AKSTAR, 12);
}

static void tampered_mac(void **state)
{
	struct tcard *t = *state;
	uint8_t rand[16], autn[16];

	hex(TS1_RAND, rand, 16);
	hex(TS1_AUTN, autn, 16);
	autn[15] ^= 0x01;
	assert_int_equal(authenticate(t, rand, autn), 0x9862);
	autn[15] ^= 0x01;
	autn[6] ^= 0x80; /* AMF is under the MAC too */
	assert_int_equal(authenticate(t, rand, autn), 0x9862);
}

static void network_vector_accepted(void **state)
{
	struct tcard *t = *state;
	struct osmo_sub_auth_data aud;
	struct osmo_auth_vector vec;
	uint8_t rand[16];
	char res[17];

	hex(TS1_RAND, rand, 16);
	aud_init(&aud, 0);
	assert_int_equal(osmo_auth_gen_vec(&vec, &aud, rand), 0);
	assert_int_equal(authenticate(t, rand, vec.autn), 0x9000);
	/* DB 08 RES 10 CK 10 IK 08 Kc */
	assert_int_equal(t->rsp_len - 2, 1 + 9 + 17 + 17 + 9);
	assert_int_equal(t->rsp[0], 0xDB);
	assert_int_equal(t->rsp[1], 8);
	assert_memory_equal(t->rsp + 2, vec.res, 8);
	assert_memory_equal(t->rsp + 11, vec.ck, 16);
	assert_memory_equal(t->rsp + 28, vec.ik, 16);
	assert_memory_equal(t->rsp + 45, vec.kc, 8);
	/* f2-f4 do not depend on SQN: the published values for this RAND */
	assert_string_equal(sg_hex_encode(t->rsp + 2, 8, res, sizeof(res)), TS1_RES);
	assert_memory_equal(rsp_hex(t) + 22, TS1_CK, 32);
	assert_memory_equal(rsp_hex(t) + 56, TS1_IK, 32);
	/* the trace shows RES but never CK/IK/Kc */
	{
		uint8_t out[128];
		size_t n = uicc_card_trace_redact(t->card, (const uint8_t *)"\x00\xC0\x00\x00\x35", 5, t->rsp,
						  t->rsp_len, out, sizeof(out));
		assert_int_equal(n, 5 + t->rsp_len);
		assert_memory_equal(out + 7, vec.res, 8);
		for (size_t i = 5 + 11; i < n - 2; i++)
			if (i != 5 + 27 && i != 5 + 44)
				assert_int_equal(out[i], 0xFF);
	}
}

static void replay_gives_auts_network_resyncs(void **state)
{
	struct tcard *t = *state;
	struct osmo_sub_auth_data aud;
	struct osmo_auth_vector vec, vec2;
	uint8_t rand[16], rand2[16], auts[14];

	hex(TS1_RAND, rand, 16);
	memset(rand2, 0x5A, 16);
	aud_init(&aud, 0x1000);
	assert_int_equal(osmo_auth_gen_vec(&vec, &aud, rand), 0);
	assert_int_equal(authenticate(t, rand, vec.autn), 0x9000);
	/* the same AUTN again: replay -> sync failure */
	assert_int_equal(authenticate(t, rand, vec.autn), 0x9000);
	assert_int_equal(t->rsp[0], 0xDC);
	memcpy(auts, t->rsp + 2, 14);
	/* libosmocore's AuC verifies MAC-S and recovers the card's SQN */
	aud_init(&aud, 0);
	assert_int_equal(osmo_auth_gen_vec_auts(&vec2, &aud, auts, rand, rand2), 0);
	assert_int_equal(aud.u.umts.sqn_ms, 0x1000 + 32);
	/* the resynchronised vector is fresh for the card */
	assert_int_equal(authenticate(t, rand2, vec2.autn), 0x9000);
	assert_int_equal(t->rsp[0], 0xDB);
	/* the accepted SQN survives a new process: the replay is still refused */
	tcard_close(t);
	tcard_open(t);
	assert_sw(t, SELECT_USIM, 0x9000);
	assert_sw(t, PIN_OK, 0x9000);
	assert_int_equal(authenticate(t, rand2, vec2.autn), 0x9000);
	assert_int_equal(t->rsp[0], 0xDC);
}

/* TS 33.102 C.3: each IND slot keeps its own SEQ, so vectors used out of order across slots are accepted */
static void ind_slots(void **state)
{
	struct tcard *t = *state;
	struct osmo_sub_auth_data aud;
	struct osmo_auth_vector v1, v2;
	uint8_t rand[16];

	hex(TS1_RAND, rand, 16);
	aud_init(&aud, 0);
	aud.u.umts.ind = 1;
	assert_int_equal(osmo_auth_gen_vec(&v1, &aud, rand), 0);
	aud.u.umts.ind = 2;
	assert_int_equal(osmo_auth_gen_vec(&v2, &aud, rand), 0);
	assert_int_equal(authenticate(t, rand, v2.autn), 0x9000);
	assert_int_equal(t->rsp[0], 0xDB);
	assert_int_equal(authenticate(t, rand, v1.autn), 0x9000);
	assert_int_equal(t->rsp[0], 0xDB);
}

static void gsm_context(void **state)
{
	struct tcard *t = *state;
	struct osmo_sub_auth_data aud;
	struct osmo_auth_vector vec;
	uint8_t rand[16];
	uint16_t sw;

	hex(TS1_RAND, rand, 16);
	aud_init(&aud, 0);
	assert_int_equal(osmo_auth_gen_vec(&vec, &aud, rand), 0);
	sw = tx(t, "0088008011"
		   "10" TS1_RAND "00");
	assert_int_equal(sw, 0x610E);
	assert_sw(t, "00C000000E", 0x9000);
	assert_int_equal(t->rsp[0], 4);
	assert_memory_equal(t->rsp + 1, vec.sres, 4);
	assert_int_equal(t->rsp[5], 8);
	assert_memory_equal(t->rsp + 6, vec.kc, 8);
}

static void conditions(void **state)
{
	struct tcard *t = *state;
	uint8_t rand[16], autn[16];

	hex(TS1_RAND, rand, 16);
	hex(TS1_AUTN, autn, 16);
	/* locked by the anti-theft applet */
	td_auth_allowed = false;
	assert_int_equal(authenticate(t, rand, autn), 0x6985);
	td_auth_allowed = true;
	/* PIN not verified after a reset */
	uicc_card_reset(t->card);
	assert_sw(t, SELECT_USIM, 0x9000);
	assert_int_equal(authenticate(t, rand, autn), 0x6982);
	assert_sw(t, PIN_OK, 0x9000);
	/* no application selected */
	uicc_card_reset(t->card);
	assert_sw(t, PIN_OK, 0x9000);
	assert_int_equal(authenticate(t, rand, autn), 0x6985);
	assert_sw(t, SELECT_USIM, 0x9000);
	/* format errors */
	assert_sw(t,
		  "0088008222"
		  "10" TS1_RAND "10" TS1_AUTN,
		  0x6B00);
	assert_sw(t,
		  "0088018122"
		  "10" TS1_RAND "10" TS1_AUTN,
		  0x6B00);
	assert_sw(t,
		  "0088008121"
		  "10" TS1_RAND "10"
		  "55F328B43577B9B94A9FFAC354DFAF",
		  0x6700);
	assert_sw(t,
		  "0088008122"
		  "11" TS1_RAND "10" TS1_AUTN,
		  0x6A80);
	assert_sw(t, "00880081", 0x6700);
	assert_sw(t,
		  "8088008122"
		  "10" TS1_RAND "10" TS1_AUTN,
		  0x6E00);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ts35208_vector_mac_ok_sqn_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(tampered_mac, setup, teardown),
		cmocka_unit_test_setup_teardown(network_vector_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(replay_gives_auts_network_resyncs, setup, teardown),
		cmocka_unit_test_setup_teardown(ind_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(gsm_context, setup, teardown),
		cmocka_unit_test_setup_teardown(conditions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
