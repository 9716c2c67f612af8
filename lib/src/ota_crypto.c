/* OTA ciphering and cryptographic checksums (TS 102 225 clause 5.1) through OpenSSL 3 EVP (see ota_crypto.h).
 * Single DES and two-key 3DES run as DES-EDE3 with the key expanded to K1||K1||K1 and K1||K2||K1: the default
 * provider has DES-EDE3 but single DES only lives in the legacy provider, and one cipher means one cached context.
 * The EVP_CIPHER / EVP_MAC objects are fetched once per process, the contexts once per thread, so a packet costs
 * no allocation and no algorithm lookup. */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "simguard/ota_crypto.h"
#include "ota_crc.h"

enum fetched_cipher {
	FC_DES3_CBC,
	FC_DES3_ECB,
	FC_AES128_CBC,
	FC_AES192_CBC,
	FC_AES256_CBC,
	FC_COUNT,
};

static const char *const fetched_names[FC_COUNT] = {
	"DES-EDE3-CBC", "DES-EDE3-ECB", "AES-128-CBC", "AES-192-CBC", "AES-256-CBC",
};

static struct {
	pthread_once_t once;
	pthread_key_t key;
	EVP_CIPHER *cipher[FC_COUNT];
	EVP_MAC *cmac;
	int ok;
} g = { .once = PTHREAD_ONCE_INIT };

/* Per-thread contexts: one cipher context (ciphering and CBC-MAC run one after the other), one CMAC context per
 * AES key size so the "cipher" parameter is set once and EVP_MAC_init() only installs the key. */
struct ota_tls {
	EVP_CIPHER_CTX *cipher;
	EVP_MAC_CTX *cmac[3];
	bool cipher_keyed; /* holds a key schedule until ota_crypto_scrub() */
	bool cmac_keyed[3];
};

static _Thread_local struct ota_tls *tls;
static _Thread_local bool scrub_later; /* per-call scrubbing turned off by this thread */

static void tls_free(void *p)
{
	struct ota_tls *t = p;
	int i;

	if (!t)
		return;
	EVP_CIPHER_CTX_free(t->cipher);
	for (i = 0; i < 3; i++)
		EVP_MAC_CTX_free(t->cmac[i]);
	OPENSSL_free(t);
}

static void global_init(void)
{
	int i;

	g.ok = 1;
	if (pthread_key_create(&g.key, tls_free))
		g.ok = 0;
	for (i = 0; i < FC_COUNT; i++) {
		g.cipher[i] = EVP_CIPHER_fetch(NULL, fetched_names[i], NULL);
		if (!g.cipher[i])
			g.ok = 0;
	}
	g.cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	if (!g.cmac)
		g.ok = 0;
}

static EVP_MAC_CTX *new_cmac_ctx(enum fetched_cipher fc)
{
	EVP_MAC_CTX *c = EVP_MAC_CTX_new(g.cmac);
	OSSL_PARAM params[2];

	if (!c)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)fetched_names[fc], 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(c, params)) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	return c;
}

static struct ota_tls *get_tls(struct sg_error *err)
{
	struct ota_tls *t;
	int i;

	if (tls)
		return tls;
	pthread_once(&g.once, global_init);
	if (!g.ok) {
		sg_err(err, "crypto: OpenSSL lacks DES-EDE3, AES-CBC or CMAC (default provider not available)");
		return NULL;
	}
	t = OPENSSL_zalloc(sizeof(*t));
	if (!t) {
		sg_err(err, "crypto: out of memory");
		return NULL;
	}
	t->cipher = EVP_CIPHER_CTX_new();
	for (i = 0; i < 3; i++)
		t->cmac[i] = new_cmac_ctx(FC_AES128_CBC + i);
	if (!t->cipher || !t->cmac[0] || !t->cmac[1] || !t->cmac[2] || pthread_setspecific(g.key, t)) {
		tls_free(t);
		sg_err(err, "crypto: cannot create OpenSSL contexts");
		return NULL;
	}
	tls = t;
	return t;
}

/* ---- algorithm identifiers (TS 102 225 clause 5.1.2, KIc / KID coding) ---- */

/* Low nibble of KIc/KID: b2b1 = 01 DES family (b4b3 00 single, 01 two-key 3DES, 10 three-key 3DES), 10 AES
 * (b4b3 00). Returns 0..3 for DES, 3DES-2K, 3DES-3K, AES, or -1. */
static int block_family(uint8_t alg)
{
	switch (alg) {
	case 0x1:
		return 0;
	case 0x5:
		return 1;
	case 0x9:
		return 2;
	case 0x2:
		return 3;
	}
	return -1;
}

