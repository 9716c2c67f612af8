/* The anti-theft applet's OTA side (specs/antitheft-protocol.md §1-5): its security policy, the command message
 * (verb, request id, parameters), dispatch to the commands and the result codes. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "simguard/tlv.h"
#include "uicc/antitheft.h"
#include "uicc/card.h"
#include "uicc/profile.h"
#include "uicc/toolkit.h"

static int antitheft_destructor(struct antitheft *at)
{
	OPENSSL_cleanse(&at->st, sizeof(at->st));
	OPENSSL_cleanse(&at->cfg, sizeof(at->cfg));
	return 0;
}

struct antitheft *antitheft_alloc(void *ctx, struct uicc_card *card, struct cat_engine *cat, struct ota_re *re)
{
	struct antitheft *at = talloc_zero(ctx, struct antitheft);
	struct sg_error err;

	if (!at)
		return NULL;
	talloc_set_destructor(at, antitheft_destructor);
	at->card = card;
	at->cat = cat;
	at->re = re;
	if (antitheft_config_parse(uicc_profile_app(uicc_card_profile(card), "antitheft"), &at->cfg, &err) < 0) {
		LOGP(DAPPLET, LOGL_ERROR, "%s; using the defaults\n", err.msg);
		antitheft_config_parse(NULL, &at->cfg, NULL);
	}
	if (antitheft_state_load(at, &err) < 0) {
		/* a damaged state must not unlock the phone: keep it disabled until re-personalised */
		LOGP(DAPPLET, LOGL_ERROR, "%s; applet state damaged, card treated as disabled\n", err.msg);
		memset(&at->st, 0, sizeof(at->st));
		at->st.disabled = true;
	}
	return at;
}

void antitheft_reset(struct antitheft *at)
{
	memset(at->locate, 0, sizeof(at->locate));
	at->n_in_flight = 0;
	at->watching_service = false; /* a new terminal has no event list */
}

bool antitheft_policy(uint8_t spi1, uint8_t kic_alg, uint8_t kid_alg)
{
	static const uint8_t strong[] = { 0x05, 0x09, 0x02 }; /* 3DES 2 keys, 3DES 3 keys, AES */
	bool kic_ok = false, kid_ok = false;

	for (size_t i = 0; i < sizeof(strong); i++) {
		kic_ok |= kic_alg == strong[i];
		kid_ok |= kid_alg == strong[i];
	}
	return sp_msl_satisfied(SP_SPI1_CHK_CC | SP_SPI1_CIPHER | SP_SPI1_CNTR_HIGHER, spi1) && kic_ok && kid_ok;
}

bool antitheft_network_allowed(const struct antitheft *at)
{
	if (at->st.disabled)
		return false;
	return !(at->st.lock && at->cfg.lock_refuses_network);
}

int antitheft_result(struct ota_reply *reply, const char code[2])
{
	reply->status = SP_STATUS_OK;
	reply->data[0] = (uint8_t)code[0];
	reply->data[1] = (uint8_t)code[1];
	reply->len = 2;
	return 0;
}

void antitheft_result_tlv(struct ota_reply *reply, uint8_t tag, const void *val, size_t len)
{
	struct sg_tlv_writer w;

	sg_tlv_writer_init(&w, reply->data + reply->len, sizeof(reply->data) - reply->len);
	sg_ber_tlv_put(&w, tag, val, len);
	if (sg_tlv_writer_ok(&w))
		reply->len += w.len;
}

/* ---- parameters ---- */

static int put_text(struct antitheft_params *p, size_t *used, const struct sg_tlv *t, const char **out)
{
	if (*used + t->len + 1 > sizeof(p->buf))
		return -1;
	memcpy(p->buf + *used, t->val, t->len);
	p->buf[*used + t->len] = '\0';
	*out = p->buf + *used;
	*used += t->len + 1;
	return 0;
}

static int param_one(struct antitheft_params *p, size_t *used, const struct sg_tlv *t, struct sg_error *err)
{
	switch (t->tag) {
	case 0x80:
		if (t->len != 1 || (t->val[0] != ANTITHEFT_ORIGIN_OWNER && t->val[0] != ANTITHEFT_ORIGIN_OPERATOR))
			return sg_err(err, "origin: must be 01 (owner) or 02 (operator)");
		p->origin = t->val[0];
		return 0;
	case 0x81:
		if (!antitheft_text_ok((const char *)t->val, t->len) || memchr(t->val, 0, t->len) ||
		    put_text(p, used, t, &p->message) < 0)
			return sg_err(err, "message: 1 to %d bytes of text", ANTITHEFT_MSG_MAX);
		return 0;
	case 0x82:
		if (t->len > ANTITHEFT_NUMBER_MAX || put_text(p, used, t, &p->contact) < 0 ||
		    !antitheft_number_ok(p->contact))
			return sg_err(err, "contact: optional + and 3 to 20 digits");
		return 0;
	case 0x83:
		if (t->len != ANTITHEFT_PROOF_LEN)
			return sg_err(err, "proof: needs %d bytes", ANTITHEFT_PROOF_LEN);
		p->proof = t->val;
		return 0;
	case 0x84:
		if (t->len != 2)
			return sg_err(err, "duration: needs 2 bytes");
		p->has_duration = true;
		p->duration = (uint16_t)(t->val[0] << 8 | t->val[1]);
		return 0;
	case 0x85:
		if (t->len != ANTITHEFT_KEY_LEN)
			return sg_err(err, "owner key: needs %d bytes", ANTITHEFT_KEY_LEN);
		p->key = t->val;
		return 0;
	case 0x86:
		if (t->len != 1)
			return sg_err(err, "tone: needs 1 byte");
		p->has_tone = true;
		p->tone = t->val[0];
		return 0;
	default:
		return sg_err(err, "unknown parameter tag %02X", t->tag);
	}
}

