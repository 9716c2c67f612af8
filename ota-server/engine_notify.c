/* Owner notifications as text SMS (engine.h): every command event on an owner's device is also sent to the
 * owner's notify number, through the same SMPP link and window as the OTA packets but after them (a command
 * never waits for a notification). The text is encoded once, when the event happens (notify_sms.h: GSM 7-bit
 * default alphabet or UCS-2, concatenated parts when longer than one SMS); each part is queued, sent, retried and
 * receipted on its own - a delivery receipt is asked for every part. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "otasrv/engine.h"
#include "otasrv/notify_sms.h"

#define CLAIM_MAX 64

/* snprintf may have cut the last character's UTF-8 sequence: drop what is left of it. */
static void utf8_drop_cut(char *text)
{
	size_t i = strlen(text), cont = 0, want;
	uint8_t lead;

	while (i > 0 && cont < 3 && ((uint8_t)text[i - 1] & 0xC0) == 0x80) {
		i--;
		cont++;
	}
	if (i == 0)
		return;
	lead = (uint8_t)text[i - 1];
	want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (lead >= 0xC0 && cont + 1 < want)
		text[i - 1] = '\0';
}

/* The notification's SMS parts into the queue. The concatenation reference is the notification id's low byte:
 * it only has to differ from the owner's recent concatenated messages from us, and stays the same when a part is
 * sent again. */
static int queue_sms(struct osv_store *s, int64_t id, const char *to, const char *text, struct sg_error *err)
{
	struct osv_notify_sms sms = { .notification_id = id };
	struct osv_sms_text enc;

	osv_sms_text_encode(text, (uint8_t)id, OSV_SMS_MAX_PARTS, &enc);
	snprintf(sms.msisdn, sizeof(sms.msisdn), "%s", to);
	sms.dcs = enc.dcs;
	sms.total = enc.n_parts;
	for (int p = 0; p < enc.n_parts; p++) {
		sms.seq = p + 1;
		memcpy(sms.ud, enc.part[p].ud, enc.part[p].len);
		sms.ud_len = enc.part[p].len;
		if (osv_notify_sms_add(s, &sms, err) < 0)
			return -1;
	}
	return 0;
}

int osv_engine_notify(struct osv_store *s, const struct osv_command *cmd, const char *event, int64_t now,
		      struct sg_error *err)
{
	struct osv_device d;
	char text[sizeof(((struct osv_notify_sms *)0)->ud)], to[21];
	int64_t id;
	int rc = osv_device_get(s, cmd->card_id, &d, err);

	if (rc <= 0)
		return rc;
	snprintf(text, sizeof(text), "command %" PRId64 " (%s by %s): %s", cmd->id, cmd->kind, cmd->actor, event);
	utf8_drop_cut(text);
	if (osv_notify(s, d.owner_id, cmd->id, text, now, &id, to, err) < 0)
		return -1;
	return to[0] ? queue_sms(s, id, to, text, err) : 0;
}

/* A part the v7 -> v8 migration made from an SMS waiting at the upgrade holds the text: encoded now, one SMS
 * (what that SMS would have been). */
static void legacy_part(struct osv_notify_sms *sms)
{
	char text[sizeof(sms->ud) + 1];
	struct osv_sms_text enc;

	memcpy(text, sms->ud, sms->ud_len);
	text[sms->ud_len] = '\0';
	osv_sms_text_encode(text, 0, 1, &enc);
	sms->dcs = enc.dcs;
	memcpy(sms->ud, enc.part[0].ud, enc.part[0].len);
	sms->ud_len = enc.part[0].len;
}

int osv_engine_notify_claim(struct osv_store *s, const struct osv_engine_cfg *cfg, int max, int64_t now,
			    struct osv_outgoing *out, struct sg_error *err)
{
	struct osv_notify_sms sms[CLAIM_MAX];
	int n;

	if (max > CLAIM_MAX)
		max = CLAIM_MAX;
	n = osv_notify_sms_claim(s, now, cfg->lease, max, sms, err);
	for (int i = 0; i < n; i++) {
		if (sms[i].dcs == OSV_NOTIFY_SMS_TEXT)
			legacy_part(&sms[i]);
		memset(&out[i], 0, sizeof(out[i]));
		out[i].notification_id = sms[i].notification_id;
		out[i].sms_id = sms[i].id;
		out[i].part = sms[i].seq;
		out[i].parts = sms[i].total;
		out[i].dcs = sms[i].dcs;
		out[i].udhi = sms[i].total > 1;
		out[i].tries = sms[i].tries;
		out[i].dialect = SP_DIALECT_SMS;
		memcpy(out[i].msisdn, sms[i].msisdn, sizeof(out[i].msisdn));
		memcpy(out[i].ud, sms[i].ud, sms[i].ud_len);
		out[i].ud_len = sms[i].ud_len;
	}
	return n;
}

int osv_engine_notify_submitted(struct osv_store *s, const struct osv_engine_cfg *cfg, const struct osv_outgoing *o,
				bool accepted, const char *msgid, int64_t now, struct sg_error *err)
{
	int shift = o->tries > 1 ? o->tries - 1 : 0;
	/* refused or lost: again after the backoff, doubled with every try */
	int64_t retry_at = now + ((int64_t)cfg->submit_backoff << (shift > 10 ? 10 : shift));

	if (osv_store_begin(s, err) < 0)
		return -1;
	if (osv_notify_sms_done(s, o->sms_id, accepted, msgid, retry_at, cfg->notify_tries, err) < 0) {
		osv_store_rollback(s);
		return -1;
	}
	return osv_store_commit(s, err);
}

int osv_engine_notify_receipt(struct osv_store *s, const char *msgid, int message_state, struct sg_error *err)
{
	/* SMPP message_state: 2 DELIVERED; 3 EXPIRED, 4 DELETED, 5 UNDELIVERABLE, 8 REJECTED are final failures */
	bool delivered = message_state == 2;
	bool final = delivered || message_state == 3 || message_state == 4 || message_state == 5 || message_state == 8;

	return final ? osv_notify_sms_receipt(s, msgid, delivered, err) : 0;
}
