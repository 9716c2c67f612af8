/* Owners (Argon2id hash, sealed TOTP secret, failure counter and lockout; the same counter and lockout for names
 * that are no owner), their sessions (stored by token hash) and their devices with the anti-theft state the server
 * keeps for each (opt-out, lock origin, disabled, IMEI, last results). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "store_internal.h"

static void totp_aad(char *aad, size_t size, const char *name)
{
	snprintf(aad, size, "totp:%s", name);
}

static struct osv_query q_owner_ins = { .sql = "INSERT INTO owners (name, pw_hash, totp, notify_msisdn, created_at)"
					" VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id" };
static struct osv_query q_owner_exists = { .sql = "SELECT 1 FROM owners WHERE name = ?1" };
static struct osv_query q_login_fail_del = { .sql = "DELETE FROM login_failures WHERE name = ?1" };

int osv_owner_insert(struct osv_store *s, struct osv_owner *o, int64_t now, struct sg_error *err)
{
	uint8_t sealed[sizeof(o->totp) + OSV_SEAL_OVERHEAD];
	struct osv_db_stmt *st = osv_q(s, &q_owner_exists, err);
	char aad[OSV_NAME_MAX + 8];
	long n;
	int rc;

	if (!st)
		return -1;
	osv_db_bind_text(st, 1, o->name);
	rc = osv_q_row(st, err);
	osv_db_reset(st);
	if (rc != 0)
		return rc < 0 ? -1 : sg_err(err, "owner %s: exists already", o->name);
	totp_aad(aad, sizeof(aad), o->name);
	n = osv_seal(s->kb, aad, o->totp, o->totp_len, sealed, sizeof(sealed), err);
	st = n < 0 ? NULL : osv_q(s, &q_owner_ins, err);
	if (!st)
		return -1;
	osv_db_bind_text(st, 1, o->name);
	osv_db_bind_text(st, 2, o->pw_hash);
	osv_db_bind_blob(st, 3, sealed, (size_t)n);
	osv_db_bind_text(st, 4, o->notify_msisdn);
	osv_db_bind_int(st, 5, now);
	if (osv_q_row(st, err) != 1)
		return -1;
	o->id = osv_db_col_int(st, 0);
	osv_db_reset(st);
	/* failures counted while the name was no owner are not the new owner's */
	st = osv_q(s, &q_login_fail_del, err);
	if (!st)
		return -1;
	osv_db_bind_text(st, 1, o->name);
	return osv_q_run(st, err);
}

#define OWNER_COLS "id, name, pw_hash, totp, failures, locked_until, notify_msisdn"

static int owner_from_row(struct osv_store *s, struct osv_db_stmt *st, struct osv_owner *o, struct sg_error *err)
{
	char aad[OSV_NAME_MAX + 8];
	const uint8_t *p;
	size_t n;
	long len;

	memset(o, 0, sizeof(*o));
	o->id = osv_db_col_int(st, 0);
	osv_col_copy(st, 1, o->name, sizeof(o->name));
	osv_col_copy(st, 2, o->pw_hash, sizeof(o->pw_hash));
	p = osv_db_col_blob(st, 3, &n);
	o->failures = (int)osv_db_col_int(st, 4);
	o->locked_until = osv_db_col_int(st, 5);
	osv_col_copy(st, 6, o->notify_msisdn, sizeof(o->notify_msisdn));
	totp_aad(aad, sizeof(aad), o->name);
	len = osv_unseal(s->kb, aad, p, p ? n : 0, o->totp, sizeof(o->totp), err);
	if (len < 0)
		return sg_err(err, "owner %s: TOTP secret does not open (altered, or another master key)", o->name);
	o->totp_len = (size_t)len;
	return 0;
}

static int owner_lookup(struct osv_store *s, struct osv_query *q, const char *name, int64_t id,
			struct osv_owner *o, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, q, err);
	int rc;

	if (!st)
		return -1;
	if (name)
		osv_db_bind_text(st, 1, name);
	else
		osv_db_bind_int(st, 1, id);
	rc = osv_q_row(st, err);
	if (rc == 1 && owner_from_row(s, st, o, err) < 0)
		rc = -1;
	osv_db_reset(st);
	return rc;
}

