/* Commands (lifecycle, leases for several instances), their send attempts (one counter each, never reused: a
 * UNIQUE (card, kvn, counter) constraint backs the rule) and campaigns. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simguard/hex.h"
#include "store_internal.h"

static const char *const state_names[OSV_CMD_STATE_COUNT] = {
	[OSV_CMD_AWAITING_APPROVAL] = "awaiting_approval",
	[OSV_CMD_QUEUED] = "queued",
	[OSV_CMD_SUBMITTED] = "submitted",
	[OSV_CMD_DELIVERED] = "delivered",
	[OSV_CMD_CONFIRMED] = "confirmed",
	[OSV_CMD_REJECTED] = "rejected",
	[OSV_CMD_EXPIRED] = "expired",
	[OSV_CMD_CANCELLED] = "cancelled",
};

const char *osv_cmd_state_name(enum osv_cmd_state st)
{
	return (unsigned int)st < OSV_CMD_STATE_COUNT ? state_names[st] : "unknown";
}

bool osv_cmd_state_final(enum osv_cmd_state st)
{
	return st >= OSV_CMD_CONFIRMED;
}

const char *osv_actor_kind_name(enum osv_actor_kind k)
{
	return k == OSV_ACTOR_OWNER ? "owner" : k == OSV_ACTOR_AGENT ? "agent" : "supervisor";
}

static struct osv_query q_cmd_ins = {
	.sql = "INSERT INTO commands (card_id, kind, params, state, actor, actor_kind, campaign_id, created_at, deadline,"
	" next_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?8) RETURNING id"
};

int osv_cmd_insert(struct osv_store *s, struct osv_command *c, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cmd_ins, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, c->card_id);
	osv_db_bind_text(st, 2, c->kind);
	osv_db_bind_text(st, 3, c->params[0] ? c->params : "{}");
	osv_db_bind_int(st, 4, c->state);
	osv_db_bind_text(st, 5, c->actor);
	osv_db_bind_int(st, 6, c->actor_kind);
	osv_db_bind_int(st, 7, c->campaign_id);
	osv_db_bind_int(st, 8, c->created);
	osv_db_bind_int(st, 9, c->deadline);
	osv_db_bind_int(st, 10, c->next_at);
	if (osv_q_row(st, err) != 1)
		return -1;
	c->id = osv_db_col_int(st, 0);
	c->attempts = 0;
	c->por_status = -1;
	osv_db_reset(st);
	return 0;
}

#define CMD_COLS                                                                                                   \
	"id, card_id, kind, params, state, actor, actor_kind, approver, campaign_id, created_at, deadline, next_at,"  \
	" attempts, por_status, detail"

static void cmd_from_row(struct osv_db_stmt *st, struct osv_command *c)
{
	memset(c, 0, sizeof(*c));
	c->id = osv_db_col_int(st, 0);
	c->card_id = osv_db_col_int(st, 1);
	osv_col_copy(st, 2, c->kind, sizeof(c->kind));
	osv_col_copy(st, 3, c->params, sizeof(c->params));
	c->state = (enum osv_cmd_state)osv_db_col_int(st, 4);
	osv_col_copy(st, 5, c->actor, sizeof(c->actor));
	c->actor_kind = (enum osv_actor_kind)osv_db_col_int(st, 6);
	osv_col_copy(st, 7, c->approver, sizeof(c->approver));
	c->campaign_id = osv_db_col_int(st, 8);
	c->created = osv_db_col_int(st, 9);
	c->deadline = osv_db_col_int(st, 10);
	c->next_at = osv_db_col_int(st, 11);
	c->attempts = (int)osv_db_col_int(st, 12);
	c->por_status = (int)osv_db_col_int(st, 13);
	osv_col_copy(st, 14, c->detail, sizeof(c->detail));
}

static struct osv_query q_cmd_get = { .sql = "SELECT " CMD_COLS " FROM commands WHERE id = ?1" };

int osv_cmd_get(struct osv_store *s, int64_t id, struct osv_command *c, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cmd_get, err);
	int rc;

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, id);
	rc = osv_q_row(st, err);
	if (rc == 1)
		cmd_from_row(st, c);
	if (rc >= 0)
		osv_db_reset(st);
	return rc;
}

/* Parameters used in expressions carry casts: PostgreSQL must deduce one type per parameter. */
static struct osv_query q_cmd_upd = {
	.sql = "UPDATE commands SET state = CAST(?2 AS BIGINT), por_status = CASE WHEN CAST(?3 AS BIGINT) < 0"
	       " THEN por_status ELSE CAST(?3 AS BIGINT) END, detail = COALESCE(CAST(?4 AS TEXT), detail),"
	       " next_at = CASE WHEN CAST(?5 AS BIGINT) = 0 THEN next_at ELSE CAST(?5 AS BIGINT) END,"
	       " lease_owner = '', lease_until = 0, updated_at = ?6,"
	       " secret = CASE WHEN CAST(?2 AS BIGINT) >= 4 THEN NULL ELSE secret END WHERE id = ?1"
};

