/* Secrets at rest: the master key (32 bytes read from a file, raw or as 64 hex digits) and the keys derived from
 * it with HKDF-SHA256 - one for AES-256-GCM sealing of card keys and TOTP secrets, one for the audit log's MAC
 * chain. A sealed value is nonce(12) || ciphertext || tag(16); the associated data binds it to its row (e.g.
 * ICCID, key version and key name), so a sealed key copied to another card does not open. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

#define OSV_MASTER_KEY_LEN 32
#define OSV_SEAL_OVERHEAD (12 + 16)

struct osv_keybox {
	uint8_t seal_key[32];
	uint8_t audit_key[32];
};

/* Read the master key file and derive the subkeys. The file must not be readable by group or others. */
int osv_keybox_load(struct osv_keybox *kb, const char *path, struct sg_error *err);
/* Derive from master key bytes (tests, tools). */
int osv_keybox_init(struct osv_keybox *kb, const uint8_t master[OSV_MASTER_KEY_LEN], struct sg_error *err);
void osv_keybox_cleanse(struct osv_keybox *kb);

/* Seal len bytes: out must hold len + OSV_SEAL_OVERHEAD. Returns the sealed length or -1. */
long osv_seal(const struct osv_keybox *kb, const char *aad, const uint8_t *in, size_t len, uint8_t *out,
	      size_t out_size, struct sg_error *err);
/* Open a sealed value; returns the plaintext length, or -1 when it was altered, moved or sealed with another key. */
long osv_unseal(const struct osv_keybox *kb, const char *aad, const uint8_t *in, size_t len, uint8_t *out,
		size_t out_size, struct sg_error *err);
