/* OTA algorithms against published and independently computed values: RFC 4493 / NIST SP 800-38B CMAC
 * examples, CRC catalogue check values, onomondo's CC vectors, and ciphertexts / CBC-MACs computed with
 * `openssl enc -nopad -iv 0` (DES from the legacy provider, which the library does not use). Also the KIc/KID
 * coding table, key length errors and the per-thread context cache under concurrency. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <cmocka.h>

#include "test_sp_util.h"

#include "simguard/ota_crypto.h"

#define NIST_MSG                                                                                                     \
	"6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EF"           \
	"F69F2445DF4F9B17AD2B417BE66C3710"
#define AES128_KEY "2B7E151628AED2A6ABF7158809CF4F3C"
#define AES192_KEY "8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B"
#define AES256_KEY "603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4"

static void checksum_expect(enum ota_mac m, const char *key_hex, const char *msg_hex, size_t split, size_t out_len,
			    const char *want)
{
	uint8_t key[32], msg[128], out[16];
	size_t kl = key_hex ? unhex(key_hex, key, sizeof(key)) : 0, ml = unhex(msg_hex, msg, sizeof(msg));
	struct sg_error err = { "" };

	if (split > ml)
		split = ml;
	if (ota_checksum(m, key, kl, msg, split, msg + split, ml - split, out, out_len, &err) < 0)
		fail_msg("checksum: %s", err.msg);
	assert_hex(out, out_len, want);
}

/* RFC 4493 section 4 (AES-128) and NIST SP 800-38B appendix D (AES-192/256), full 16-byte tags. */
static void cmac_published(void **state)
{
	checksum_expect(OTA_MAC_AES_CMAC, AES128_KEY, "", 0, 16, "BB1D6929E95937287FA37D129B756746");
	checksum_expect(OTA_MAC_AES_CMAC, AES128_KEY, "6BC1BEE22E409F96E93D7E117393172A", 5, 16,
			"070A16B46B4D4144F79BDD9DD04A287C");
	checksum_expect(OTA_MAC_AES_CMAC, AES128_KEY,
			"6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411", 17, 16,
			"DFA66747DE9AE63030CA32611497C827");
	checksum_expect(OTA_MAC_AES_CMAC, AES128_KEY, NIST_MSG, 64, 16, "51F0BEBF7E3B9D92FC49741779363CFE");
	checksum_expect(OTA_MAC_AES_CMAC, AES192_KEY, "", 0, 16, "D17DDF46ADAACDE531CAC483DE7A9367");
	checksum_expect(OTA_MAC_AES_CMAC, AES192_KEY, NIST_MSG, 32, 16, "A1D5DF0EED790F794D77589659F39A11");
	checksum_expect(OTA_MAC_AES_CMAC, AES256_KEY, "", 0, 16, "028962F61B7BF89EFC6B551F4667D983");
	checksum_expect(OTA_MAC_AES_CMAC, AES256_KEY, NIST_MSG, 0, 16, "E1992190549F6ED5696A2C056C315410");
	/* the OTA CC is the leftmost 8 bytes */
	checksum_expect(OTA_MAC_AES_CMAC, AES128_KEY, NIST_MSG, 10, 8, "51F0BEBF7E3B9D92");
}

/* onomondo ota_test: CC over 0028151E193232B00011000000000106 || 0123456789ABCDEF0123456701234567 */
static void cc_onomondo(void **state)
{
	const char *in = "0028151E193232B000110000000001060123456789ABCDEF0123456701234567";

	checksum_expect(OTA_MAC_3DES2_CBC, "AABBCCDDEEFF11220000000000000000", in, 16, 8, "C0995C616FA90E18");
	checksum_expect(OTA_MAC_AES_CMAC, "AABBCCDDEEFF11220000000000000000", in, 16, 8, "BADDDA0EE401D63D");
}

/* CBC-MAC over "0123456789ABC", zero-padded to 16: openssl enc -des-cbc / -des-ede-cbc / -des-ede3-cbc, last block */
static void cbc_mac_openssl(void **state)
{
	const char *in = "30313233343536373839414243";
	size_t split;

	for (split = 0; split <= 13; split++) {
		checksum_expect(OTA_MAC_DES_CBC, "0123456789ABCDEF", in, split, 8, "403AEBB24DDEE14B");
		checksum_expect(OTA_MAC_3DES2_CBC, "0123456789ABCDEFFEDCBA9876543210", in, split, 8,
				"C8A47C62A9B81F74");
		checksum_expect(OTA_MAC_3DES3_CBC, "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567", in, split, 8,
				"BBBF60D960D3679A");
	}
	/* a shorter RC/CC takes the leftmost bytes */
	checksum_expect(OTA_MAC_DES_CBC, "0123456789ABCDEF", in, 3, 4, "403AEBB2");
}

