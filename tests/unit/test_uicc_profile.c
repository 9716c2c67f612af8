/* Card profile parsing: the demo profile, OP -> OPc derivation checked against TS 35.208 test set 1, and one clear
 * error naming the field for each kind of bad input; card creation errors for files that do not fit the card and
 * for an image that belongs to another card. */
#include <jansson.h>

#include "test_uicc_util.h"
#include "uicc/fs.h"

#define BASE_MIN                                                              \
	"\"iccid\": \"8988211000000000003\", \"imsi\": \"001010000000001\", " \
	"\"milenage\": {\"k\": \"465B5CE8B199B49FAA5F0A2EE238A6BC\", "        \
	"\"opc\": \"CD63CB71954A9F4E48A5994E37A02BAF\"}, "                    \
	"\"pin\": {\"pin1\": \"1234\", \"puk1\": \"12345678\"}"

static struct uicc_profile *parse(const char *json, struct sg_error *err)
{
	return uicc_profile_parse(NULL, json, strlen(json), err);
}

static void expect_error(const char *json, const char *msg)
{
	struct sg_error err;
	struct uicc_profile *p = parse(json, &err);

	if (p) {
		talloc_free(p);
		fail_msg("accepted: %s", json);
	}
	assert_string_equal(err.msg, msg);
}

static void demo_profile(void **state)
{
	struct sg_error err;
	struct uicc_profile *p = uicc_profile_load(NULL, DEMO_PROFILE, &err);
	const struct uicc_keyset *ks;
	const struct uicc_profile_tar *tar;

	if (!p)
		fail_msg("%s", err.msg);
	assert_string_equal(p->iccid, "8988211000000000003");
	assert_string_equal(p->imsi, "001010000000001");
	assert_string_equal(p->msisdn, "+15550100001");
	assert_int_equal(p->sqn_ind_bits, 5);
	assert_true(p->pin1_enabled);
	assert_int_equal(p->pin1_tries, 3);
	assert_int_equal(p->puk1_tries, 10);
	assert_true(p->has_adm1);
	assert_memory_equal(p->adm1, "88888888", 8);
	assert_int_equal(p->n_keysets, 2);
	ks = uicc_profile_keyset(p, 2);
	assert_non_null(ks);
	assert_int_equal(ks->kic_alg, UICC_KIC_AES_CBC);
	assert_int_equal(ks->kid_alg, UICC_KID_AES_CMAC);
	assert_int_equal(ks->kic.len, 16);
	assert_int_equal(ks->kic.bytes[15], 0x0F);
	assert_int_equal(uicc_profile_keyset(p, 1)->kic_alg, UICC_KIC_3DES2_CBC);
	assert_null(uicc_profile_keyset(p, 3));
	tar = uicc_profile_tar(p, (const uint8_t *)"\xC1\x00\x01");
	assert_non_null(tar);
	assert_string_equal(tar->app, "antitheft");
	assert_int_equal(tar->msl, 0x16);
	assert_int_equal(tar->kvn_mask, (1 << 1) | (1 << 2));
	assert_null(uicc_profile_tar(p, (const uint8_t *)"\xC1\x00\x02"));
	assert_int_equal(p->error_por, UICC_ERROR_POR_NONE);
	assert_int_equal(p->n_files, 2);
	assert_int_equal(uicc_profile_counter(p, 1, (const uint8_t *)"\xC1\x00\x01"), 0);
	talloc_free(p);
}

