/* WIPE (NIST SP 800-88 "clear" of the card's user data, X.1127 §7.4.3) and the handset's user data key that WIPE
 * destroys (specs/antitheft-protocol.md §4, §8). The overwrite of every record and the key's destruction are one
 * card-image transaction; the records are then read back and compared with the pattern. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <osmocom/core/logging.h>

#include "simguard/apdu.h"
#include "simguard/tlv.h"
#include "uicc/antitheft.h"
#include "uicc/card.h"
#include "uicc/fs.h"
#include "uicc/store.h"

/* The user data files and the value of an empty record (TS 31.102 / TS 51.011: ADN all FF; SMS status 00 "free"
 * then FF). */
static const struct {
	const char *name;
	int first; /* value of the first byte, or -1 for the fill value */
} user_files[] = {
	{ "EF.ADN", -1 },
	{ "EF.SMS", 0x00 },
};

static void empty_record(int first, uint8_t *rec, size_t len)
{
	memset(rec, 0xFF, len);
	if (first >= 0 && len)
		rec[0] = (uint8_t)first;
}

static int overwrite(struct uicc_fs *fs, const struct uicc_file *f, int first)
{
	uint8_t rec[256];
	size_t len = uicc_file_rec_len(f), n = uicc_file_rec_count(f);

	if (len > sizeof(rec))
		return -1;
	empty_record(first, rec, len);
	for (size_t i = 1; i <= n; i++)
		if (uicc_fs_update_record(fs, f, (unsigned int)i, rec, len) != APDU_SW_OK)
			return -1;
	return 0;
}

/* Read every record back; returns the number verified, -1 on a mismatch. */
static long verify(struct uicc_fs *fs, const struct uicc_file *f, int first)
{
	uint8_t want[256], got[256];
	size_t len = uicc_file_rec_len(f), n = uicc_file_rec_count(f), got_len;

	empty_record(first, want, len);
	for (size_t i = 1; i <= n; i++) {
		got_len = sizeof(got);
		if (uicc_fs_read_record(fs, f, (unsigned int)i, got, &got_len) != APDU_SW_OK || got_len != len ||
		    memcmp(got, want, len) != 0)
			return -1;
	}
	return (long)n;
}

static void destroy_key(struct antitheft_state *s)
{
	OPENSSL_cleanse(s->data_key, sizeof(s->data_key));
	s->has_data_key = false;
	s->key_destroyed = true;
}

int antitheft_cmd_wipe(struct antitheft_cmd *c, struct ota_reply *r)
{
	struct uicc_store *st = uicc_card_store(c->at->card);
	struct uicc_fs *fs = uicc_card_fs(c->at->card);
	struct sg_error err;
	long cleared = 0, n;
	uint8_t count[2];

	if (c->at->st.opted_out)
		return antitheft_result(r, "OO");
	if (uicc_store_begin(st) < 0)
		return antitheft_result(r, "ME");
	for (size_t i = 0; i < sizeof(user_files) / sizeof(user_files[0]); i++) {
		const struct uicc_file *f = uicc_fs_by_name(fs, user_files[i].name);
		if (f && overwrite(fs, f, user_files[i].first) < 0)
			uicc_store_abort(st);
	}
	destroy_key(&c->at->st);
	if (antitheft_commit(c->at) < 0)
		uicc_store_abort(st);
	if (uicc_store_commit(st, &err) < 0) {
		LOGP(DAPPLET, LOGL_ERROR, "WIPE not stored: %s\n", err.msg);
		antitheft_state_load(c->at, &err); /* back to what the card image holds */
		return antitheft_result(r, "ME");
	}
	for (size_t i = 0; i < sizeof(user_files) / sizeof(user_files[0]); i++) {
		const struct uicc_file *f = uicc_fs_by_name(fs, user_files[i].name);
		if (!f)
			continue;
		n = verify(fs, f, user_files[i].first);
		if (n < 0) {
			LOGP(DAPPLET, LOGL_ERROR, "WIPE: %s does not read back empty\n", user_files[i].name);
			return antitheft_result(r, "ME");
		}
		cleared += n;
	}
	count[0] = (uint8_t)(cleared >> 8);
	count[1] = (uint8_t)cleared;
	antitheft_result(r, "OK");
	antitheft_result_tlv(r, 0x93, count, 2);
	return 0;
}

uint16_t antitheft_user_key(struct antitheft *at, const uint8_t *env, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	struct antitheft_state *s = &at->st;
	struct sg_tlv_reader rd;
	struct sg_tlv t;

	*rsp_len = 0;
	sg_tlv_reader_init(&rd, env, len);
	if (sg_ber_tlv_next(&rd, &t, NULL) != 1 || t.tag != 0xCF || rd.pos != len)
		return APDU_SW_WRONG_DATA;
	if (!uicc_card_pin1_ok(at->card))
		return APDU_SW_SECURITY_NOT_SATISFIED;
	if (antitheft_locked(at))
		return APDU_SW_CONDITIONS_NOT_SATISFIED;
	if (s->key_destroyed)
		return APDU_SW_REF_DATA_NOT_FOUND;
	if (!s->has_data_key) {
		/* created on first use and durable before it leaves the card */
		if (RAND_priv_bytes(s->data_key, sizeof(s->data_key)) != 1)
			return APDU_SW_TECHNICAL_PROBLEM;
		s->has_data_key = true;
		if (antitheft_commit(at) < 0) {
			destroy_key(s);
			s->key_destroyed = false;
			return APDU_SW_TECHNICAL_PROBLEM;
		}
	}
	memcpy(rsp, s->data_key, ANTITHEFT_KEY_LEN);
	*rsp_len = ANTITHEFT_KEY_LEN;
	return APDU_SW_OK;
}