static int cmd_update(struct osv_store *s, int64_t id, enum osv_cmd_state stt, int por_status, const char *detail,
		      int64_t next_at, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cmd_upd, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, id);
	osv_db_bind_int(st, 2, stt);
	osv_db_bind_int(st, 3, por_status);
	osv_db_bind_text(st, 4, detail);
	osv_db_bind_int(st, 5, next_at);
	osv_db_bind_int(st, 6, (int64_t)time(NULL));
	return osv_q_run(st, err);
}

int osv_cmd_update(struct osv_store *s, int64_t id, enum osv_cmd_state stt, int por_status, const char *detail,
		   int64_t next_at, struct sg_error *err)
{
	return cmd_update(s, id, stt, por_status, detail, next_at, err);
}

static struct osv_query q_cmd_secret_set = { .sql = "UPDATE commands SET secret = ?2 WHERE id = ?1" };
static struct osv_query q_cmd_secret_get = { .sql = "SELECT secret FROM commands WHERE id = ?1 AND secret IS NOT NULL" };

static void secret_aad(char *aad, size_t size, int64_t id)
{
	snprintf(aad, size, "cmd:%" PRId64, id);
}

int osv_cmd_set_secret(struct osv_store *s, int64_t id, const uint8_t secret[OSV_CMD_SECRET_LEN],
		       struct sg_error *err)
{
	uint8_t sealed[OSV_CMD_SECRET_LEN + OSV_SEAL_OVERHEAD];
	struct osv_db_stmt *st;
	char aad[32];

	secret_aad(aad, sizeof(aad), id);
	if (osv_seal(s->kb, aad, secret, OSV_CMD_SECRET_LEN, sealed, sizeof(sealed), err) < 0)
		return -1;
	st = osv_q(s, &q_cmd_secret_set, err);
	if (!st)
		return -1;
	osv_db_bind_int(st, 1, id);
	osv_db_bind_blob(st, 2, sealed, sizeof(sealed));
	return osv_q_run(st, err);
}

int osv_cmd_get_secret(struct osv_store *s, int64_t id, uint8_t secret[OSV_CMD_SECRET_LEN], struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cmd_secret_get, err);
	const uint8_t *p;
	char aad[32];
	size_t n;
	int rc;

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, id);
	rc = osv_q_row(st, err);
	if (rc != 1)
		return rc;
	p = osv_db_col_blob(st, 0, &n);
	secret_aad(aad, sizeof(aad), id);
	rc = osv_unseal(s->kb, aad, p, p ? n : 0, secret, OSV_CMD_SECRET_LEN, err) == OSV_CMD_SECRET_LEN ? 1 : -1;
	osv_db_reset(st);
	return rc;
}

static struct osv_query q_cmd_approve = { .sql = "UPDATE commands SET state = ?2, approver = ?3, next_at = ?4,"
					  " updated_at = ?4 WHERE id = ?1 AND state = ?5" };

