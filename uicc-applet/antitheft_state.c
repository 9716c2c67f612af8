/* The anti-theft applet's persistent state (record "antitheft.state" in the card image) and its settings from
 * the card profile (apps.antitheft). The record is a list of BER-TLVs with context tags, so later versions can
 * add fields; key material in it is cleansed from memory when the applet goes away. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/logging.h>

#include "simguard/hex.h"
#include "simguard/tlv.h"
#include "uicc/antitheft.h"
#include "uicc/card.h"
#include "uicc/store.h"

#define STATE_RECORD "antitheft.state"
#define STATE_VERSION 1
#define STATE_MAX 1536

enum state_tag {
	T_VERSION = 0x80,
	T_LOCK = 0x81,
	T_FLAGS = 0x82,
	T_OWNER_KEY = 0x83,
	T_DATA_KEY = 0x84,
	T_MESSAGE = 0x85,
	T_CONTACT = 0x86,
	T_IMEI = 0x87,
	T_SERVER = 0x88,
	T_SERVER_KVN = 0x89,
	T_REPORT_CNTR = 0x8A,
	T_OUTBOX = 0xA0, /* constructed: 80 id, 81 user data */
};

enum state_flag {
	F_DISABLED = 0x01,
	F_OPTED_OUT = 0x02,
	F_OWNER_KEY = 0x04,
	F_DATA_KEY = 0x08,
	F_KEY_DESTROYED = 0x10,
	F_SERVER = 0x20,
};

static void put_u64(struct sg_tlv_writer *w, uint8_t tag, uint64_t v)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = v & 0xFF;
	sg_ber_tlv_put(w, tag, b, sizeof(b));
}

static uint64_t get_u64(const struct sg_tlv *t)
{
	uint64_t v = 0;

	for (size_t i = 0; i < t->len; i++)
		v = v << 8 | t->val[i];
	return v;
}

static uint8_t state_flags(const struct antitheft_state *s)
{
	return (s->disabled ? F_DISABLED : 0) | (s->opted_out ? F_OPTED_OUT : 0) |
	       (s->has_owner_key ? F_OWNER_KEY : 0) | (s->has_data_key ? F_DATA_KEY : 0) |
	       (s->key_destroyed ? F_KEY_DESTROYED : 0) | (s->has_server ? F_SERVER : 0);
}

int antitheft_state_encode(const struct antitheft_state *s, uint8_t *out, size_t size, size_t *len)
{
	const uint8_t version = STATE_VERSION, flags = state_flags(s);
	struct sg_tlv_writer w;
	uint8_t addr[12];
	int n;

	sg_tlv_writer_init(&w, out, size);
	sg_ber_tlv_put(&w, T_VERSION, &version, 1);
	sg_ber_tlv_put(&w, T_LOCK, &s->lock, 1);
	sg_ber_tlv_put(&w, T_FLAGS, &flags, 1);
	if (s->has_owner_key)
		sg_ber_tlv_put(&w, T_OWNER_KEY, s->owner_key, ANTITHEFT_KEY_LEN);
	if (s->has_data_key)
		sg_ber_tlv_put(&w, T_DATA_KEY, s->data_key, ANTITHEFT_KEY_LEN);
	sg_ber_tlv_put(&w, T_MESSAGE, s->message, strlen(s->message));
	sg_ber_tlv_put(&w, T_CONTACT, s->contact, strlen(s->contact));
	sg_ber_tlv_put(&w, T_IMEI, s->imei, strlen(s->imei));
	if (s->has_server) {
		n = sms_addr_encode(&s->server, addr, sizeof(addr), "server", NULL);
		if (n < 0)
			return -1;
		sg_ber_tlv_put(&w, T_SERVER, addr, (size_t)n);
		sg_ber_tlv_put(&w, T_SERVER_KVN, &s->server_kvn, 1);
	}
	put_u64(&w, T_REPORT_CNTR, s->report_cntr);
	for (size_t i = 0; i < s->n_outbox; i++) {
		size_t mark = sg_ber_tlv_open(&w, T_OUTBOX);
		put_u64(&w, 0x80, s->outbox[i].id);
		sg_ber_tlv_put(&w, 0x81, s->outbox[i].ud, s->outbox[i].ud_len);
		sg_ber_tlv_close(&w, mark);
	}
	*len = w.len;
	return sg_tlv_writer_ok(&w) ? 0 : -1;
}

static int get_text(const struct sg_tlv *t, char *out, size_t size, const char *what, struct sg_error *err)
{
	if (t->len >= size || memchr(t->val, 0, t->len))
		return sg_err(err, "antitheft.state: %s of %zu bytes", what, t->len);
	memcpy(out, t->val, t->len);
	out[t->len] = '\0';
	return 0;
}

static int get_fixed(const struct sg_tlv *t, void *out, size_t len, const char *what, struct sg_error *err)
{
	if (t->len != len)
		return sg_err(err, "antitheft.state: %s has %zu bytes, not %zu", what, t->len, len);
	memcpy(out, t->val, len);
	return 0;
}

