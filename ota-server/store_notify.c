/* Notifications to owners: every event of a command on an owner's device is kept for the API, and - when the
 * owner gave a notify number - queued for a text SMS to that number. The SMS queue is claimed like the command
 * queue (a lease in sms_next_at, SKIP LOCKED on PostgreSQL), so several instances never send one notification
 * at once, and one that an instance claimed but never settled (crash) comes back when the lease ends: at least
 * once, a duplicate SMS after a crash is possible, a lost one is not. */
#include <string.h>

#include "store_internal.h"

static const char *const sms_state_names[] = {
	[OSV_SMS_NONE] = "none",
	[OSV_SMS_WAITING] = "waiting",
	[OSV_SMS_SENT] = "sent",
	[OSV_SMS_FAILED] = "failed",
};

const char *osv_sms_state_name(enum osv_sms_state st)
{
	return (unsigned int)st <= OSV_SMS_FAILED ? sms_state_names[st] : "unknown";
}

/* The notify number is copied at the event: the SMS goes where the owner asked at that time. */
static struct osv_query q_notif_ins = { .sql = "INSERT INTO notifications (owner_id, command_id, text, created_at,"
					" sms_to, sms_state) SELECT id, CAST(?2 AS BIGINT), CAST(?3 AS TEXT),"
					" CAST(?4 AS BIGINT), notify_msisdn, CASE WHEN notify_msisdn <> '' THEN 1"
					" ELSE 0 END FROM owners WHERE id = ?1" };
static struct osv_query q_notif_list = { .sql = "SELECT id, command_id, text, created_at, sms_state"
					 " FROM notifications WHERE owner_id = ?1 AND id > ?2 ORDER BY id LIMIT 500" };
static struct osv_query q_sms_claim = {
	.sql = "UPDATE notifications SET sms_next_at = ?2, sms_tries = sms_tries + 1 WHERE id IN (SELECT id FROM"
	       " notifications WHERE sms_state = 1 AND sms_next_at <= ?1 ORDER BY id LIMIT ?3)"
	       " RETURNING id, sms_to, text, sms_tries",
	.sql_pg = "UPDATE notifications SET sms_next_at = ?2, sms_tries = sms_tries + 1 WHERE id IN (SELECT id FROM"
		  " notifications WHERE sms_state = 1 AND sms_next_at <= ?1 ORDER BY id LIMIT ?3"
		  " FOR UPDATE SKIP LOCKED) RETURNING id, sms_to, text, sms_tries",
};
static struct osv_query q_sms_done = {
	.sql = "UPDATE notifications SET sms_state = CASE WHEN CAST(?2 AS BIGINT) = 1 THEN 2 WHEN sms_tries >="
	       " CAST(?4 AS BIGINT) THEN 3 ELSE 1 END, sms_next_at = CAST(?3 AS BIGINT) WHERE id = ?1 AND sms_state = 1"
};

int osv_notify(struct osv_store *s, int64_t owner_id, int64_t command_id, const char *text, int64_t now,
	       struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_notif_ins, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, owner_id);
	osv_db_bind_int(st, 2, command_id);
	osv_db_bind_text(st, 3, text);
	osv_db_bind_int(st, 4, now);
	return osv_q_run(st, err);
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
	while (n < max && (rc = osv_q_row(st, err)) == 1) {
		out[n].id = osv_db_col_int(st, 0);
		osv_col_copy(st, 1, out[n].msisdn, sizeof(out[n].msisdn));
		osv_col_copy(st, 2, out[n].text, sizeof(out[n].text));
		out[n].tries = (int)osv_db_col_int(st, 3);
		n++;
	}
	if (n < max && rc < 0)
		return -1;
	osv_db_reset(st);
	return n;
}

int osv_notify_sms_done(struct osv_store *s, int64_t id, bool accepted, int64_t retry_at, int max_tries,
			struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_sms_done, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, id);
	osv_db_bind_int(st, 2, accepted);
	osv_db_bind_int(st, 3, retry_at);
	osv_db_bind_int(st, 4, max_tries);
	return osv_q_run(st, err);
}