/* CRC catalogue check values over "123456789", whatever the split between the two pieces. */
static void crc_check_values(void **state)
{
	const char *in = "313233343536373839";
	size_t split;

	for (split = 0; split <= 9; split++) {
		checksum_expect(OTA_MAC_CRC16, NULL, in, split, 2, "906E");
		checksum_expect(OTA_MAC_CRC32, NULL, in, split, 4, "CBF43926");
	}
	checksum_expect(OTA_MAC_CRC16, NULL, "", 0, 2, "0000");
	checksum_expect(OTA_MAC_CRC32, NULL, "", 0, 4, "00000000");
}

struct cipher_vec {
	enum ota_cipher c;
	const char *key, *ct;
};

#define PLAIN "4E6F77206973207468652074696D6520666F7220616C6C200001020304050607"

static void ciphers_openssl(void **state)
{
	static const struct cipher_vec vecs[] = {
		{ OTA_CIPHER_DES_CBC, "0123456789ABCDEF",
		  "3FA40E8A984D48150B2E73F88DC5856A70A30640CC76DD8BB98E7E9157482811" },
		{ OTA_CIPHER_DES_ECB, "0123456789ABCDEF",
		  "3FA40E8A984D48156A271787AB8883F9893D51EC4B563B533260266C2CF202E2" },
		{ OTA_CIPHER_3DES2_CBC, "0123456789ABCDEFFEDCBA9876543210",
		  "D80A0D8B2BAE5E4E319E5E68C3E8891B93462A6DB9B4A4D1BFB0ACC29B083054" },
		{ OTA_CIPHER_3DES3_CBC, "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567",
		  "FBE62B683922941E80E93BCE66BE3463B2FBD705B999B15D70D797316AD0C39A" },
		{ OTA_CIPHER_AES_CBC, AES128_KEY, "C5851F65A397DAC211F0B061DB831F90D6229EF7FA87DFE942BF2060C0ACF7FD" },
		{ OTA_CIPHER_AES_CBC, AES192_KEY, "7C76D3844CF7D64CB3FD58DCA8DEDEC418DFA60005C906903D9FD8EC69A2F86D" },
		{ OTA_CIPHER_AES_CBC, AES256_KEY, "CA600E3D94DC58B0E62889EAAB7EAE3E5D7410D196F7F8628137ECBF65CAAE3E" },
	};
	uint8_t key[32], plain[32], buf[32];
	struct sg_error err = { "" };
	size_t i, kl;

	unhex(PLAIN, plain, sizeof(plain));
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		kl = unhex(vecs[i].key, key, sizeof(key));
		if (ota_encrypt(vecs[i].c, key, kl, plain, 32, buf, &err) < 0)
			fail_msg("encrypt %zu: %s", i, err.msg);
		assert_hex(buf, 32, vecs[i].ct);
		/* in place, back again */
		assert_int_equal(ota_decrypt(vecs[i].c, key, kl, buf, 32, buf, &err), 0);
		assert_memory_equal(buf, plain, 32);
	}
}

static void cipher_errors(void **state)
{
	uint8_t key[32] = { 1 }, buf[32] = { 0 };
	struct sg_error err;

	assert_int_equal(ota_encrypt(OTA_CIPHER_AES_CBC, key, 16, buf, 24, buf, &err), -1);
	assert_string_equal(err.msg, "crypto: 24 bytes are not a multiple of the 16-byte block");
	assert_int_equal(ota_encrypt(OTA_CIPHER_DES_CBC, key, 8, buf, 7, buf, &err), -1);
	assert_int_equal(ota_decrypt(OTA_CIPHER_3DES2_CBC, key, 24, buf, 8, buf, &err), -1);
	assert_string_equal(err.msg, "key: 3DES two-key needs 16 bytes, got 24");
	assert_int_equal(ota_encrypt(OTA_CIPHER_AES_CBC, key, 16, buf, 0, buf, &err), 0);
	assert_int_equal(ota_checksum(OTA_MAC_AES_CMAC, key, 20, buf, 4, NULL, 0, buf, 8, &err), -1);
	assert_string_equal(err.msg, "key: AES needs 16, 24 or 32 bytes, got 20");
	assert_int_equal(ota_checksum(OTA_MAC_DES_CBC, key, 8, buf, 4, NULL, 0, buf, 9, &err), -1);
	assert_string_equal(err.msg, "crypto: a checksum of 9 bytes cannot be made");
	assert_int_equal(ota_checksum(OTA_MAC_CRC16, NULL, 0, buf, 4, NULL, 0, buf, 4, &err), -1);
	assert_string_equal(err.msg, "crypto: CRC-16 is 2 bytes, 4 asked");
}