int osv_cmd_approve(struct osv_store *s, int64_t id, const char *approver, int64_t now, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cmd_approve, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, id);
	osv_db_bind_int(st, 2, OSV_CMD_QUEUED);
	osv_db_bind_text(st, 3, approver);
	osv_db_bind_int(st, 4, now);
	osv_db_bind_int(st, 5, OSV_CMD_AWAITING_APPROVAL);
	if (osv_q_run(st, err) < 0)
		return -1;
	return osv_db_changes(s->db) == 1 ? 0 : sg_err(err, "command %" PRId64 " is not awaiting approval", id);
}

static struct osv_query q_cmd_result = { .sql = "UPDATE commands SET result = ?2 WHERE id = ?1" };

int osv_cmd_set_result(struct osv_store *s, int64_t id, json_t *result, struct sg_error *err)
{
	char *text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
	struct osv_db_stmt *st = text ? osv_q(s, &q_cmd_result, err) : NULL;
	int rc;

	if (!st) {
		free(text);
		return -1;
	}
	osv_db_bind_int(st, 1, id);
	osv_db_bind_text(st, 2, text);
	rc = osv_q_run(st, err);
	free(text);
	return rc;
}

/* States the worker looks at when their time comes. A lease moves next_at to its end, so leased commands drop
 * out of the due range (the (state, next_at) index) and come back by themselves when an instance dies. */
#define DUE_STATES "(1, 2, 3)"

/* Cards of the first due commands, leased to this instance unless another one holds them. */
static struct osv_query q_card_lease = {
	.sql = "UPDATE cards SET lease_owner = ?1, lease_until = ?2 WHERE id IN (SELECT card_id FROM commands"
	       " WHERE state IN " DUE_STATES " AND next_at <= ?3 ORDER BY next_at, id LIMIT ?4)"
	       " AND (lease_owner = ?1 OR lease_until < ?3)",
	.sql_pg = "UPDATE cards SET lease_owner = ?1, lease_until = ?2 WHERE id IN (SELECT id FROM cards WHERE id IN"
		  " (SELECT card_id FROM commands WHERE state IN " DUE_STATES " AND next_at <= ?3 ORDER BY next_at, id"
		  " LIMIT ?4) AND (lease_owner = ?1 OR lease_until < ?3) FOR UPDATE SKIP LOCKED)",
};

static struct osv_query q_cmd_claim = {
	.sql = "UPDATE commands SET lease_owner = ?1, lease_until = ?2, next_at = ?2 WHERE id IN (SELECT id FROM commands"
	       " WHERE state IN " DUE_STATES " AND next_at <= ?3 AND card_id IN (SELECT id FROM cards"
	       " WHERE lease_owner = ?1 AND lease_until >= ?3) ORDER BY next_at, id LIMIT ?4) RETURNING id",
	.sql_pg = "UPDATE commands SET lease_owner = ?1, lease_until = ?2, next_at = ?2 WHERE id IN (SELECT id FROM"
		  " commands WHERE state IN " DUE_STATES " AND next_at <= ?3 AND card_id IN (SELECT id FROM cards"
		  " WHERE lease_owner = ?1 AND lease_until >= ?3) ORDER BY next_at, id"
		  " LIMIT ?4 FOR UPDATE SKIP LOCKED) RETURNING id",
};

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int lease_cards(struct osv_store *s, int64_t now, int lease, int max, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_card_lease, err);

	if (!st)
		return -1;
	osv_db_bind_text(st, 1, s->instance);
	osv_db_bind_int(st, 2, now + lease);
	osv_db_bind_int(st, 3, now);
	osv_db_bind_int(st, 4, max);
	return osv_q_run(st, err);
}

