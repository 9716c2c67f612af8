/* The OTA algorithms of TS 102 225 through OpenSSL 3 EVP: DES / 3DES (2 and 3 keys) / AES CBC ciphering with a
 * zero IV, DES / 3DES CBC-MAC and AES-CMAC cryptographic checksums, CRC-16 (X.25) and CRC-32 redundancy checks.
 * Contexts are cached per thread so a packet costs no allocation. Key bytes are never copied anywhere that
 * outlives the call without being cleansed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

enum ota_cipher {
	OTA_CIPHER_DES_CBC,
	OTA_CIPHER_3DES2_CBC, /* 16-byte key K1||K2 */
	OTA_CIPHER_3DES3_CBC, /* 24-byte key */
	OTA_CIPHER_DES_ECB,
	OTA_CIPHER_AES_CBC, /* 16, 24 or 32-byte key */
};

enum ota_mac {
	OTA_MAC_DES_CBC,   /* CBC-MAC, zero IV, zero padding to 8 */
	OTA_MAC_3DES2_CBC,
	OTA_MAC_3DES3_CBC,
	OTA_MAC_AES_CMAC,  /* NIST SP 800-38B; truncated to the leftmost bytes */
	OTA_MAC_CRC16,     /* CRC-16/X-25, big-endian */
	OTA_MAC_CRC32,     /* CRC-32 (IEEE), big-endian */
};

/* Map KIc / KID bytes (low nibble, TS 102 225 coding) to algorithms; spi_chk is SPI1 b2b1 (RC or CC decide what
 * a KID nibble means). keylen is not judged here (one AES coding serves all key sizes): check it with
 * ota_cipher_key_ok / ota_mac_key_ok. Return 0, or -1 with err naming the byte and why (reserved, proprietary,
 * implicit, DS). */
int ota_cipher_from_kic(uint8_t kic, size_t keylen, enum ota_cipher *c, struct sg_error *err);
int ota_mac_from_kid(uint8_t kid, uint8_t spi_chk, size_t keylen, enum ota_mac *m, struct sg_error *err);
/* Cipher block size (8 or 16). */
size_t ota_cipher_block(enum ota_cipher c);
/* Checks a key length against an algorithm; -1 with err naming 'what' otherwise. */
int ota_cipher_key_ok(enum ota_cipher c, size_t keylen, const char *what, struct sg_error *err);
int ota_mac_key_ok(enum ota_mac m, size_t keylen, const char *what, struct sg_error *err);

/* CBC (or ECB) with zero IV, no padding: len must be a multiple of the block. in == out allowed. */
int ota_encrypt(enum ota_cipher c, const uint8_t *key, size_t keylen, const uint8_t *in, size_t len, uint8_t *out,
		struct sg_error *err);
int ota_decrypt(enum ota_cipher c, const uint8_t *key, size_t keylen, const uint8_t *in, size_t len, uint8_t *out,
		struct sg_error *err);

/* Checksum over the concatenation of up to two input pieces (so callers need not copy headers and data
 * together). Writes out_len bytes (CC: up to 8; CRC16: 2; CRC32: 4). */
int ota_checksum(enum ota_mac m, const uint8_t *key, size_t keylen, const uint8_t *in1, size_t len1,
		 const uint8_t *in2, size_t len2, uint8_t *out, size_t out_len, struct sg_error *err);

/* Overwrite the key schedules this thread's cached contexts still hold (they are kept between calls so that a
 * packet costs no allocation; thread exit frees them cleansed). */
void ota_crypto_scrub(void);
/* Per-thread policy. On (the default): every secured_packet.h function scrubs before it returns, so no key
 * schedule outlives the call; that costs about half an AES packet. A thread that secures packets in bulk (the OTA
 * server's sender) may turn it off and call ota_crypto_scrub() itself when the batch is done or its queue drains. */
void ota_crypto_scrub_each_call(bool on);
/* What the packet functions call on their way out: scrubs unless this thread turned per-call scrubbing off. */
void ota_crypto_call_done(void);

/* Constant-time comparison (CRYPTO_memcmp). */
bool ota_chk_equal(const uint8_t *a, const uint8_t *b, size_t len);