static struct osv_query q_owner_get = { .sql = "SELECT " OWNER_COLS " FROM owners WHERE name = ?1" };
static struct osv_query q_owner_get_id = { .sql = "SELECT " OWNER_COLS " FROM owners WHERE id = ?1" };

int osv_owner_get(struct osv_store *s, const char *name, struct osv_owner *o, struct sg_error *err)
{
	return owner_lookup(s, &q_owner_get, name, 0, o, err);
}

int osv_owner_get_by_id(struct osv_store *s, int64_t id, struct osv_owner *o, struct sg_error *err)
{
	return owner_lookup(s, &q_owner_get_id, NULL, id, o, err);
}

static struct osv_query q_owner_fail = { .sql = "UPDATE owners SET failures = ?2, locked_until = ?3 WHERE id = ?1" };

int osv_owner_set_failures(struct osv_store *s, int64_t id, int failures, int64_t locked_until,
			   struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_owner_fail, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, id);
	osv_db_bind_int(st, 2, failures);
	osv_db_bind_int(st, 3, locked_until);
	return osv_q_run(st, err);
}

void osv_owner_cleanse(struct osv_owner *o)
{
	OPENSSL_cleanse(o, sizeof(*o));
}

static struct osv_query q_login_fail_get = { .sql = "SELECT failures, locked_until FROM login_failures"
					     " WHERE name = ?1" };
static struct osv_query q_login_fail_set = { .sql = "INSERT INTO login_failures (name, failures, locked_until)"
					     " VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET"
					     " failures = excluded.failures, locked_until = excluded.locked_until" };

int osv_login_failures_get(struct osv_store *s, const char *name, int *failures, int64_t *locked_until,
			   struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_login_fail_get, err);
	int rc;

	*failures = 0;
	*locked_until = 0;
	if (!st)
		return -1;
	osv_db_bind_text(st, 1, name);
	rc = osv_q_row(st, err);
	if (rc == 1) {
		*failures = (int)osv_db_col_int(st, 0);
		*locked_until = osv_db_col_int(st, 1);
	}
	if (rc >= 0)
		osv_db_reset(st);
	return rc;
}

int osv_login_failures_set(struct osv_store *s, const char *name, int failures, int64_t locked_until,
			   struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_login_fail_set, err);

	if (!st)
		return -1;
	osv_db_bind_text(st, 1, name);
	osv_db_bind_int(st, 2, failures);
	osv_db_bind_int(st, 3, locked_until);
	return osv_q_run(st, err);
}

static struct osv_query q_owner_list = { .sql = "SELECT o.name, o.notify_msisdn, o.locked_until,"
					 " (SELECT count(*) FROM devices d WHERE d.owner_id = o.id)"
					 " FROM owners o ORDER BY o.name" };

static json_t *owner_row(struct osv_db_stmt *st)
{
	return json_pack("{s:s, s:s, s:I, s:I}", "name", osv_db_col_text(st, 0),
						     "notify_msisdn", osv_db_col_text(st, 1), "locked_until",
						     (json_int_t)osv_db_col_int(st, 2), "devices",
						     (json_int_t)osv_db_col_int(st, 3));
}

json_t *osv_owner_list(struct osv_store *s, struct sg_error *err)
{
	return osv_q_rows(osv_q(s, &q_owner_list, err), owner_row, err);
}

static struct osv_query q_sess_ins = { .sql = "INSERT INTO sessions (token_hash, owner_id, expires) VALUES (?1, ?2, ?3)" };
static struct osv_query q_sess_get = { .sql = "SELECT owner_id FROM sessions WHERE token_hash = ?1 AND expires > ?2" };
static struct osv_query q_sess_del = { .sql = "DELETE FROM sessions WHERE token_hash = ?1" };
static struct osv_query q_sess_purge = { .sql = "DELETE FROM sessions WHERE expires <= ?1" };