static int decline(struct sg_error *err, const char *field, uint8_t alg, const char *use)
{
	if ((alg & 0x3) == 0x3)
		return sg_err(err, "%s: algorithm 0x%X is proprietary (not supported)", field, alg);
	if ((alg & 0x3) == 0x0)
		return sg_err(err, "%s: algorithm 0x%X is 'known implicitly' (not supported: name the algorithm)",
			      field, alg);
	return sg_err(err, "%s: algorithm 0x%X is reserved for %s", field, alg, use);
}

int ota_cipher_from_kic(uint8_t kic, size_t keylen, enum ota_cipher *c, struct sg_error *err)
{
	static const enum ota_cipher family[4] = {
		OTA_CIPHER_DES_CBC, OTA_CIPHER_3DES2_CBC, OTA_CIPHER_3DES3_CBC, OTA_CIPHER_AES_CBC,
	};
	uint8_t alg = kic & 0x0F;
	int i = block_family(alg);

	if (alg == 0xD) {
		*c = OTA_CIPHER_DES_ECB;
		return 0;
	}
	if (i < 0)
		return decline(err, "kic", alg, "ciphering");
	*c = family[i];
	return 0;
}

static int mac_from_cc_kid(uint8_t alg, enum ota_mac *m, struct sg_error *err)
{
	static const enum ota_mac family[4] = {
		OTA_MAC_DES_CBC, OTA_MAC_3DES2_CBC, OTA_MAC_3DES3_CBC, OTA_MAC_AES_CMAC,
	};
	int i = block_family(alg);

	if (i < 0)
		return decline(err, "kid", alg, "a cryptographic checksum");
	*m = family[i];
	return 0;
}

int ota_mac_from_kid(uint8_t kid, uint8_t spi_chk, size_t keylen, enum ota_mac *m, struct sg_error *err)
{
	uint8_t alg = kid & 0x0F;

	switch (spi_chk & 0x3) {
	case 0x2:
		return mac_from_cc_kid(alg, m, err);
	case 0x1:
		if (alg == 0x1 || alg == 0x5) {
			*m = alg == 0x1 ? OTA_MAC_CRC16 : OTA_MAC_CRC32;
			return 0;
		}
		return decline(err, "kid", alg, "a redundancy check");
	case 0x3:
		return sg_err(err, "spi: digital signature (DS) is not supported");
	}
	return sg_err(err, "spi: no RC/CC/DS asked, so the KID names no algorithm");
}

size_t ota_cipher_block(enum ota_cipher c)
{
	return c == OTA_CIPHER_AES_CBC ? 16 : 8;
}

static const char *cipher_name(enum ota_cipher c)
{
	switch (c) {
	case OTA_CIPHER_DES_CBC:
		return "DES";
	case OTA_CIPHER_3DES2_CBC:
		return "3DES two-key";
	case OTA_CIPHER_3DES3_CBC:
		return "3DES three-key";
	case OTA_CIPHER_DES_ECB:
		return "DES-ECB";
	case OTA_CIPHER_AES_CBC:
		break;
	}
	return "AES";
}

static size_t des_key_len(enum ota_cipher c)
{
	switch (c) {
	case OTA_CIPHER_3DES2_CBC:
		return 16;
	case OTA_CIPHER_3DES3_CBC:
		return 24;
	default:
		return 8;
	}
}

int ota_cipher_key_ok(enum ota_cipher c, size_t keylen, const char *what, struct sg_error *err)
{
	if (c == OTA_CIPHER_AES_CBC) {
		if (keylen == 16 || keylen == 24 || keylen == 32)
			return 0;
		return sg_err(err, "%s: AES needs 16, 24 or 32 bytes, got %zu", what, keylen);
	}
	if (keylen == des_key_len(c))
		return 0;
	return sg_err(err, "%s: %s needs %zu bytes, got %zu", what, cipher_name(c), des_key_len(c), keylen);
}

/* The block cipher behind a CBC-MAC / CMAC. */
static enum ota_cipher mac_cipher(enum ota_mac m)
{
	switch (m) {
	case OTA_MAC_DES_CBC:
		return OTA_CIPHER_DES_CBC;
	case OTA_MAC_3DES2_CBC:
		return OTA_CIPHER_3DES2_CBC;
	case OTA_MAC_3DES3_CBC:
		return OTA_CIPHER_3DES3_CBC;
	default:
		return OTA_CIPHER_AES_CBC;
	}
}

int ota_mac_key_ok(enum ota_mac m, size_t keylen, const char *what, struct sg_error *err)
{
	if (m == OTA_MAC_CRC16 || m == OTA_MAC_CRC32)
		return 0;
	return ota_cipher_key_ok(mac_cipher(m), keylen, what, err);
}

/* ---- ciphering ---- */

