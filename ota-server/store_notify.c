/* Notifications to owners: every event of a command on an owner's device is kept for the API, and - when the
 * owner gave a notify number - queued as text SMS to that number, one row per SMS part (notification_sms: its
 * encoded user data, state, tries, the SMSC's message id for the receipt). The parts are claimed like the
 * command queue (a lease in next_at, SKIP LOCKED on PostgreSQL), so several instances never send one part at
 * once, and one that an instance claimed but never settled (crash) comes back when the lease ends: at least
 * once, a duplicate SMS after a crash is possible, a lost one is not. A notification's sms_state follows its
 * parts'. */
#include <string.h>

#include "store_internal.h"

static const char *const sms_state_names[] = {
	[OSV_SMS_NONE] = "none",     [OSV_SMS_WAITING] = "waiting",	[OSV_SMS_SENT] = "sent",
	[OSV_SMS_FAILED] = "failed", [OSV_SMS_DELIVERED] = "delivered", [OSV_SMS_UNDELIVERED] = "undelivered",
};

const char *osv_sms_state_name(enum osv_sms_state st)
{
	return (unsigned int)st <= OSV_SMS_UNDELIVERED ? sms_state_names[st] : "unknown";
}

/* The notify number is copied at the event: the SMS goes where the owner asked at that time. */
static struct osv_query q_notif_ins = {
	.sql = "INSERT INTO notifications (owner_id, command_id, text, created_at,"
	       " sms_to, sms_state) SELECT id, CAST(?2 AS BIGINT), CAST(?3 AS TEXT),"
	       " CAST(?4 AS BIGINT), notify_msisdn, CASE WHEN notify_msisdn <> '' THEN 1"
	       " ELSE 0 END FROM owners WHERE id = ?1 RETURNING id, sms_to"
};
static struct osv_query q_notif_list = {
	.sql = "SELECT id, command_id, text, created_at, sms_state"
	       " FROM notifications WHERE owner_id = ?1 AND id > ?2 ORDER BY id LIMIT 500"
};
static struct osv_query q_sms_ins = { .sql = "INSERT INTO notification_sms (notification_id, seq, total, msisdn, dcs,"
					     " ud) VALUES (?1, ?2, ?3, ?4, ?5, ?6)" };
static struct osv_query q_sms_claim = {
	.sql = "UPDATE notification_sms SET next_at = ?2, tries = tries + 1 WHERE id IN (SELECT id FROM"
	       " notification_sms WHERE state = 1 AND next_at <= ?1 ORDER BY id LIMIT ?3)"
	       " RETURNING id, notification_id, seq, total, msisdn, dcs, ud, tries",
	.sql_pg = "UPDATE notification_sms SET next_at = ?2, tries = tries + 1 WHERE id IN (SELECT id FROM"
		  " notification_sms WHERE state = 1 AND next_at <= ?1 ORDER BY id LIMIT ?3 FOR UPDATE SKIP LOCKED)"
		  " RETURNING id, notification_id, seq, total, msisdn, dcs, ud, tries",
};
static struct osv_query q_sms_done = {
	.sql = "UPDATE notification_sms SET state = CASE WHEN CAST(?2 AS BIGINT) = 1 THEN 2 WHEN tries >="
	       " CAST(?4 AS BIGINT) THEN 3 ELSE 1 END, next_at = CAST(?3 AS BIGINT), msgid = CAST(?5 AS TEXT)"
	       " WHERE id = ?1 AND state = 1 RETURNING notification_id"
};
static struct osv_query q_sms_receipt = {
	.sql = "UPDATE notification_sms SET state = CASE WHEN CAST(?2 AS BIGINT) = 1 THEN 4 ELSE 5 END"
	       " WHERE msgid = CAST(?1 AS TEXT) AND state = 2 AND (SELECT count(*) FROM notification_sms"
	       " WHERE msgid = CAST(?1 AS TEXT)) = 1 RETURNING notification_id"
};
/* The notification's state is its least advanced part's: failed > undelivered > waiting > sent > delivered. */
static struct osv_query q_notif_state = {
	.sql = "UPDATE notifications SET sms_state = COALESCE((SELECT CASE max(CASE state WHEN 4 THEN 0 WHEN 2"
	       " THEN 1 WHEN 1 THEN 2 WHEN 5 THEN 3 ELSE 4 END) WHEN 0 THEN 4 WHEN 1 THEN 2 WHEN 2 THEN 1 WHEN 3"
	       " THEN 5 ELSE 3 END FROM notification_sms WHERE notification_id = ?1), sms_state) WHERE id = ?1"
};