static void op_to_opc_and_defaults(void **state)
{
	struct sg_error err;
	struct uicc_profile *p =
		parse("{\"iccid\": \"8988211000000000003\", \"imsi\": \"001010000000001\", "
		      "\"milenage\": {\"k\": \"465B5CE8B199B49FAA5F0A2EE238A6BC\", "
		      "\"op\": \"CDC202D5123E20F62B6D676AC72CB318\"}, "
		      "\"pin\": {\"pin1\": \"0000\", \"puk1\": \"00000000\", \"pin1_enabled\": false},"
		      "\"ota\": {\"keysets\": [{\"kvn\": 3, \"kid\": {\"alg\": \"des\", \"key\": "
		      "\"0102030405060708\"}}], \"counters\": [{\"kvn\": 3, \"value\": 7}, "
		      "{\"kvn\": 3, \"tar\": \"B00010\", \"value\": 1099511627775}], "
		      "\"error_por\": \"unsecured\"}, \"apps\": {\"antitheft\": {\"lock_refuses_network\": "
		      "false}, \"rfm-usim\": {\"x\": 1}}}",
		      &err);
	uint8_t opc[16];

	if (!p)
		fail_msg("%s", err.msg);
	sg_hex_decode("CD63CB71954A9F4E48A5994E37A02BAF", opc, 16, "opc", NULL);
	assert_memory_equal(p->opc, opc, 16);
	assert_false(p->pin1_enabled);
	assert_false(p->has_adm1);
	assert_int_equal(p->error_por, UICC_ERROR_POR_UNSECURED);
	assert_int_equal(uicc_profile_counter(p, 3, (const uint8_t *)"\xB0\x00\x10"), 0xFFFFFFFFFFULL);
	assert_int_equal(uicc_profile_counter(p, 3, (const uint8_t *)"\xB0\x00\x11"), 7);
	assert_true(json_is_false(json_object_get(uicc_profile_app(p, "antitheft"), "lock_refuses_network")));
	assert_int_equal(json_integer_value(json_object_get(uicc_profile_app(p, "rfm-usim"), "x")), 1);
	assert_null(uicc_profile_app(p, "other"));
	talloc_free(p);
}