static void key_lengths(void **state)
{
	struct sg_error err;

	assert_int_equal(ota_cipher_key_ok(OTA_CIPHER_3DES2_CBC, 8, "kic-key", &err), -1);
	assert_string_equal(err.msg, "kic-key: 3DES two-key needs 16 bytes, got 8");
	assert_int_equal(ota_cipher_key_ok(OTA_CIPHER_3DES3_CBC, 16, "kic-key", &err), -1);
	assert_string_equal(err.msg, "kic-key: 3DES three-key needs 24 bytes, got 16");
	assert_int_equal(ota_cipher_key_ok(OTA_CIPHER_DES_ECB, 16, "kic-key", &err), -1);
	assert_string_equal(err.msg, "kic-key: DES-ECB needs 8 bytes, got 16");
	assert_int_equal(ota_cipher_key_ok(OTA_CIPHER_AES_CBC, 0, "kic-key", &err), -1);
	assert_string_equal(err.msg, "kic-key: AES needs 16, 24 or 32 bytes, got 0");
	assert_int_equal(ota_mac_key_ok(OTA_MAC_DES_CBC, 16, "kid-key", &err), -1);
	assert_string_equal(err.msg, "kid-key: DES needs 8 bytes, got 16");
	assert_int_equal(ota_cipher_key_ok(OTA_CIPHER_AES_CBC, 32, "kic-key", &err), 0);
	assert_int_equal(ota_mac_key_ok(OTA_MAC_CRC32, 0, "kid-key", &err), 0);
	assert_int_equal(ota_mac_key_ok(OTA_MAC_3DES3_CBC, 24, "kid-key", &err), 0);
}

/* Every low nibble of KIc and KID, TS 102 225 clause 5.1.2 tables. */
static void coding_tables(void **state)
{
	static const int kic_want[16] = {
		-1, OTA_CIPHER_DES_CBC, OTA_CIPHER_AES_CBC, -1, -1, OTA_CIPHER_3DES2_CBC, -1, -1,
		-1, OTA_CIPHER_3DES3_CBC, -1, -1, -1, OTA_CIPHER_DES_ECB, -1, -1,
	};
	static const int cc_want[16] = {
		-1, OTA_MAC_DES_CBC, OTA_MAC_AES_CMAC, -1, -1, OTA_MAC_3DES2_CBC, -1, -1,
		-1, OTA_MAC_3DES3_CBC, -1, -1, -1, -1, -1, -1,
	};
	enum ota_cipher c;
	enum ota_mac m;
	struct sg_error err;
	int i;

	for (i = 0; i < 16; i++) {
		uint8_t id = (uint8_t)(0x30 | i);

		assert_int_equal(ota_cipher_from_kic(id, 16, &c, &err), kic_want[i] < 0 ? -1 : 0);
		if (kic_want[i] >= 0)
			assert_int_equal(c, kic_want[i]);
		else
			assert_non_null(strstr(err.msg, "kic: algorithm"));
		assert_int_equal(ota_mac_from_kid(id, 0x02, 16, &m, &err), cc_want[i] < 0 ? -1 : 0);
		if (cc_want[i] >= 0)
			assert_int_equal(m, cc_want[i]);
		assert_int_equal(ota_mac_from_kid(id, 0x01, 0, &m, &err), i == 1 || i == 5 ? 0 : -1);
		if (i == 1 || i == 5)
			assert_int_equal(m, i == 1 ? OTA_MAC_CRC16 : OTA_MAC_CRC32);
	}
	assert_int_equal(ota_mac_from_kid(0x15, 0x03, 16, &m, &err), -1);
	assert_string_equal(err.msg, "spi: digital signature (DS) is not supported");
	assert_int_equal(ota_cipher_from_kic(0x17, 16, &c, &err), -1);
	assert_string_equal(err.msg, "kic: algorithm 0x7 is proprietary (not supported)");
	assert_int_equal(ota_cipher_block(OTA_CIPHER_AES_CBC), 16);
	assert_int_equal(ota_cipher_block(OTA_CIPHER_3DES2_CBC), 8);
}