int osv_notify(struct osv_store *s, int64_t owner_id, int64_t command_id, const char *text, int64_t now, int64_t *id,
	       char sms_to[21], struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_notif_ins, err);
	int rc;

	*id = 0;
	sms_to[0] = '\0';
	if (!st)
		return -1;
	osv_db_bind_int(st, 1, owner_id);
	osv_db_bind_int(st, 2, command_id);
	osv_db_bind_text(st, 3, text);
	osv_db_bind_int(st, 4, now);
	rc = osv_q_row(st, err);
	if (rc == 1) {
		*id = osv_db_col_int(st, 0);
		osv_col_copy(st, 1, sms_to, 21);
	}
	if (rc >= 0)
		osv_db_reset(st);
	return rc < 0 ? -1 : 0;
}

static json_t *notification_row(struct osv_db_stmt *st)
{
	int64_t sms = osv_db_col_int(st, 4);
	json_t *o = json_pack("{s:I, s:I, s:s, s:I}", "id", (json_int_t)osv_db_col_int(st, 0), "command",
			      (json_int_t)osv_db_col_int(st, 1), "text", osv_db_col_text(st, 2), "at",
			      (json_int_t)osv_db_col_int(st, 3));

	if (o && sms != OSV_SMS_NONE)
		json_object_set_new(o, "sms", json_string(osv_sms_state_name((enum osv_sms_state)sms)));
	return o;
}

json_t *osv_notifications(struct osv_store *s, int64_t owner_id, int64_t after_id, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_notif_list, err);

	if (st) {
		osv_db_bind_int(st, 1, owner_id);
		osv_db_bind_int(st, 2, after_id);
	}
	return osv_q_rows(st, notification_row, err);
}

int osv_notify_sms_add(struct osv_store *s, const struct osv_notify_sms *sms, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_sms_ins, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, sms->notification_id);
	osv_db_bind_int(st, 2, sms->seq);
	osv_db_bind_int(st, 3, sms->total);
	osv_db_bind_text(st, 4, sms->msisdn);
	osv_db_bind_int(st, 5, sms->dcs);
	osv_db_bind_blob(st, 6, sms->ud, sms->ud_len);
	return osv_q_run(st, err);
}

static void sms_row(struct osv_db_stmt *st, struct osv_notify_sms *sms)
{
	size_t len;
	const void *ud;

	sms->id = osv_db_col_int(st, 0);
	sms->notification_id = osv_db_col_int(st, 1);
	sms->seq = (int)osv_db_col_int(st, 2);
	sms->total = (int)osv_db_col_int(st, 3);
	osv_col_copy(st, 4, sms->msisdn, sizeof(sms->msisdn));
	sms->dcs = (uint8_t)osv_db_col_int(st, 5);
	ud = osv_db_col_blob(st, 6, &len);
	sms->ud_len = len < sizeof(sms->ud) ? len : sizeof(sms->ud);
	if (sms->ud_len)
		memcpy(sms->ud, ud, sms->ud_len);
	sms->tries = (int)osv_db_col_int(st, 7);
}

int osv_notify_sms_claim(struct osv_store *s, int64_t now, int lease, int max, struct osv_notify_sms *out,
			 struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_sms_claim, err);
	int n = 0, rc = 0;

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, now);
	osv_db_bind_int(st, 2, now + lease);
	osv_db_bind_int(st, 3, max);
	while (n < max && (rc = osv_q_row(st, err)) == 1)
		sms_row(st, &out[n++]);
	if (n < max && rc < 0)
		return -1;
	osv_db_reset(st);
	return n;
}

static int notification_follows(struct osv_store *s, int64_t notification_id, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_notif_state, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, notification_id);
	return osv_q_run(st, err);
}

/* Run a part update that returns its notification's id, then bring the notification's state along. 1 when a
 * part changed, 0 when none did, -1. */
static int part_changed(struct osv_store *s, struct osv_db_stmt *st, struct sg_error *err)
{
	int64_t notification_id;
	int rc = osv_q_row(st, err);

	if (rc <= 0) {
		if (rc == 0)
			osv_db_reset(st);
		return rc;
	}
	notification_id = osv_db_col_int(st, 0);
	osv_db_reset(st);
	return notification_follows(s, notification_id, err) < 0 ? -1 : 1;
}

int osv_notify_sms_done(struct osv_store *s, int64_t id, bool accepted, const char *msgid, int64_t retry_at,
			int max_tries, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_sms_done, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, id);
	osv_db_bind_int(st, 2, accepted);
	osv_db_bind_int(st, 3, retry_at);
	osv_db_bind_int(st, 4, max_tries);
	osv_db_bind_text(st, 5, accepted && msgid ? msgid : "");
	return part_changed(s, st, err) < 0 ? -1 : 0;
}

int osv_notify_sms_receipt(struct osv_store *s, const char *msgid, bool delivered, struct sg_error *err)
{
	struct osv_db_stmt *st;

	if (!msgid || !msgid[0])
		return 0;
	st = osv_q(s, &q_sms_receipt, err);
	if (!st)
		return -1;
	osv_db_bind_text(st, 1, msgid);
	osv_db_bind_int(st, 2, delivered);
	return part_changed(s, st, err);
}