/* Select the EVP cipher and the key bytes it takes (DES / 3DES-2K expanded to a 24-byte EDE3 key). */
static const EVP_CIPHER *evp_setup(enum ota_cipher c, const uint8_t *key, size_t keylen, uint8_t k3[24])
{
	switch (c) {
	case OTA_CIPHER_DES_CBC:
	case OTA_CIPHER_DES_ECB:
		memcpy(k3, key, 8);
		memcpy(k3 + 8, key, 8);
		memcpy(k3 + 16, key, 8);
		return g.cipher[c == OTA_CIPHER_DES_ECB ? FC_DES3_ECB : FC_DES3_CBC];
	case OTA_CIPHER_3DES2_CBC:
		memcpy(k3, key, 16);
		memcpy(k3 + 16, key, 8);
		return g.cipher[FC_DES3_CBC];
	case OTA_CIPHER_3DES3_CBC:
		memcpy(k3, key, 24);
		return g.cipher[FC_DES3_CBC];
	case OTA_CIPHER_AES_CBC:
		break;
	}
	return g.cipher[keylen == 16 ? FC_AES128_CBC : keylen == 24 ? FC_AES192_CBC : FC_AES256_CBC];
}

static int cipher_init(EVP_CIPHER_CTX *ctx, enum ota_cipher c, const uint8_t *key, size_t keylen, int enc,
		       struct sg_error *err)
{
	static const uint8_t zero_iv[16];
	uint8_t k3[24];
	const EVP_CIPHER *evp;
	int ok;

	if (ota_cipher_key_ok(c, keylen, "key", err) < 0)
		return -1;
	evp = evp_setup(c, key, keylen, k3);
	/* Passing the cipher again would make OpenSSL rebuild the provider context; a NULL keeps it. */
	if (EVP_CIPHER_CTX_get0_cipher(ctx) == evp)
		evp = NULL;
	ok = EVP_CipherInit_ex2(ctx, evp, c == OTA_CIPHER_AES_CBC ? key : k3, c == OTA_CIPHER_DES_ECB ? NULL : zero_iv,
				enc, NULL) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0);
	OPENSSL_cleanse(k3, sizeof(k3));
	if (!ok)
		return sg_err(err, "crypto: OpenSSL refused the %s key", cipher_name(c));
	return 0;
}

static int cipher_run(enum ota_cipher c, const uint8_t *key, size_t keylen, const uint8_t *in, size_t len,
		      uint8_t *out, int enc, struct sg_error *err)
{
	struct ota_tls *t = get_tls(err);
	int n;

	if (!t)
		return -1;
	if (len % ota_cipher_block(c))
		return sg_err(err, "crypto: %zu bytes are not a multiple of the %zu-byte block", len,
			      ota_cipher_block(c));
	t->cipher_keyed = true;
	if (cipher_init(t->cipher, c, key, keylen, enc, err) < 0)
		return -1;
	if (len && (len > INT32_MAX || !EVP_CipherUpdate(t->cipher, out, &n, in, (int)len)))
		return sg_err(err, "crypto: OpenSSL %s failed", enc ? "encryption" : "decryption");
	return 0;
}

int ota_encrypt(enum ota_cipher c, const uint8_t *key, size_t keylen, const uint8_t *in, size_t len, uint8_t *out,
		struct sg_error *err)
{
	return cipher_run(c, key, keylen, in, len, out, 1, err);
}

int ota_decrypt(enum ota_cipher c, const uint8_t *key, size_t keylen, const uint8_t *in, size_t len, uint8_t *out,
		struct sg_error *err)
{
	return cipher_run(c, key, keylen, in, len, out, 0, err);
}

/* ---- checksums ---- */

/* CBC-MAC over in1||in2 zero-padded to a multiple of 8; the MAC is the last ciphertext block. The chaining runs
 * through a small buffer so no output of the size of the input is needed. */
static int cbc_mac(EVP_CIPHER_CTX *ctx, const uint8_t *in1, size_t len1, const uint8_t *in2, size_t len2,
		   uint8_t last[8], struct sg_error *err)
{
	uint8_t buf[128 + 8];
	const uint8_t *pieces[2] = { in1, in2 };
	size_t lens[2] = { len1, len2 }, total = len1 + len2;
	uint8_t tail[8] = { 0 };
	size_t i, off;
	int n, ok = 1;

	for (i = 0; i < 2 && ok; i++) {
		for (off = 0; off < lens[i] && ok; off += 128) {
			size_t chunk = lens[i] - off < 128 ? lens[i] - off : 128;

			ok = EVP_EncryptUpdate(ctx, buf, &n, pieces[i] + off, (int)chunk);
			if (n >= 8)
				memcpy(last, buf + n - 8, 8);
		}
	}
	if (ok && (total % 8 || total == 0)) {
		ok = EVP_EncryptUpdate(ctx, buf, &n, tail, (int)(8 - total % 8));
		if (n >= 8)
			memcpy(last, buf + n - 8, 8);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok)
		return sg_err(err, "crypto: OpenSSL CBC-MAC failed");
	return 0;
}