static void errors(void **state)
{
	expect_error("{", "profile: line 1 column 1: string or '}' expected near end of file");
	expect_error("[]", "profile: the top level must be an object");
	expect_error("{" BASE_MIN ", \"colour\": 1}", "colour: unknown field");
	expect_error("{\"imsi\": \"001010000000001\"}", "iccid: missing");
	expect_error("{\"iccid\": \"8988211000000000004\", \"imsi\": \"001010000000001\"}",
		     "iccid: Luhn check digit 4 is wrong");
	expect_error("{\"iccid\": \"89882110000000000A3\"}", "iccid: non-digit 'A' at position 18");
	expect_error("{\"iccid\": 8988211000000000003}", "iccid: must be a string");
	expect_error("{\"iccid\": \"8988211000000000003\", \"imsi\": \"0010\"}", "imsi: needs 6 to 15 digits, has 4");
	expect_error("{\"iccid\": \"8988211000000000003\", \"imsi\": \"001010000000001\", \"atr\": \"1234\"}",
		     "atr: must start with TS 3B or 3F and have at least T0");
	expect_error("{\"iccid\": \"8988211000000000003\", \"imsi\": \"001010000000001\", \"milenage\": {\"k\": "
		     "\"00\"}}",
		     "milenage.k: must be 16 bytes");
	expect_error("{\"iccid\": \"8988211000000000003\", \"imsi\": \"001010000000001\", \"milenage\": {\"k\": "
		     "\"465B5CE8B199B49FAA5F0A2EE238A6BC\"}}",
		     "milenage: give exactly one of opc and op");
	expect_error("{\"iccid\": \"8988211000000000003\", \"imsi\": \"001010000000001\", \"milenage\": {\"k\": "
		     "\"465B5CE8B199B49FAA5F0A2EE238A6BG\", \"opc\": \"00\"}}",
		     "milenage.k: 'G' at position 32 is not a hex digit");
	expect_error("{\"iccid\": \"8988211000000000003\", \"imsi\": \"001010000000001\", "
		     "\"milenage\": {\"k\": \"465B5CE8B199B49FAA5F0A2EE238A6BC\", \"opc\": "
		     "\"CD63CB71954A9F4E48A5994E37A02BAF\"}, \"pin\": {\"pin1\": \"12\", \"puk1\": \"12345678\"}}",
		     "pin.pin1: needs 4 to 8 digits, has 2");
	expect_error("{" BASE_MIN ", \"ota\": {\"keysets\": [{\"kvn\": 16, \"kic\": {\"alg\": \"aes\", \"key\": "
		     "\"00\"}}]}}",
		     "ota.keysets[0].kvn: 16 is outside 1..15");
	expect_error("{" BASE_MIN ", \"ota\": {\"keysets\": [{\"kvn\": 1, \"kic\": {\"alg\": \"aes\", \"key\": "
		     "\"0011\"}}]}}",
		     "ota.keysets[0].kic.key: aes needs a key of 16, 24 or 32 bytes, got 2");
	expect_error("{" BASE_MIN ", \"ota\": {\"keysets\": [{\"kvn\": 1, \"kid\": {\"alg\": \"des-ecb\", \"key\": "
		     "\"0011223344556677\"}}]}}",
		     "ota.keysets[0].kid.alg: 'des-ecb' is not a checksum algorithm (des, 3des2, 3des3, aes)");
	expect_error("{" BASE_MIN ", \"ota\": {\"keysets\": [{\"kvn\": 1, \"kic\": {\"alg\": \"des\", \"key\": "
		     "\"0011223344556677\"}}, {\"kvn\": 1, \"kic\": {\"alg\": \"des\", \"key\": "
		     "\"0011223344556677\"}}]}}",
		     "ota.keysets[1].kvn: keyset 1 defined twice");
	expect_error("{" BASE_MIN ", \"ota\": {\"keysets\": [{\"kvn\": 1}]}}",
		     "ota.keysets[0]: needs a kic or a kid key");
	expect_error("{" BASE_MIN ", \"ota\": {\"counters\": [{\"kvn\": 4, \"value\": 1}]}}",
		     "ota.counters[0].kvn: no keyset 4");
	expect_error("{" BASE_MIN ", \"ota\": {\"tars\": [{\"tar\": \"C1\", \"app\": \"x\", \"msl\": 0}]}}",
		     "ota.tars[0].tar: must be 3 bytes (6 hex digits)");
	expect_error("{" BASE_MIN ", \"ota\": {\"tars\": [{\"tar\": \"C10001\", \"app\": \"x\", \"msl\": 300}]}}",
		     "ota.tars[0].msl: 300 is outside 0..255");
	expect_error("{" BASE_MIN ", \"ota\": {\"tars\": [{\"tar\": \"C10001\", \"app\": \"x\", \"msl\": \"16\"}, "
		     "{\"tar\": \"C10001\", \"app\": \"y\", \"msl\": \"16\"}]}}",
		     "ota.tars[1].tar: C10001 listed twice");
	expect_error("{" BASE_MIN ", \"ota\": {\"error_por\": \"signed\"}}",
		     "ota.error_por: 'signed' is neither \"none\" nor \"unsecured\"");
	expect_error("{" BASE_MIN ", \"files\": [{\"file\": \"EF.ADN\", \"data\": \"00\", \"records\": []}]}",
		     "files[0]: give either data (transparent EF) or records (record EF), not both");
	expect_error("{" BASE_MIN ", \"files\": [{\"file\": \"EF.ADN\", \"records\": [\"0\"]}]}",
		     "files[0].records[0]: odd number of hex digits");
	expect_error("{" BASE_MIN ", \"iccid\": \"8988211000000000003\"}",
		     "profile: line 1 column 210: duplicate object key near '\"iccid\"'");
}

/* apps.antitheft is read by the applet when the card starts; a bad section is a load error naming the field, not
 * a card running with the defaults (no owner key, default lock message). */
static void antitheft_settings_errors(void **state)
{
	expect_error("{" BASE_MIN ", \"apps\": {\"antitheft\": {\"owner_key\": \"0011\"}}}",
		     "apps.antitheft.owner_key: needs 32 bytes, got 2");
	expect_error("{" BASE_MIN ", \"apps\": {\"antitheft\": {\"lock_mesage\": \"Locked\"}}}",
		     "apps.antitheft.lock_mesage: unknown field");
	expect_error("{" BASE_MIN ", \"apps\": {\"antitheft\": {\"lock_refuses_network\": \"yes\"}}}",
		     "apps.antitheft.lock_refuses_network: must be true or false");
	expect_error("{" BASE_MIN ", \"apps\": {\"antitheft\": {\"emergency_numbers\": [\"112\", \"1\"]}}}",
		     "apps.antitheft.emergency_numbers[1]: must be 2 to 7 digits");
	expect_error("{" BASE_MIN ", \"apps\": {\"antitheft\": [1, 2]}}", "apps.antitheft: must be an object");
}