int osv_cmd_claim(struct osv_store *s, int64_t now, int lease, int max, int64_t *ids, struct sg_error *err)
{
	struct osv_db_stmt *st;
	int n = 0, rc;

	if (osv_store_begin(s, err) < 0)
		return -1;
	if (lease_cards(s, now, lease, max, err) < 0 || !(st = osv_q(s, &q_cmd_claim, err))) {
		osv_store_rollback(s);
		return -1;
	}
	osv_db_bind_text(st, 1, s->instance);
	osv_db_bind_int(st, 2, now + lease);
	osv_db_bind_int(st, 3, now);
	osv_db_bind_int(st, 4, max);
	while (n < max && (rc = osv_q_row(st, err)) == 1)
		ids[n++] = osv_db_col_int(st, 0);
	if (n < max && rc < 0) {
		osv_store_rollback(s);
		return -1;
	}
	osv_db_reset(st);
	if (osv_store_commit(s, err) < 0)
		return -1;
	/* RETURNING gives no order guarantee; per-card counter order follows command order. */
	qsort(ids, (size_t)n, sizeof(ids[0]), cmp_id);
	return n;
}

static struct osv_query q_cmd_release = { .sql = "UPDATE commands SET lease_owner = '', next_at ="
					  " CASE WHEN lease_until = next_at THEN 0 ELSE next_at END, lease_until = 0"
					  " WHERE lease_owner = ?1" };
static struct osv_query q_card_release = { .sql = "UPDATE cards SET lease_owner = '', lease_until = 0"
					   " WHERE lease_owner = ?1" };

int osv_cmd_release_mine(struct osv_store *s, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cmd_release, err);

	if (!st)
		return -1;
	osv_db_bind_text(st, 1, s->instance);
	if (osv_q_run(st, err) < 0 || !(st = osv_q(s, &q_card_release, err)))
		return -1;
	osv_db_bind_text(st, 1, s->instance);
	return osv_q_run(st, err);
}

static struct osv_query q_cmd_counts = { .sql = "SELECT state, count(*) FROM commands WHERE CAST(?1 AS BIGINT) = 0"
					 " OR campaign_id = CAST(?1 AS BIGINT)"
					 " GROUP BY state" };

int osv_cmd_counts(struct osv_store *s, int64_t campaign_id, int64_t counts[OSV_CMD_STATE_COUNT],
		   struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cmd_counts, err);
	int rc;

	memset(counts, 0, sizeof(int64_t) * OSV_CMD_STATE_COUNT);
	if (!st)
		return -1;
	osv_db_bind_int(st, 1, campaign_id);
	while ((rc = osv_q_row(st, err)) == 1) {
		int64_t state = osv_db_col_int(st, 0);

		if (state >= 0 && state < OSV_CMD_STATE_COUNT)
			counts[state] = osv_db_col_int(st, 1);
	}
	return rc < 0 ? -1 : 0;
}

static struct osv_query q_att_list = { .sql = "SELECT kvn, cntr, sent_at, msgid FROM attempts WHERE command_id = ?1"
				       " ORDER BY id" };
static struct osv_query q_cmd_extra = { .sql = "SELECT c.iccid, m.result FROM commands m JOIN cards c ON c.id = m.card_id"
					" WHERE m.id = ?1" };

static json_t *attempt_row(struct osv_db_stmt *st)
{
	return json_pack("{s:i, s:I, s:I, s:s}", "kvn", (int)osv_db_col_int(st, 0), "cntr",
						     (json_int_t)osv_db_col_int(st, 1), "sent_at",
						     (json_int_t)osv_db_col_int(st, 2), "msgid",
						     osv_db_col_text(st, 3));
}

static json_t *cmd_attempts(struct osv_store *s, int64_t id, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_att_list, err);

	if (st)
		osv_db_bind_int(st, 1, id);
	return osv_q_rows(st, attempt_row, err);
}

static struct osv_query q_att_full = { .sql = "SELECT kvn, cntr, sent_at, msgid, id, packet FROM attempts"
				       " WHERE command_id = ?1 ORDER BY id" };