static int decode_outbox(const struct sg_tlv *t, struct antitheft_state *s, struct sg_error *err)
{
	struct antitheft_outbox_entry *e;
	struct sg_tlv id, ud;
	struct sg_tlv_reader r;

	if (s->n_outbox >= ANTITHEFT_OUTBOX_MAX)
		return sg_err(err, "antitheft.state: more than %d reports", ANTITHEFT_OUTBOX_MAX);
	e = &s->outbox[s->n_outbox];
	sg_tlv_reader_init(&r, t->val, t->len);
	if (sg_ber_tlv_next(&r, &id, err) != 1 || id.tag != 0x80 || id.len != 8 ||
	    sg_ber_tlv_next(&r, &ud, err) != 1 || ud.tag != 0x81 || ud.len > SMS_UD_MAX || r.pos != t->len)
		return sg_err(err, "antitheft.state: malformed report entry");
	e->id = get_u64(&id);
	memcpy(e->ud, ud.val, ud.len);
	e->ud_len = ud.len;
	s->n_outbox++;
	return 0;
}

static int decode_one(const struct sg_tlv *t, struct antitheft_state *s, struct sg_error *err)
{
	switch (t->tag) {
	case T_VERSION:
		return t->len == 1 && t->val[0] == STATE_VERSION ? 0 : sg_err(err, "antitheft.state: unknown version");
	case T_LOCK:
		return get_fixed(t, &s->lock, 1, "lock", err);
	case T_FLAGS:
		if (t->len != 1)
			return sg_err(err, "antitheft.state: flags of %zu bytes", t->len);
		s->disabled = t->val[0] & F_DISABLED;
		s->opted_out = t->val[0] & F_OPTED_OUT;
		s->has_owner_key = t->val[0] & F_OWNER_KEY;
		s->has_data_key = t->val[0] & F_DATA_KEY;
		s->key_destroyed = t->val[0] & F_KEY_DESTROYED;
		s->has_server = t->val[0] & F_SERVER;
		return 0;
	case T_OWNER_KEY:
		return get_fixed(t, s->owner_key, ANTITHEFT_KEY_LEN, "owner key", err);
	case T_DATA_KEY:
		return get_fixed(t, s->data_key, ANTITHEFT_KEY_LEN, "data key", err);
	case T_MESSAGE:
		return get_text(t, s->message, sizeof(s->message), "message", err);
	case T_CONTACT:
		return get_text(t, s->contact, sizeof(s->contact), "contact", err);
	case T_IMEI:
		return get_text(t, s->imei, sizeof(s->imei), "IMEI", err);
	case T_SERVER:
		return sms_addr_decode(t->val, t->len, &s->server, "antitheft.state: server", err) < 0 ? -1 : 0;
	case T_SERVER_KVN:
		return get_fixed(t, &s->server_kvn, 1, "server keyset", err);
	case T_REPORT_CNTR:
		if (t->len != 8)
			return sg_err(err, "antitheft.state: report counter of %zu bytes", t->len);
		s->report_cntr = get_u64(t);
		return 0;
	case T_OUTBOX:
		return decode_outbox(t, s, err);
	default:
		return 0; /* a field of a later version */
	}
}

int antitheft_state_decode(const uint8_t *buf, size_t len, struct antitheft_state *s, struct sg_error *err)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;
	int rc;

	memset(s, 0, sizeof(*s));
	sg_tlv_reader_init(&r, buf, len);
	while ((rc = sg_ber_tlv_next(&r, &t, err)) == 1)
		if (decode_one(&t, s, err) < 0)
			return -1;
	return rc < 0 ? -1 : 0;
}

int antitheft_state_load(struct antitheft *at, struct sg_error *err)
{
	const uint8_t *data;
	size_t len;

	if (uicc_store_get(uicc_card_store(at->card), STATE_RECORD, &data, &len) != 1) {
		/* a new card: personalisation from the profile, committed with the first change */
		memset(&at->st, 0, sizeof(at->st));
		at->st.has_owner_key = at->cfg.has_owner_key;
		memcpy(at->st.owner_key, at->cfg.owner_key, ANTITHEFT_KEY_LEN);
		snprintf(at->st.contact, sizeof(at->st.contact), "%s", at->cfg.owner_number);
		return 0;
	}
	return antitheft_state_decode(data, len, &at->st, err);
}

int antitheft_commit(struct antitheft *at)
{
	uint8_t buf[STATE_MAX];
	struct sg_error err;
	size_t len;
	int rc;

	if (antitheft_state_encode(&at->st, buf, sizeof(buf), &len) < 0) {
		LOGP(DAPPLET, LOGL_ERROR, "state does not encode\n");
		return -1;
	}
	rc = uicc_store_put_now(uicc_card_store(at->card), STATE_RECORD, buf, len, &err);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc < 0)
		LOGP(DAPPLET, LOGL_ERROR, "state not stored: %s\n", err.msg);
	return rc;
}

bool antitheft_locked(const struct antitheft *at)
{
	return at->st.disabled || at->st.lock;
}

uint8_t antitheft_state_code(const struct antitheft *at)
{
	return at->st.disabled ? 2 : at->st.lock ? 1 : 0;
}

uint8_t antitheft_flags(const struct antitheft *at)
{
	const struct antitheft_state *s = &at->st;

	return (s->lock & ANTITHEFT_LOCK_OWNER ? 0x01 : 0) | (s->lock & ANTITHEFT_LOCK_OPERATOR ? 0x02 : 0) |
	       (s->opted_out ? 0x04 : 0) | (s->has_owner_key ? 0x08 : 0) | (s->key_destroyed ? 0x10 : 0) |
	       (s->n_outbox ? 0x20 : 0);
}
