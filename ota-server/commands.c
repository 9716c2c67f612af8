/* The authorisation matrix and command requests (commands.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "simguard/hex.h"
#include "otasrv/antitheft.h"
#include "otasrv/commands.h"
#include "otasrv/engine.h"
#include "otasrv/json_check.h"

static const struct osv_cmd_policy policies[] = {
	/* kind      owner  agent  super  approval secret refused_opted_out params */
	{ "lock", true, true, true, false, false, true, "message contact" },
	{ "disable", true, false, true, true, false, true, "message" },
	{ "unlock", true, false, true, false, true, false, "secret" },
	{ "wipe", true, false, true, true, false, true, "" },
	{ "locate", true, true, true, false, false, true, "" },
	{ "ring", true, true, true, false, false, false, "duration tone" },
	{ "message", true, true, true, false, false, false, "message" },
	{ "status", true, true, true, false, false, false, "" },
	{ "opt-out", true, false, false, false, true, false, "secret" },
	{ "opt-in", true, false, false, false, false, false, "" },
	{ "enrol", true, false, false, false, true, false, "secret old_secret contact" },
	{ "rfm", false, false, true, false, false, false, "tar apdus" },
};

const struct osv_jfield osv_command_fields[] = {
	{ "command", OSV_J_STRING, true, 1, 16 },    { "message", OSV_J_STRING, false, 1, OSV_AT_MESSAGE_MAX },
	{ "contact", OSV_J_STRING, false, 3, 21 },   { "duration", OSV_J_INT, false, 30, 180 },
	{ "tone", OSV_J_INT, false, 0, 255 },	     { "secret", OSV_J_STRING, false, 6, 128 },
	{ "old_secret", OSV_J_STRING, false, 6, 128 }, { "tar", OSV_J_STRING, false, 6, 6 },
	{ "apdus", OSV_J_STRING, false, 10, 1600 },  { NULL, 0, false, 0, 0 },
};

const struct osv_cmd_policy *osv_cmd_policy(const char *kind)
{
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (!strcmp(kind, policies[i].kind))
			return &policies[i];
	return NULL;
}

static int outcome(struct osv_outcome *o, int status, const char *fmt, const char *arg)
{
	o->status = status;
	snprintf(o->why, sizeof(o->why), fmt, arg);
	return 0;
}

static bool role_allowed(const struct osv_cmd_policy *p, enum osv_actor_kind k)
{
	return k == OSV_ACTOR_OWNER ? p->owner : k == OSV_ACTOR_AGENT ? p->agent : p->supervisor;
}

/* Body fields must be those this command takes ("command" always). */
static int params_fit(const struct osv_cmd_policy *p, json_t *body, struct osv_outcome *o)
{
	const char *key;
	json_t *v;

	json_object_foreach (body, key, v) {
		char word[24];
		const char *hit;

		if (!strcmp(key, "command"))
			continue;
		snprintf(word, sizeof(word), "%s", key);
		hit = strstr(p->params, word);
		if (!hit || (hit != p->params && hit[-1] != ' ') || (hit[strlen(word)] && hit[strlen(word)] != ' ')) {
			o->status = 400;
			snprintf(o->why, sizeof(o->why), "%s: does not apply to %s", key, p->kind);
			return -1;
		}
	}
	return 0;
}

/* State of the device decides some requests before any packet is built (the card would refuse them). */
static int device_allows(const struct osv_cmd_policy *p, const struct osv_actor *a, const struct osv_device *d,
			 bool registered, struct osv_outcome *o)
{
	if (a->kind == OSV_ACTOR_OWNER && (!registered || d->owner_id != a->owner_id))
		return outcome(o, 403, "%s: not a device of yours", p->kind), -1;
	if (!registered)
		return 0;
	if (p->refused_opted_out && d->opted_out)
		return outcome(o, 409, "%s: the owner opted out of anti-theft measures", p->kind), -1;
	if (d->disabled && strcmp(p->kind, "status") && strcmp(p->kind, "locate") && strcmp(p->kind, "ring") &&
	    strcmp(p->kind, "message"))
		return outcome(o, 409, "%s: the device is disabled for good", p->kind), -1;
	if (!strcmp(p->kind, "unlock") && a->kind == OSV_ACTOR_OWNER && (d->lock_origin & OSV_LOCK_OPERATOR))
		return outcome(o, 403, "%s: an operator lock is present; only an operator can lift it", p->kind), -1;
	if (!strcmp(p->kind, "opt-out") && (d->lock_origin || d->disabled))
		return outcome(o, 409, "%s: not while the device is locked or disabled", p->kind), -1;
	return 0;
}