static void constant_time_compare(void **state)
{
	assert_true(ota_chk_equal((const uint8_t *)"abcdefgh", (const uint8_t *)"abcdefgh", 8));
	assert_false(ota_chk_equal((const uint8_t *)"abcdefgh", (const uint8_t *)"abcdefgi", 8));
	assert_false(ota_chk_equal((const uint8_t *)"xbcdefgh", (const uint8_t *)"abcdefgh", 8));
}

/* Each thread has its own contexts: results stay right when threads interleave algorithms and key sizes, and
 * after the contexts were scrubbed. */
static void *hammer(void *arg)
{
	uint8_t k128[16], k256[32], k3[16], msg[64], out[16], ct[32], plain[32];
	long bad = 0;
	int i;

	unhex(AES128_KEY, k128, sizeof(k128));
	unhex(AES256_KEY, k256, sizeof(k256));
	unhex("0123456789ABCDEFFEDCBA9876543210", k3, sizeof(k3));
	unhex(NIST_MSG, msg, sizeof(msg));
	unhex(PLAIN, plain, sizeof(plain));
	for (i = 0; i < 2000; i++) {
		ota_checksum(OTA_MAC_AES_CMAC, k128, 16, msg, 64, NULL, 0, out, 16, NULL);
		bad += memcmp(out, "\x51\xF0\xBE\xBF\x7E\x3B\x9D\x92", 8) != 0;
		ota_checksum(OTA_MAC_AES_CMAC, k256, 32, msg, 64, NULL, 0, out, 16, NULL);
		bad += memcmp(out, "\xE1\x99\x21\x90\x54\x9F\x6E\xD5", 8) != 0;
		ota_encrypt(OTA_CIPHER_3DES2_CBC, k3, 16, plain, 32, ct, NULL);
		bad += memcmp(ct, "\xD8\x0A\x0D\x8B\x2B\xAE\x5E\x4E", 8) != 0;
		/* wiping the cached schedules must not disturb the next operation */
		if (i % 3 == 0)
			ota_crypto_scrub();
	}
	return (void *)bad;
}

/* Bulk mode: per-call scrubbing off, one scrub per batch; results are the same either way. */
static void scrub_policy(void **state)
{
	uint8_t key[16], msg[64], out[16];
	int i;

	unhex(AES128_KEY, key, sizeof(key));
	unhex(NIST_MSG, msg, sizeof(msg));
	for (i = 0; i < 2; i++) {
		ota_crypto_scrub_each_call(i == 0);
		assert_int_equal(ota_checksum(OTA_MAC_AES_CMAC, key, 16, msg, 64, NULL, 0, out, 16, NULL), 0);
		ota_crypto_call_done();
		assert_hex(out, 16, "51F0BEBF7E3B9D92FC49741779363CFE");
		assert_int_equal(ota_checksum(OTA_MAC_AES_CMAC, key, 16, msg, 16, NULL, 0, out, 16, NULL), 0);
		assert_hex(out, 16, "070A16B46B4D4144F79BDD9DD04A287C");
		ota_crypto_scrub();
	}
	ota_crypto_scrub_each_call(true);
}

static void threads(void **state)
{
	pthread_t t[4];
	void *bad;
	int i;

	ota_crypto_scrub(); /* whatever this thread cached so far; harmless when nothing is */
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmac_published),   cmocka_unit_test(cc_onomondo),
		cmocka_unit_test(cbc_mac_openssl),  cmocka_unit_test(crc_check_values),
		cmocka_unit_test(ciphers_openssl),  cmocka_unit_test(cipher_errors),
		cmocka_unit_test(key_lengths),      cmocka_unit_test(coding_tables),
		cmocka_unit_test(constant_time_compare), cmocka_unit_test(scrub_policy),
		cmocka_unit_test(threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
