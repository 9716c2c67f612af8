/* The sending half of the OTA engine (engine.h): due commands to secured packets with committed counters,
 * expiry, and the SMSC's answers. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "simguard/hex.h"
#include "otasrv/antitheft.h"
#include "otasrv/engine.h"

void osv_engine_cfg_defaults(struct osv_engine_cfg *cfg)
{
	cfg->retry_interval = 120;
	cfg->submit_backoff = 5;
	cfg->lease = 30;
	cfg->notify_tries = 5;
	cfg->security_audit_count = 10;
	cfg->security_audit_period = 60;
}

void osv_engine_cmd_hdr(const struct osv_card *c, const struct osv_keyset *ks, const uint8_t tar[3], uint64_t cntr,
			struct sp_cmd_hdr *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi, c->spi, 2);
	h->kic = ks->kic;
	h->kid = ks->kid;
	memcpy(h->tar, tar, 3);
	h->cntr = cntr;
}

void osv_engine_cmd_tar(const struct osv_card *c, const struct osv_command *cmd, uint8_t tar[3])
{
	json_t *params = json_loads(cmd->params, 0, NULL);
	const char *t = json_string_value(json_object_get(params, "tar"));

	memcpy(tar, c->tar, 3);
	if (!strcmp(cmd->kind, "rfm") && t)
		sg_hex_decode(t, tar, 3, "tar", NULL);
	json_decref(params);
}

/* The secured data of an anti-theft command: parameters from the command's JSON, owner-secret material from its
 * sealed secret. */
static long antitheft_data(struct osv_store *s, const struct osv_command *cmd, uint64_t cntr, uint8_t *out,
			   size_t size, struct sg_error *err)
{
	json_t *params = json_loads(cmd->params, 0, NULL);
	struct osv_at_params p = { .tone = -1 };
	uint8_t secret[OSV_CMD_SECRET_LEN];
	const char *v;
	long n;
	int rc;

	p.origin = cmd->actor_kind == OSV_ACTOR_OWNER ? OSV_AT_ORIGIN_OWNER : OSV_AT_ORIGIN_OPERATOR;
	if ((v = json_string_value(json_object_get(params, "message"))))
		snprintf(p.message, sizeof(p.message), "%s", v);
	if ((v = json_string_value(json_object_get(params, "contact"))))
		snprintf(p.contact, sizeof(p.contact), "%s", v);
	if (json_is_integer(json_object_get(params, "duration")))
		p.duration = (int)json_integer_value(json_object_get(params, "duration"));
	if (json_is_integer(json_object_get(params, "tone")))
		p.tone = (int)json_integer_value(json_object_get(params, "tone"));
	json_decref(params);
	rc = osv_cmd_get_secret(s, cmd->id, secret, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		p.proof = secret[0] & 1;
		p.enrol = secret[0] & 2;
		memcpy(p.owner_key, secret + 1, OSV_AT_KEY_LEN);
		memcpy(p.new_key, secret + 1 + OSV_AT_KEY_LEN, OSV_AT_KEY_LEN);
		OPENSSL_cleanse(secret, sizeof(secret));
	}
	n = osv_at_encode(osv_at_verb(cmd->kind), (uint32_t)cmd->id, cntr, &p, out, size, err);
	OPENSSL_cleanse(&p, sizeof(p));
	return n;
}

/* Remote file management (TS 102 226): the command's APDUs, as given, in the compact format. */
static long rfm_data(const struct osv_command *cmd, uint8_t *out, size_t size, struct sg_error *err)
{
	json_t *params = json_loads(cmd->params, 0, NULL);
	const char *apdus = json_string_value(json_object_get(params, "apdus"));
	long n = apdus ? sg_hex_decode(apdus, out, size, "apdus", err) : sg_err(err, "apdus: missing");

	json_decref(params);
	return n;
}

/* One command -> one attempt with a fresh counter and its packet. 0 built, 1 rejected (reason stored), -1. */
static int build_one(struct osv_store *s, const struct osv_command *cmd, int64_t now, struct osv_outgoing *o,
		     struct sg_error *err)
{
	uint8_t data[SP_MAX_PACKET], tar[3];
	struct osv_attempt a = { .command_id = cmd->id, .sent_at = now };
	struct osv_keyset ks;
	struct osv_card c;
	struct sp_cmd_hdr h;
	struct sg_error why;
	long n;
	int rc;