int osv_session_insert(struct osv_store *s, const uint8_t token_hash[32], int64_t owner_id, int64_t expires,
		       struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_sess_purge, err);

	if (!st)
		return -1;
	/* Expired sessions go whenever a new one is made, so the table stays as small as the live ones. */
	osv_db_bind_int(st, 1, expires - 365 * 86400);
	if (osv_q_run(st, err) < 0)
		return -1;
	st = osv_q(s, &q_sess_ins, err);
	if (!st)
		return -1;
	osv_db_bind_blob(st, 1, token_hash, 32);
	osv_db_bind_int(st, 2, owner_id);
	osv_db_bind_int(st, 3, expires);
	return osv_q_run(st, err);
}

int osv_session_owner(struct osv_store *s, const uint8_t token_hash[32], int64_t now, int64_t *owner_id,
		      struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_sess_get, err);
	int rc;

	if (!st)
		return -1;
	osv_db_bind_blob(st, 1, token_hash, 32);
	osv_db_bind_int(st, 2, now);
	rc = osv_q_row(st, err);
	if (rc == 1)
		*owner_id = osv_db_col_int(st, 0);
	if (rc >= 0)
		osv_db_reset(st);
	return rc;
}

int osv_session_delete(struct osv_store *s, const uint8_t token_hash[32], struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_sess_del, err);

	if (!st)
		return -1;
	osv_db_bind_blob(st, 1, token_hash, 32);
	return osv_q_run(st, err);
}

static struct osv_query q_dev_ins = { .sql = "INSERT INTO devices (card_id, owner_id, label, imei, created_at, updated_at)"
				      " VALUES (?1, ?2, ?3, ?4, ?5, ?5)" };
static struct osv_query q_dev_get = { .sql = "SELECT card_id, owner_id, label, imei, opted_out, lock_origin, disabled"
				      " FROM devices WHERE card_id = ?1" };
static struct osv_query q_dev_upd = { .sql = "UPDATE devices SET label = ?2, imei = ?3, opted_out = ?4, lock_origin = ?5,"
				      " disabled = CAST(?6 AS BIGINT), disabled_at = CASE WHEN CAST(?6 AS BIGINT) = 1 AND disabled = 0"
				      " THEN CAST(?7 AS BIGINT) WHEN CAST(?6 AS BIGINT) = 0 THEN 0 ELSE disabled_at END,"
				      " updated_at = CAST(?7 AS BIGINT) WHERE card_id = ?1" };

int osv_device_register(struct osv_store *s, const struct osv_device *d, int64_t now, struct sg_error *err)
{
	struct osv_device old;
	struct osv_db_stmt *st;
	int rc = osv_device_get(s, d->card_id, &old, err);

	if (rc != 0)
		return rc < 0 ? -1 : sg_err(err, "device already registered (to an owner)");
	st = osv_q(s, &q_dev_ins, err);
	if (!st)
		return -1;
	osv_db_bind_int(st, 1, d->card_id);
	osv_db_bind_int(st, 2, d->owner_id);
	osv_db_bind_text(st, 3, d->label);
	osv_db_bind_text(st, 4, d->imei);
	osv_db_bind_int(st, 5, now);
	return osv_q_run(st, err);
}

int osv_device_get(struct osv_store *s, int64_t card_id, struct osv_device *d, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_dev_get, err);
	int rc;

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, card_id);
	rc = osv_q_row(st, err);
	if (rc == 1) {
		memset(d, 0, sizeof(*d));
		d->card_id = osv_db_col_int(st, 0);
		d->owner_id = osv_db_col_int(st, 1);
		osv_col_copy(st, 2, d->label, sizeof(d->label));
		osv_col_copy(st, 3, d->imei, sizeof(d->imei));
		d->opted_out = osv_db_col_int(st, 4) != 0;
		d->lock_origin = (enum osv_lock_origin)osv_db_col_int(st, 5);
		d->disabled = osv_db_col_int(st, 6) != 0;
	}
	if (rc >= 0)
		osv_db_reset(st);
	return rc;
}

