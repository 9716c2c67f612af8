/* The steps both packet kinds share (TS 102 225 clause 5.1): sizing with padding, checksum then ciphering on the
 * way out, deciphering then constant-time checksum comparison on the way in. */
#include <string.h>

#include <openssl/crypto.h>

#include "secured_packet_internal.h"

int sp_layout(const struct sp_sec *s, enum sp_dialect d, size_t ciphered, size_t fixed_hdr, size_t data_len,
	      size_t out_size, const char *what, struct sp_layout *l, struct sg_error *err)
{
	size_t max = sp_dialect_max(d);

	if (data_len > max)
		return sg_err(err, "data: %zu bytes do not fit one %s (the %s dialect carries at most %zu)", data_len,
			      what, sp_dialect_name(d), max);
	l->pcntr = sp_sec_pcntr(s, ciphered + s->chk_len + data_len);
	l->len_value = 1 + fixed_hdr + s->chk_len + data_len + l->pcntr;
	l->total = (d == SP_DIALECT_USSD) + sp_len_size(d, l->len_value) + l->len_value;
	if (l->total > max)
		return sg_err(err, "data: %zu bytes make a %zu-byte %s, the %s dialect carries at most %zu", data_len,
			      l->total, what, sp_dialect_name(d), max);
	if (l->total > out_size)
		return sg_err(err, "out: buffer of %zu bytes, the %s needs %zu", out_size, what, l->total);
	return 0;
}

static int checksum(const struct sp_sec *s, const struct sp_keys *keys, const uint8_t *in1, size_t len1,
		    const uint8_t *in2, size_t len2, uint8_t *out, struct sg_error *err)
{
	const struct sp_key *k = keys ? &keys->kid : NULL; /* a redundancy check needs no key */

	return ota_checksum(s->m, k ? k->key : NULL, k ? k->len : 0, in1, len1, in2, len2, out, s->chk_len, err);
}

int sp_seal(const struct sp_sec *s, const struct sp_keys *keys, const uint8_t *in1, size_t len1, uint8_t *pkt,
	    size_t body, size_t chk_off, size_t total, struct sg_error *err)
{
	size_t chk_end = chk_off + s->chk_len;
	const struct sp_key *kic = keys ? &keys->kic : NULL;

	if ((s->chk_len && checksum(s, keys, in1, len1, pkt + chk_end, total - chk_end, pkt + chk_off, err) < 0) ||
	    (s->cipher && ota_encrypt(s->c, kic->key, kic->len, pkt + body, total - body, pkt + body, err) < 0)) {
		/* the data must not leave in clear just because ciphering failed */
		OPENSSL_cleanse(pkt, total);
		return -1;
	}
	return 0;
}

enum sp_verdict sp_open(const struct sp_sec *s, const struct sp_keys *keys, const uint8_t *pkt, size_t len,
			size_t body, uint8_t *plain, size_t plain_size, const char *what, struct sg_error *err)
{
	if (s->cipher && (len - body) % s->block) {
		sg_err(err, "%s: the ciphered part is %zu bytes, not a multiple of the %zu-byte block", what,
		       len - body, s->block);
		return SP_VERDICT_CIPHER;
	}
	if (plain_size < len) {
		sg_err(err, "plain: buffer of %zu bytes, the %s needs %zu", plain_size, what, len);
		return SP_VERDICT_FORMAT;
	}
	/* memmove: plain may be pkt itself (deciphering in place) */
	memmove(plain, pkt, body);
	if (!s->cipher) {
		memmove(plain + body, pkt + body, len - body);
		return SP_VERDICT_OK;
	}
	if (ota_decrypt(s->c, keys->kic.key, keys->kic.len, pkt + body, len - body, plain + body, err) < 0)
		return SP_VERDICT_CIPHER;
	return SP_VERDICT_OK;
}

enum sp_verdict sp_chk_verify(const struct sp_sec *s, const struct sp_keys *keys, const uint8_t *in1, size_t len1,
			      const uint8_t *plain, size_t chk_off, size_t len, const char *what,
			      struct sg_error *err)
{
	size_t chk_end = chk_off + s->chk_len;
	uint8_t calc[8];
	bool same;

	if (!s->chk_len)
		return SP_VERDICT_OK;
	if (checksum(s, keys, in1, len1, plain + chk_end, len - chk_end, calc, err) < 0)
		return SP_VERDICT_UNSUPPORTED;
	same = ota_chk_equal(calc, plain + chk_off, s->chk_len);
	OPENSSL_cleanse(calc, sizeof(calc));
	if (same)
		return SP_VERDICT_OK;
	if (s->chk == SP_SPI1_CHK_CC)
		sg_err(err, "cc: the %s's cryptographic checksum does not match", what);
	else
		sg_err(err, "rc: the %s's redundancy check does not match", what);
	return SP_VERDICT_CHK_FAILED;
}