static void card_creation_errors(void **state)
{
	static const char *const cases[][2] = {
		{"[{\"file\": \"EF.NOPE\", \"data\": \"00\"}]", "files[0].file: no EF 'EF.NOPE' on this card"},
		{"[{\"file\": \"EF.ICCID\", \"records\": [\"00\"]}]", "files[0]: EF.ICCID is transparent (use data)"},
		{"[{\"file\": \"EF.AD\", \"data\": \"0000000203\"}]", "files[0].data: 5 bytes, EF.AD has 4"},
		{"[{\"file\": \"3F00/7F10/6F3A\", \"records\": [\"00\", \"00\"], \"record_count\": 1}]",
		 "files[0].records: 2 records, EF.ADN has 1"},
		{"[{\"file\": \"EF.ADN\", \"size\": 10}]", "files[0].size: EF.ADN is a record file (use record_count)"},
	};
	char json[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sg_error err;
		struct uicc_profile *p;
		snprintf(json, sizeof(json), "{" BASE_MIN ", \"files\": %s}", cases[i][0]);
		p = parse(json, &err);
		if (!p)
			fail_msg("%s", err.msg);
		assert_null(uicc_card_create(NULL, p, NULL, &err));
		assert_string_equal(err.msg, cases[i][1]);
	}
}

static void file_overrides(void **state)
{
	struct sg_error err;
	struct uicc_profile *p = parse("{" BASE_MIN ", \"files\": [{\"file\": \"EF.ADN\", \"record_count\": 5}, "
				       "{\"file\": \"EF.AD\", \"data\": \"00000003\"}]}",
				       &err);
	struct uicc_card *card;
	struct uicc_fs *fs;
	uint8_t buf[8];
	size_t n;

	assert_non_null(p);
	card = uicc_card_create(NULL, p, NULL, &err);
	if (!card)
		fail_msg("%s", err.msg);
	fs = uicc_card_fs(card);
	assert_int_equal(uicc_file_rec_count(uicc_fs_by_name(fs, "EF.ADN")), 5);
	assert_int_equal(uicc_fs_read_binary(fs, uicc_fs_by_name(fs, "EF.AD"), 0, 4, false, buf, &n), 0x9000);
	assert_memory_equal(buf, "\x00\x00\x00\x03", 4);
	uicc_card_free(card);
}

static void image_of_another_card(void **state)
{
	struct tcard t;
	struct sg_error err;
	struct uicc_profile *p;

	tcard_init(&t);
	tcard_close(&t);
	p = parse("{\"iccid\": \"8988211000000000011\", \"imsi\": \"001010000000001\", "
		  "\"milenage\": {\"k\": \"465B5CE8B199B49FAA5F0A2EE238A6BC\", "
		  "\"opc\": \"CD63CB71954A9F4E48A5994E37A02BAF\"}, "
		  "\"pin\": {\"pin1\": \"1234\", \"puk1\": \"12345678\"}}",
		  &err);
	if (!p)
		fail_msg("%s", err.msg);
	assert_null(uicc_card_create(NULL, p, t.image, &err));
	assert_string_equal(
		err.msg, "card image belongs to ICCID 8988211000000000003, the profile is ICCID 8988211000000000011");
	tcard_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(demo_profile),
		cmocka_unit_test(op_to_opc_and_defaults),
		cmocka_unit_test(errors),
		cmocka_unit_test(antitheft_settings_errors),
		cmocka_unit_test(card_creation_errors),
		cmocka_unit_test(file_overrides),
		cmocka_unit_test(image_of_another_card),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