/* Owner secrets become the keys the packet needs: the current key (for the proof) and, for enrol, the new one. */
static int secrets(const struct osv_cmd_policy *p, const struct osv_actor *a, const char *iccid, json_t *body,
		   uint8_t out[OSV_CMD_SECRET_LEN], bool *have, struct osv_outcome *o, struct sg_error *err)
{
	const char *secret = json_string_value(json_object_get(body, "secret"));
	const char *old = json_string_value(json_object_get(body, "old_secret"));

	memset(out, 0, OSV_CMD_SECRET_LEN);
	*have = false;
	if (!p->owner_secret || a->kind != OSV_ACTOR_OWNER)
		return 0;
	if (!secret)
		return outcome(o, 400, "secret: %s needs the owner's secret", p->kind), -1;
	*have = true;
	if (!strcmp(p->kind, "enrol")) {
		out[0] = 2;
		if (osv_at_owner_key(secret, iccid, out + 1 + OSV_AT_KEY_LEN, err) < 0)
			return -1;
		if (!old)
			return 0;
		secret = old;
	}
	out[0] |= 1;
	return osv_at_owner_key(secret, iccid, out + 1, err);
}

static int check_values(const struct osv_cmd_policy *p, json_t *body, struct osv_outcome *o)
{
	struct osv_at_params ap = { .tone = -1 };
	const char *v;
	struct sg_error why;
	uint8_t tmp[800];

	if ((v = json_string_value(json_object_get(body, "message"))))
		snprintf(ap.message, sizeof(ap.message), "%s", v);
	if ((v = json_string_value(json_object_get(body, "contact"))))
		snprintf(ap.contact, sizeof(ap.contact), "%s", v);
	if (osv_at_params_check(&ap, &why) < 0)
		return outcome(o, 400, "%s", why.msg), -1;
	if (!strcmp(p->kind, "message") && !ap.message[0])
		return outcome(o, 400, "message: %s", "missing"), -1;
	if (!strcmp(p->kind, "rfm")) {
		v = json_string_value(json_object_get(body, "tar"));
		if (!v || sg_hex_decode(v, tmp, 3, "tar", &why) != 3)
			return outcome(o, 400, "%s", v ? why.msg : "tar: missing"), -1;
		v = json_string_value(json_object_get(body, "apdus"));
		if (!v || sg_hex_decode(v, tmp, sizeof(tmp), "apdus", &why) < 5)
			return outcome(o, 400, "%s", v ? why.msg : "apdus: missing"), -1;
	}
	return 0;
}

/* The command's parameters as stored: the body without "command" and without secrets. */
static void stored_params(json_t *body, char *buf, size_t size)
{
	json_t *copy = json_copy(body);
	char *text;

	json_object_del(copy, "command");
	json_object_del(copy, "secret");
	json_object_del(copy, "old_secret");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(buf, size, "%s", text ? text : "{}");
	free(text);
	json_decref(copy);
}

static int store_command(struct osv_store *s, const struct osv_actor *a, const struct osv_cmd_policy *p,
			 const struct osv_card *c, json_t *body, int64_t now, int deadline, int64_t campaign_id,
			 struct osv_outcome *o, struct sg_error *err)
{
	struct osv_command cmd = { .card_id = c->id, .actor_kind = a->kind, .campaign_id = campaign_id,
				   .created = now, .deadline = now + deadline, .next_at = now };
	uint8_t secret[OSV_CMD_SECRET_LEN];
	bool have;
	int rc;

	if (secrets(p, a, c->iccid, body, secret, &have, o, err) < 0)
		return o->status ? 0 : -1;
	cmd.state = p->approval && a->kind != OSV_ACTOR_OWNER ? OSV_CMD_AWAITING_APPROVAL : OSV_CMD_QUEUED;
	snprintf(cmd.kind, sizeof(cmd.kind), "%s", p->kind);
	snprintf(cmd.actor, sizeof(cmd.actor), "%s", a->name);
	stored_params(body, cmd.params, sizeof(cmd.params));
	rc = osv_cmd_insert(s, &cmd, err);
	if (rc == 0 && have)
		rc = osv_cmd_set_secret(s, cmd.id, secret, err);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (rc == 0)
		rc = osv_engine_notify(s, &cmd,
				       cmd.state == OSV_CMD_AWAITING_APPROVAL ? "requested, awaiting a second operator's approval"
									      : "requested",
				       now, err);
	if (rc < 0)
		return -1;
	o->status = 202;
	o->command_id = cmd.id;
	o->state = cmd.state;
	snprintf(o->why, sizeof(o->why), "%s", osv_cmd_state_name(cmd.state));
	return 0;
}