int antitheft_params_parse(const uint8_t *buf, size_t len, struct antitheft_params *p, struct sg_error *err)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;
	uint32_t seen = 0;
	size_t used = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	p->origin = ANTITHEFT_ORIGIN_OWNER;
	sg_tlv_reader_init(&r, buf, len);
	while ((rc = sg_ber_tlv_next(&r, &t, err)) == 1) {
		if (t.tag < 0x80 || t.tag > 0x9F)
			return sg_err(err, "unknown parameter tag %02X", t.tag);
		if (seen & (1u << (t.tag - 0x80)))
			return sg_err(err, "parameter %02X given twice", t.tag);
		seen |= 1u << (t.tag - 0x80);
		if (param_one(p, &used, &t, err) < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

bool antitheft_proof_ok(const struct antitheft_cmd *c)
{
	const struct antitheft_state *s = &c->at->st;
	uint8_t msg[4 + 4 + 5], mac[32];
	uint64_t cntr = c->msg->origin.hdr.cntr;
	size_t mac_len = 0;
	bool ok;

	if (!s->has_owner_key || !c->p.proof)
		return false;
	memcpy(msg, c->verb, 4);
	memcpy(msg + 4, c->request_id, 4);
	for (int i = 12; i >= 8; i--, cntr >>= 8)
		msg[i] = cntr & 0xFF;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, s->owner_key, ANTITHEFT_KEY_LEN, msg, sizeof(msg), mac,
		       sizeof(mac), &mac_len) ||
	    mac_len != sizeof(mac))
		return false;
	ok = CRYPTO_memcmp(mac, c->p.proof, ANTITHEFT_PROOF_LEN) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok;
}

/* ---- dispatch ---- */

static const struct {
	char verb[5];
	int (*run)(struct antitheft_cmd *c, struct ota_reply *r);
} commands[] = {
	{ "LOCK", antitheft_cmd_lock },	      { "DSBL", antitheft_cmd_disable }, { "UNLK", antitheft_cmd_unlock },
	{ "WIPE", antitheft_cmd_wipe },	      { "LOCA", antitheft_cmd_locate },	 { "RING", antitheft_cmd_ring },
	{ "MESG", antitheft_cmd_message },    { "STAT", antitheft_cmd_status },	 { "OPTO", antitheft_cmd_opt_out },
	{ "OPTI", antitheft_cmd_opt_in },     { "ENRL", antitheft_cmd_enrol },
};

/* Remember where authentic commands come from: handset-change reports go there. */
static void remember_server(struct antitheft *at, const struct ota_origin *o)
{
	struct antitheft_state *s = &at->st;

	if (!o->has_oa || (s->has_server && s->server_kvn == o->kvn && memcmp(&s->server, &o->oa, sizeof(o->oa)) == 0))
		return;
	s->has_server = true;
	s->server = o->oa;
	s->server_kvn = o->kvn;
	antitheft_commit(at);
}

void antitheft_ota(struct uicc_card *card, const struct ota_msg *msg, struct ota_reply *reply)
{
	struct antitheft_cmd c = { .at = uicc_toolkit_antitheft(card), .msg = msg };
	struct sg_error err;

	if (!c.at || msg->len < 8) {
		antitheft_result(reply, "PE");
		return;
	}
	memcpy(c.verb, msg->data, 4);
	c.request_id = msg->data + 4;
	if (antitheft_params_parse(msg->data + 8, msg->len - 8, &c.p, &err) < 0) {
		LOGP(DAPPLET, LOGL_NOTICE, "%.4s: %s\n", c.verb, err.msg);
		antitheft_result(reply, "PE");
		return;
	}
	remember_server(c.at, &msg->origin);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (memcmp(commands[i].verb, c.verb, 4) == 0) {
			commands[i].run(&c, reply);
			LOGP(DAPPLET, LOGL_INFO, "%.4s from the %s: %.2s\n", c.verb,
			     c.p.origin == ANTITHEFT_ORIGIN_OPERATOR ? "operator" : "owner", (const char *)reply->data);
			return;
		}
	}
	LOGP(DAPPLET, LOGL_NOTICE, "unknown verb %02X%02X%02X%02X\n", msg->data[0], msg->data[1], msg->data[2],
	     msg->data[3]);
	antitheft_result(reply, "UV");
}
