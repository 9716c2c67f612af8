/* Anti-theft commands that change the applet's state: LOCK, DISABLE, UNLOCK, OPT-OUT, OPT-IN, ENROL, and STATUS
 * (specs/antitheft-protocol.md §4, §6, §7). Every change is committed before the result is returned, so the PoR
 * never confirms a state the card could lose. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "uicc/antitheft.h"

static bool from_operator(const struct antitheft_cmd *c)
{
	return c->p.origin == ANTITHEFT_ORIGIN_OPERATOR;
}

/* Commit, then answer OK; ME when the card image refused. */
static int commit_ok(struct antitheft_cmd *c, struct ota_reply *r)
{
	return antitheft_result(r, antitheft_commit(c->at) == 0 ? "OK" : "ME");
}

/* Message and contact of a LOCK / DISABLE: the command's, else what is stored, else the profile's text. */
static void take_texts(struct antitheft_cmd *c)
{
	struct antitheft_state *s = &c->at->st;

	if (c->p.message)
		snprintf(s->message, sizeof(s->message), "%s", c->p.message);
	else if (!s->message[0])
		snprintf(s->message, sizeof(s->message), "%s", c->at->cfg.lock_message);
	if (c->p.contact)
		snprintf(s->contact, sizeof(s->contact), "%s", c->p.contact);
}

int antitheft_cmd_lock(struct antitheft_cmd *c, struct ota_reply *r)
{
	struct antitheft_state *s = &c->at->st;

	if (s->disabled)
		return antitheft_result(r, "DI");
	if (s->opted_out)
		return antitheft_result(r, "OO");
	s->lock |= from_operator(c) ? ANTITHEFT_LOCK_OPERATOR : ANTITHEFT_LOCK_OWNER;
	take_texts(c);
	commit_ok(c, r);
	antitheft_show_lock(c->at);
	return 0;
}

int antitheft_cmd_disable(struct antitheft_cmd *c, struct ota_reply *r)
{
	struct antitheft_state *s = &c->at->st;

	if (s->opted_out && !s->disabled)
		return antitheft_result(r, "OO");
	s->disabled = true;
	take_texts(c);
	commit_ok(c, r);
	antitheft_show_lock(c->at);
	return 0;
}

/* UNLOCK lifts every lock present or none (specs/antitheft-protocol.md §4). */
int antitheft_cmd_unlock(struct antitheft_cmd *c, struct ota_reply *r)
{
	struct antitheft_state *s = &c->at->st;
	bool proof = antitheft_proof_ok(c), was_locked = s->lock;

	if (s->disabled)
		return antitheft_result(r, "DI");
	if ((s->lock & ANTITHEFT_LOCK_OPERATOR) && !from_operator(c))
		return antitheft_result(r, "OL");
	if ((s->lock & ANTITHEFT_LOCK_OWNER) && s->has_owner_key && !proof)
		return antitheft_result(r, "AU");
	if ((s->lock & ANTITHEFT_LOCK_OWNER) && !s->has_owner_key && !from_operator(c))
		return antitheft_result(r, "NE");
	if (c->p.proof && !proof)
		return antitheft_result(r, "AU");
	s->lock = 0;
	if (proof && s->key_destroyed) {
		/* the owner is back: the handset gets a fresh key (its old data stays unreadable) */
		s->key_destroyed = false;
		s->has_data_key = false;
		OPENSSL_cleanse(s->data_key, sizeof(s->data_key));
	}
	commit_ok(c, r);
	if (was_locked)
		antitheft_clear_idle_text(c->at);
	return 0;
}

int antitheft_cmd_status(struct antitheft_cmd *c, struct ota_reply *r)
{
	uint8_t state = antitheft_state_code(c->at), flags = antitheft_flags(c->at);

	antitheft_result(r, "OK");
	antitheft_result_tlv(r, 0x90, &state, 1);
	antitheft_result_tlv(r, 0x95, &flags, 1);
	if (c->at->st.imei[0])
		antitheft_result_tlv(r, 0x92, c->at->st.imei, strlen(c->at->st.imei));
	return 0;
}

int antitheft_cmd_opt_out(struct antitheft_cmd *c, struct ota_reply *r)
{
	struct antitheft_state *s = &c->at->st;

	if (s->disabled)
		return antitheft_result(r, "DI");
	if (s->lock)
		return antitheft_result(r, "LK");
	if (!s->has_owner_key)
		return antitheft_result(r, "NE");
	if (!antitheft_proof_ok(c))
		return antitheft_result(r, "AU");
	s->opted_out = true;
	return commit_ok(c, r);
}

int antitheft_cmd_opt_in(struct antitheft_cmd *c, struct ota_reply *r)
{
	if (c->at->st.disabled)
		return antitheft_result(r, "DI");
	c->at->st.opted_out = false;
	return commit_ok(c, r);
}

int antitheft_cmd_enrol(struct antitheft_cmd *c, struct ota_reply *r)
{
	struct antitheft_state *s = &c->at->st;

	if (s->disabled)
		return antitheft_result(r, "DI");
	if (!c->p.key)
		return antitheft_result(r, "PE");
	if (s->has_owner_key && !antitheft_proof_ok(c)) {
		if (!from_operator(c))
			return antitheft_result(r, "AU");
		if (s->lock)
			return antitheft_result(r, "LK");
	}
	memcpy(s->owner_key, c->p.key, ANTITHEFT_KEY_LEN);
	s->has_owner_key = true;
	if (c->p.contact)
		snprintf(s->contact, sizeof(s->contact), "%s", c->p.contact);
	return commit_ok(c, r);
}