/* A lock remembers who set it, at once: an owner's unlock arriving before the PoR must not lift it. */
static int note_lock(struct osv_store *s, const struct osv_actor *a, const struct osv_cmd_policy *p,
		     struct osv_device *d, bool registered, int64_t now, struct sg_error *err)
{
	if (!registered || strcmp(p->kind, "lock"))
		return 0;
	d->lock_origin |= a->kind == OSV_ACTOR_OWNER ? OSV_LOCK_OWNER : OSV_LOCK_OPERATOR;
	return osv_device_update(s, d, now, err);
}

int osv_command_request(struct osv_store *s, const struct osv_actor *a, const char *iccid, json_t *body,
			int64_t now, int deadline, int64_t campaign_id, struct osv_outcome *o, struct sg_error *err)
{
	const char *kind = json_string_value(json_object_get(body, "command"));
	const struct osv_cmd_policy *p = kind ? osv_cmd_policy(kind) : NULL;
	struct osv_device d;
	struct osv_card c;
	int rc, registered;

	memset(o, 0, sizeof(*o));
	if (!p)
		return outcome(o, 400, "command: '%s' is not a command (lock, disable, unlock, wipe, locate, ring, "
				       "message, status, opt-out, opt-in, enrol, rfm)",
			       kind ? kind : "");
	if (!role_allowed(p, a->kind))
		return outcome(o, 403, "%s: not allowed for this role", p->kind);
	if (params_fit(p, body, o) < 0 || check_values(p, body, o) < 0)
		return 0;
	if (p->owner_secret && a->kind == OSV_ACTOR_OWNER && !json_object_get(body, "secret"))
		return outcome(o, 400, "secret: %s needs the owner's secret", p->kind);
	rc = osv_card_get(s, iccid, &c, err);
	if (rc <= 0)
		return rc < 0 ? -1 : outcome(o, a->kind == OSV_ACTOR_OWNER ? 403 : 404, "%s: no such card", iccid);
	registered = osv_device_get(s, c.id, &d, err);
	if (registered < 0)
		return -1;
	if (device_allows(p, a, &d, registered, o) < 0)
		return 0;
	if (c.counter_state == OSV_CNTR_BLOCKED)
		return outcome(o, 409, "%s: the card's OTA counter is blocked", iccid);
	if (store_command(s, a, p, &c, body, now, deadline, campaign_id, o, err) < 0 || o->status != 202)
		return o->status ? 0 : -1;
	return note_lock(s, a, p, &d, registered == 1, now, err);
}

int osv_command_approve(struct osv_store *s, const struct osv_actor *a, int64_t id, int64_t now,
			struct osv_outcome *o, struct sg_error *err)
{
	const struct osv_cmd_policy *p;
	struct osv_command cmd;
	int rc = osv_cmd_get(s, id, &cmd, err);

	memset(o, 0, sizeof(*o));
	if (rc <= 0)
		return rc < 0 ? -1 : outcome(o, 404, "approve: %s", "no such command");
	p = osv_cmd_policy(cmd.kind);
	if (a->kind == OSV_ACTOR_OWNER || !p || !role_allowed(p, a->kind))
		return outcome(o, 403, "approve: %s", "not allowed for this role");
	if (cmd.state != OSV_CMD_AWAITING_APPROVAL)
		return outcome(o, 409, "approve: the command is %s, not awaiting approval",
			       osv_cmd_state_name(cmd.state));
	if (!strcmp(cmd.actor, a->name))
		return outcome(o, 403, "approve: %s", "a second operator must approve, not the one who asked");
	if (osv_cmd_approve(s, id, a->name, now, err) < 0 ||
	    osv_engine_notify(s, &cmd, "approved by a second operator", now, err) < 0)
		return -1;
	o->status = 200;
	o->command_id = id;
	o->state = OSV_CMD_QUEUED;
	snprintf(o->why, sizeof(o->why), "queued");
	return 0;
}

bool osv_actor_may_see(struct osv_store *s, const struct osv_actor *a, int64_t card_id)
{
	struct osv_device d;

	if (a->kind != OSV_ACTOR_OWNER)
		return true;
	return osv_device_get(s, card_id, &d, NULL) == 1 && d.owner_id == a->owner_id;
}