/* An attempt with its packet in hex, as it was sent (after the SMS user data header). */
static json_t *attempt_full_row(struct osv_db_stmt *st)
{
	char hex[2 * SP_MAX_PACKET + 1];
	json_t *o = attempt_row(st);
	size_t n = 0;
	const uint8_t *p = osv_db_col_blob(st, 5, &n);

	if (!o)
		return NULL;
	sg_hex_encode(p, n <= SP_MAX_PACKET ? n : SP_MAX_PACKET, hex, sizeof(hex));
	json_object_set_new(o, "id", json_integer(osv_db_col_int(st, 4)));
	json_object_set_new(o, "packet", json_string(hex));
	return o;
}

json_t *osv_attempt_list(struct osv_store *s, int64_t command_id, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_att_full, err);

	if (st)
		osv_db_bind_int(st, 1, command_id);
	return osv_q_rows(st, attempt_full_row, err);
}

json_t *osv_cmd_json(struct osv_store *s, const struct osv_command *c, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cmd_extra, err);
	json_t *o, *params, *attempts;
	int rc;

	if (!st)
		return NULL;
	osv_db_bind_int(st, 1, c->id);
	rc = osv_q_row(st, err);
	if (rc != 1) {
		if (rc == 0)
			sg_err(err, "command %" PRId64 " vanished", c->id);
		return NULL;
	}
	params = json_loads(c->params, 0, NULL);
	o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:i}", "id", (json_int_t)c->id,
		      "iccid", osv_db_col_text(st, 0), "command", c->kind, "params", params ? params : json_object(),
		      "state", osv_cmd_state_name(c->state), "actor", c->actor, "actor_role",
		      osv_actor_kind_name(c->actor_kind), "approver", c->approver, "created", (json_int_t)c->created,
		      "deadline", (json_int_t)c->deadline, "campaign", (json_int_t)c->campaign_id, "attempts",
		      c->attempts);
	json_object_set_new(o, "result", osv_col_json(st, 1));
	osv_db_reset(st);
	if (c->por_status >= 0)
		json_object_set_new(o, "por_status", json_pack("{s:i, s:s}", "code", c->por_status, "name",
							       sp_status_name((uint8_t)c->por_status)));
	if (c->detail[0])
		json_object_set_new(o, "detail", json_string(c->detail));
	attempts = cmd_attempts(s, c->id, err);
	if (!attempts) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "sends", attempts);
	return o;
}

static struct osv_query q_cmd_list = {
	.sql = "SELECT " CMD_COLS " FROM commands m WHERE (CAST(?1 AS BIGINT) = 0 OR card_id = CAST(?1 AS BIGINT))"
	       " AND (CAST(?2 AS BIGINT) = 0 OR campaign_id = CAST(?2 AS BIGINT)) AND (CAST(?3 AS BIGINT) = 0 OR card_id"
	       " IN (SELECT card_id FROM devices WHERE owner_id = CAST(?3 AS BIGINT))) ORDER BY id DESC LIMIT ?4"
};

json_t *osv_cmd_list(struct osv_store *s, int64_t card_id, int64_t campaign_id, int64_t owner_id, int limit,
		     struct sg_error *err)
{
	struct osv_command *cmds;
	struct osv_db_stmt *st;
	json_t *arr = NULL;
	int n = 0, rc = 0;

	if (limit <= 0 || limit > 500)
		limit = 500;
	cmds = calloc((size_t)limit, sizeof(*cmds));
	st = cmds ? osv_q(s, &q_cmd_list, err) : NULL;
	if (!st)
		goto out;
	osv_db_bind_int(st, 1, card_id);
	osv_db_bind_int(st, 2, campaign_id);
	osv_db_bind_int(st, 3, owner_id);
	osv_db_bind_int(st, 4, limit);
	while (n < limit && (rc = osv_q_row(st, err)) == 1)
		cmd_from_row(st, &cmds[n++]);
	if (rc < 0)
		goto out;
	osv_db_reset(st);
	arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = osv_cmd_json(s, &cmds[i], err);