	if (osv_card_get_by_id(s, cmd->card_id, &c, err) != 1)
		return -1;
	rc = osv_keyset_load(s, &c, c.kvn, &ks, &why);
	if (rc <= 0)
		return rc < 0 ? -1 : osv_cmd_update(s, cmd->id, OSV_CMD_REJECTED, -1, why.msg, 0, err) ? -1 : 1;
	rc = osv_counter_next(s, c.id, c.kvn, &a.cntr, err);
	if (rc != 0) {
		osv_keyset_cleanse(&ks);
		if (rc < 0)
			return -1;
		osv_card_set_counter_state(s, c.id, OSV_CNTR_BLOCKED, err);
		return osv_cmd_update(s, cmd->id, OSV_CMD_REJECTED, -1, "OTA counter exhausted: card blocked", 0,
				      err) ? -1 : 1;
	}
	osv_engine_cmd_tar(&c, cmd, tar);
	osv_engine_cmd_hdr(&c, &ks, tar, a.cntr, &h);
	n = !strcmp(cmd->kind, "rfm") ? rfm_data(cmd, data, sizeof(data), &why)
				      : antitheft_data(s, cmd, a.cntr, data, sizeof(data), &why);
	rc = n < 0 ? -1
		   : sp_command_build(&h, data, (size_t)n, &ks.keys, c.dialect, o->ud + 3, sizeof(o->ud) - 3,
				      &o->ud_len, &why);
	osv_keyset_cleanse(&ks);
	OPENSSL_cleanse(data, sizeof(data));
	if (rc < 0)
		return osv_cmd_update(s, cmd->id, OSV_CMD_REJECTED, -1, why.msg, 0, err) ? -1 : 1;
	a.kvn = c.kvn;
	if (osv_attempt_insert(s, &a, o->ud + 3, o->ud_len, err) < 0)
		return -1;
	o->command_id = cmd->id;
	o->attempt_id = a.id;
	o->notification_id = 0;
	o->tries = 0;
	o->dialect = c.dialect;
	snprintf(o->msisdn, sizeof(o->msisdn), "%s", c.msisdn);
	if (c.dialect == SP_DIALECT_SMS) {
		memcpy(o->ud, "\x02\x70\x00", 3);
		o->ud_len += 3;
	} else {
		memmove(o->ud, o->ud + 3, o->ud_len);
	}
	return 0;
}

int osv_engine_prepare(struct osv_store *s, const struct osv_engine_cfg *cfg, const int64_t *ids, int n,
		       int64_t now, struct osv_outgoing *out, struct sg_error *err)
{
	struct osv_command cmd;
	int k = 0, rc;

	if (osv_store_begin(s, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		rc = osv_cmd_get(s, ids[i], &cmd, err);
		if (rc < 0)
			goto fail;
		if (rc == 0 || osv_cmd_state_final(cmd.state) || cmd.state == OSV_CMD_AWAITING_APPROVAL)
			continue;
		if (now >= cmd.deadline) {
			if (osv_cmd_update(s, cmd.id, OSV_CMD_EXPIRED, -1, "no proof of receipt by the deadline", 0,
					   err) < 0 ||
			    osv_engine_notify(s, &cmd, "expired: no proof of receipt by the deadline", now, err) < 0)
				goto fail;
			continue;
		}
		rc = build_one(s, &cmd, now, &out[k], err);
		if (rc < 0)
			goto fail;
		if (rc == 0)
			k++;
	}
	if (osv_store_commit(s, err) < 0)
		return -1;
	return k;
fail:
	osv_store_rollback(s);
	return -1;
}

int osv_engine_next(struct osv_store *s, const struct osv_engine_cfg *cfg, int max, int64_t now,
		    struct osv_outgoing *out, struct sg_error *err)
{
	int64_t ids[256];
	int n;

	if (max > 256)
		max = 256;
	if (osv_store_begin(s, err) < 0)
		return -1;
	n = osv_cmd_claim(s, now, cfg->lease, max, ids, err);
	if (n > 0)
		n = osv_engine_prepare(s, cfg, ids, n, now, out, err);
	if (n >= 0 && n < max) {
		int k = osv_engine_notify_claim(s, cfg, max - n, now, out + n, err);

		n = k < 0 ? -1 : n + k;
	}
	if (n < 0) {
		osv_store_rollback(s);
		return -1;
	}
	return osv_store_commit(s, err) < 0 ? -1 : n;
}

int osv_engine_submitted(struct osv_store *s, const struct osv_engine_cfg *cfg, const struct osv_outgoing *o,
			 bool accepted, const char *msgid, const char *why, int64_t now, struct sg_error *err)
{
	struct osv_command cmd;
	int64_t next;
	int rc;

	if (o->notification_id)
		return osv_engine_notify_submitted(s, cfg, o, accepted, msgid, now, err);
	if (osv_store_begin(s, err) < 0)
		return -1;
	rc = osv_cmd_get(s, o->command_id, &cmd, err);
	if (rc <= 0 || osv_cmd_state_final(cmd.state))
		goto done;
	if (accepted) {
		next = now + cfg->retry_interval;
		if (osv_attempt_set_msgid(s, o->attempt_id, msgid, err) < 0 ||
		    osv_cmd_update(s, cmd.id, cmd.state == OSV_CMD_QUEUED ? OSV_CMD_SUBMITTED : cmd.state, -1, NULL,
				   next < cmd.deadline ? next : cmd.deadline, err) < 0)
			goto fail;
	} else {
		next = now + cfg->submit_backoff;
		if (osv_cmd_update(s, cmd.id, cmd.state, -1, why, next < cmd.deadline ? next : cmd.deadline, err) < 0)
			goto fail;
	}
done:
	if (rc < 0)
		goto fail;
	return osv_store_commit(s, err);
fail:
	osv_store_rollback(s);
	return -1;
}

int osv_engine_receipt(struct osv_store *s, const char *msgid, int message_state, int64_t now, struct sg_error *err)
{
	struct osv_attempt a;
	struct osv_command cmd;
	int rc = osv_attempt_by_msgid(s, msgid, &a, err);

	if (rc == 0)
		return osv_engine_notify_receipt(s, msgid, message_state, err);
	if (rc < 0)
		return rc;
	rc = osv_cmd_get(s, a.command_id, &cmd, err);
	if (rc <= 0 || cmd.state != OSV_CMD_SUBMITTED || message_state != 2)
		return rc < 0 ? -1 : 0;
	if (osv_cmd_update(s, cmd.id, OSV_CMD_DELIVERED, -1, NULL, 0, err) < 0)
		return -1;
	return 1;
}