static int cmac(EVP_MAC_CTX *ctx, const uint8_t *key, size_t keylen, const uint8_t *in1, size_t len1,
		const uint8_t *in2, size_t len2, uint8_t *out, size_t out_len, struct sg_error *err)
{
	uint8_t full[16];
	size_t n;
	int ok;

	ok = EVP_MAC_init(ctx, key, keylen, NULL) && EVP_MAC_update(ctx, in1, len1) &&
	     EVP_MAC_update(ctx, in2, len2) && EVP_MAC_final(ctx, full, &n, sizeof(full));
	if (ok)
		memcpy(out, full, out_len);
	OPENSSL_cleanse(full, sizeof(full));
	if (!ok)
		return sg_err(err, "crypto: OpenSSL CMAC failed");
	return 0;
}

static int crc_checksum(enum ota_mac m, const uint8_t *in1, size_t len1, const uint8_t *in2, size_t len2, uint8_t *out,
			size_t out_len, struct sg_error *err)
{
	uint8_t be[4];

	if (m == OTA_MAC_CRC16) {
		uint16_t crc = ota_crc16_x25(ota_crc16_x25(OTA_CRC16_INIT, in1, len1), in2, len2) ^ 0xFFFF;

		if (out_len != 2)
			return sg_err(err, "crypto: CRC-16 is 2 bytes, %zu asked", out_len);
		be[0] = crc >> 8;
		be[1] = crc & 0xFF;
	} else {
		uint32_t crc = ota_crc32(ota_crc32(OTA_CRC32_INIT, in1, len1), in2, len2) ^ 0xFFFFFFFFu;

		if (out_len != 4)
			return sg_err(err, "crypto: CRC-32 is 4 bytes, %zu asked", out_len);
		be[0] = crc >> 24;
		be[1] = (crc >> 16) & 0xFF;
		be[2] = (crc >> 8) & 0xFF;
		be[3] = crc & 0xFF;
	}
	memcpy(out, be, out_len);
	return 0;
}

int ota_checksum(enum ota_mac m, const uint8_t *key, size_t keylen, const uint8_t *in1, size_t len1,
		 const uint8_t *in2, size_t len2, uint8_t *out, size_t out_len, struct sg_error *err)
{
	struct ota_tls *t;
	uint8_t last[8];
	int rc;

	if (m == OTA_MAC_CRC16 || m == OTA_MAC_CRC32)
		return crc_checksum(m, in1, len1, in2, len2, out, out_len, err);
	if (out_len == 0 || out_len > (m == OTA_MAC_AES_CMAC ? 16u : 8u))
		return sg_err(err, "crypto: a checksum of %zu bytes cannot be made", out_len);
	if (len1 + len2 > INT32_MAX)
		return sg_err(err, "crypto: input too long");
	t = get_tls(err);
	if (!t || ota_mac_key_ok(m, keylen, "key", err) < 0)
		return -1;
	if (m == OTA_MAC_AES_CMAC) {
		int i = keylen == 16 ? 0 : keylen == 24 ? 1 : 2;

		t->cmac_keyed[i] = true;
		return cmac(t->cmac[i], key, keylen, in1, len1, in2, len2, out, out_len, err);
	}
	t->cipher_keyed = true;
	if (cipher_init(t->cipher, mac_cipher(m), key, keylen, 1, err) < 0)
		return -1;
	rc = cbc_mac(t->cipher, in1, len1, in2, len2, last, err);
	if (rc == 0)
		memcpy(out, last, out_len);
	OPENSSL_cleanse(last, sizeof(last));
	return rc;
}

void ota_crypto_scrub(void)
{
	static const uint8_t zero_key[32];
	struct ota_tls *t = tls;
	int i;

	if (!t)
		return;
	/* Re-keying with zeros replaces the schedule in place; resetting the context would free it and cost an
	 * allocation on the next packet. */
	if (t->cipher_keyed && EVP_CIPHER_CTX_get0_cipher(t->cipher))
		EVP_CipherInit_ex2(t->cipher, NULL, zero_key, NULL, 1, NULL);
	t->cipher_keyed = false;
	for (i = 0; i < 3; i++) {
		if (t->cmac_keyed[i])
			EVP_MAC_init(t->cmac[i], zero_key, (size_t)16 + 8 * i, NULL);
		t->cmac_keyed[i] = false;
	}
}

void ota_crypto_scrub_each_call(bool on)
{
	scrub_later = !on;
}

void ota_crypto_call_done(void)
{
	if (!scrub_later)
		ota_crypto_scrub();
}

bool ota_chk_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