		if (!o) {
			json_decref(arr);
			arr = NULL;
			break;
		}
		json_array_append_new(arr, o);
	}
out:
	free(cmds);
	return arr;
}

static struct osv_query q_cmd_count_attempt = { .sql = "UPDATE commands SET attempts = attempts + 1 WHERE id = ?1" };
static struct osv_query q_att_ins = { .sql = "INSERT INTO attempts (command_id, card_id, kvn, cntr, packet, sent_at)"
				      " SELECT CAST(?1 AS BIGINT), card_id, CAST(?2 AS BIGINT), CAST(?3 AS BIGINT), ?4,"
				      " CAST(?5 AS BIGINT) FROM commands WHERE id = CAST(?1 AS BIGINT) RETURNING id" };

int osv_attempt_insert(struct osv_store *s, struct osv_attempt *a, const uint8_t *pkt, size_t len,
		       struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_att_ins, err);
	int rc;

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, a->command_id);
	osv_db_bind_int(st, 2, a->kvn);
	osv_db_bind_int(st, 3, (int64_t)a->cntr);
	osv_db_bind_blob(st, 4, pkt, len);
	osv_db_bind_int(st, 5, a->sent_at);
	rc = osv_q_row(st, err);
	if (rc != 1)
		return rc == 0 ? sg_err(err, "command %" PRId64 " vanished", a->command_id) : -1;
	a->id = osv_db_col_int(st, 0);
	osv_db_reset(st);
	st = osv_q(s, &q_cmd_count_attempt, err);
	if (!st)
		return -1;
	osv_db_bind_int(st, 1, a->command_id);
	return osv_q_run(st, err);
}

static struct osv_query q_att_msgid = { .sql = "UPDATE attempts SET msgid = ?2 WHERE id = ?1" };

int osv_attempt_set_msgid(struct osv_store *s, int64_t attempt_id, const char *msgid, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_att_msgid, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, attempt_id);
	osv_db_bind_text(st, 2, msgid);
	return osv_q_run(st, err);
}

#define ATT_COLS "id, command_id, kvn, cntr, sent_at, msgid"

static int attempt_lookup(struct osv_store *s, struct osv_query *q, int64_t a1, int64_t a2, const char *text,
			  struct osv_attempt *a, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, q, err);
	int rc;

	if (!st)
		return -1;
	if (text) {
		osv_db_bind_text(st, 1, text);
	} else {
		osv_db_bind_int(st, 1, a1);
		osv_db_bind_int(st, 2, a2);
	}
	rc = osv_q_row(st, err);
	if (rc == 1) {
		memset(a, 0, sizeof(*a));
		a->id = osv_db_col_int(st, 0);
		a->command_id = osv_db_col_int(st, 1);
		a->kvn = (uint8_t)osv_db_col_int(st, 2);
		a->cntr = (uint64_t)osv_db_col_int(st, 3);
		a->sent_at = osv_db_col_int(st, 4);
		osv_col_copy(st, 5, a->msgid, sizeof(a->msgid));
	}
	if (rc >= 0)
		osv_db_reset(st);
	return rc;
}

static struct osv_query q_att_cntr = { .sql = "SELECT " ATT_COLS " FROM attempts WHERE card_id = ?1 AND cntr = ?2"
				       " ORDER BY id DESC LIMIT 1" };
/* Driven from the card's open commands (commands_card_state), not from its whole attempt history. max() and the
 * state range (DUE_STATES, queued..delivered) instead of ORDER BY ... LIMIT 1 and an IN list: SQLite would build
 * and free an ephemeral table for each PoR. */
static struct osv_query q_att_open = { .sql = "SELECT a.id, a.command_id, a.kvn, a.cntr, a.sent_at, a.msgid FROM attempts a"
				       " WHERE a.id = (SELECT max(b.id) FROM commands m JOIN attempts b ON b.command_id = m.id"
				       " WHERE m.card_id = ?1 AND m.state BETWEEN 1 AND 3)" };