int osv_device_update(struct osv_store *s, const struct osv_device *d, int64_t now, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_dev_upd, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, d->card_id);
	osv_db_bind_text(st, 2, d->label);
	osv_db_bind_text(st, 3, d->imei);
	osv_db_bind_int(st, 4, d->opted_out);
	osv_db_bind_int(st, 5, d->lock_origin);
	osv_db_bind_int(st, 6, d->disabled);
	osv_db_bind_int(st, 7, now);
	return osv_q_run(st, err);
}

static struct osv_query q_dev_last = { .sql = "SELECT last FROM devices WHERE card_id = ?1" };
static struct osv_query q_dev_set_last = { .sql = "UPDATE devices SET last = ?2, updated_at = ?3 WHERE card_id = ?1" };

int osv_device_record_result(struct osv_store *s, int64_t card_id, const char *kind, json_t *result, int64_t now,
			     struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_dev_last, err);
	json_t *last, *entry;
	char *text;
	int rc;

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, card_id);
	rc = osv_q_row(st, err);
	if (rc != 1) /* a card without an owner: nothing to keep */
		return rc;
	last = osv_col_json(st, 0);
	osv_db_reset(st);
	entry = json_deep_copy(result);
	json_object_set_new(entry, "at", json_integer(now));
	json_object_set_new(last, kind, entry);
	text = json_dumps(last, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(last);
	st = text ? osv_q(s, &q_dev_set_last, err) : NULL;
	if (!st) {
		free(text);
		return -1;
	}
	osv_db_bind_int(st, 1, card_id);
	osv_db_bind_text(st, 2, text);
	osv_db_bind_int(st, 3, now);
	free(text);
	return osv_q_run(st, err);
}

static const char *lock_name(int origin)
{
	return origin == OSV_LOCK_OWNER ? "owner" : origin == OSV_LOCK_OPERATOR ? "operator" : "none";
}

static struct osv_query q_dev_list = { .sql = "SELECT c.iccid, c.msisdn, o.name, d.label, d.imei, d.opted_out,"
				       " d.lock_origin, d.disabled, d.last FROM devices d JOIN cards c ON c.id = d.card_id"
				       " JOIN owners o ON o.id = d.owner_id WHERE CAST(?1 AS BIGINT) < 0"
				       " OR d.owner_id = CAST(?1 AS BIGINT)"
				       " ORDER BY c.iccid" };

static json_t *device_row(struct osv_db_stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:o}", "iccid", osv_db_col_text(st, 0),
				       "msisdn", osv_db_col_text(st, 1), "owner", osv_db_col_text(st, 2), "label",
				       osv_db_col_text(st, 3), "imei", osv_db_col_text(st, 4), "opted_out",
				       (int)osv_db_col_int(st, 5), "lock", lock_name((int)osv_db_col_int(st, 6)),
				       "disabled", (int)osv_db_col_int(st, 7), "last", osv_col_json(st, 8));
}

json_t *osv_device_list(struct osv_store *s, int64_t owner_id, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_dev_list, err);

	if (st)
		osv_db_bind_int(st, 1, owner_id);
	return osv_q_rows(st, device_row, err);
}

static struct osv_query q_dev_block = { .sql = "SELECT d.imei, c.iccid, c.msisdn, d.disabled_at FROM devices d"
					" JOIN cards c ON c.id = d.card_id WHERE d.disabled = 1 AND d.imei <> ''"
					" ORDER BY d.imei" };

static json_t *block_row(struct osv_db_stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:I}", "imei", osv_db_col_text(st, 0), "iccid",
						     osv_db_col_text(st, 1), "msisdn", osv_db_col_text(st, 2),
						     "since", (json_int_t)osv_db_col_int(st, 3));
}

json_t *osv_device_blocklist(struct osv_store *s, struct sg_error *err)
{
	return osv_q_rows(osv_q(s, &q_dev_block, err), block_row, err);
}