_Static_assert(OSV_CMD_QUEUED == 1 && OSV_CMD_SUBMITTED == 2 && OSV_CMD_DELIVERED == 3, "DUE_STATES is 1..3");
static struct osv_query q_att_msg = { .sql = "SELECT " ATT_COLS " FROM attempts WHERE msgid = ?1 ORDER BY id DESC LIMIT 1" };

int osv_attempt_by_cntr(struct osv_store *s, int64_t card_id, uint64_t cntr, struct osv_attempt *a,
			struct sg_error *err)
{
	return attempt_lookup(s, &q_att_cntr, card_id, (int64_t)cntr, NULL, a, err);
}

int osv_attempt_latest_open(struct osv_store *s, int64_t card_id, struct osv_attempt *a, struct sg_error *err)
{
	return attempt_lookup(s, &q_att_open, card_id, 0, NULL, a, err);
}

int osv_attempt_by_msgid(struct osv_store *s, const char *msgid, struct osv_attempt *a, struct sg_error *err)
{
	if (!msgid[0])
		return 0;
	return attempt_lookup(s, &q_att_msg, 0, 0, msgid, a, err);
}

static struct osv_query q_att_cntrs = { .sql = "SELECT cntr FROM attempts WHERE card_id = ?1 AND kvn = ?2 ORDER BY cntr" };

static json_t *counter_row(struct osv_db_stmt *st)
{
	return json_integer(osv_db_col_int(st, 0));
}

json_t *osv_attempt_counters(struct osv_store *s, int64_t card_id, uint8_t kvn, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_att_cntrs, err);

	if (st) {
		osv_db_bind_int(st, 1, card_id);
		osv_db_bind_int(st, 2, kvn);
	}
	return osv_q_rows(st, counter_row, err);
}

static struct osv_query q_camp_ins = { .sql = "INSERT INTO campaigns (kind, actor, created_at) VALUES (?1, ?2, ?3)"
				       " RETURNING id" };
static struct osv_query q_camp_get = { .sql = "SELECT kind, actor, created_at FROM campaigns WHERE id = ?1" };

int osv_campaign_insert(struct osv_store *s, const char *kind, const char *actor, int64_t now, int64_t *id,
			struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_camp_ins, err);

	if (!st)
		return -1;
	osv_db_bind_text(st, 1, kind);
	osv_db_bind_text(st, 2, actor);
	osv_db_bind_int(st, 3, now);
	if (osv_q_row(st, err) != 1)
		return -1;
	*id = osv_db_col_int(st, 0);
	osv_db_reset(st);
	return 0;
}

json_t *osv_campaign_json(struct osv_store *s, int64_t id, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_camp_get, err);
	int64_t counts[OSV_CMD_STATE_COUNT], total = 0, done = 0;
	json_t *o, *by_state;
	int rc;

	if (!st)
		return NULL;
	osv_db_bind_int(st, 1, id);
	rc = osv_q_row(st, err);
	if (rc != 1) {
		if (rc == 0)
			sg_err(err, "campaign %" PRId64 ": no such campaign", id);
		return NULL;
	}
	o = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)id, "command", osv_db_col_text(st, 0), "actor",
		      osv_db_col_text(st, 1), "created", (json_int_t)osv_db_col_int(st, 2));
	osv_db_reset(st);
	if (osv_cmd_counts(s, id, counts, err) < 0) {
		json_decref(o);
		return NULL;
	}
	by_state = json_object();
	for (int i = 0; i < OSV_CMD_STATE_COUNT; i++) {
		json_object_set_new(by_state, osv_cmd_state_name(i), json_integer(counts[i]));
		total += counts[i];
		if (osv_cmd_state_final(i))
			done += counts[i];
	}
	json_object_set_new(o, "states", by_state);
	json_object_set_new(o, "total", json_integer(total));
	json_object_set_new(o, "finished", json_integer(done));
	return o;
}
