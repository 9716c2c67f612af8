/* Cards, their keysets and OTA counters (see store.h). Keys are sealed with AES-256-GCM bound to ICCID, key
 * version and key name; counters move only forward, one UPDATE ... RETURNING at a time. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "simguard/hex.h"
#include "store_internal.h"

static const char *const cntr_state_names[] = { "ok", "drift", "blocked" };

const char *osv_counter_state_name(enum osv_counter_state st)
{
	return (unsigned int)st < 3 ? cntr_state_names[st] : "unknown";
}

static void key_aad(char *aad, size_t size, const char *iccid, uint8_t kvn, const char *name)
{
	snprintf(aad, size, "key:%s:%u:%s", iccid, kvn, name);
}

static int bind_sealed(struct osv_store *s, struct osv_db_stmt *st, int idx, const char *iccid, uint8_t kvn,
		       const char *name, const struct sp_key *k, struct sg_error *err)
{
	uint8_t sealed[sizeof(k->key) + OSV_SEAL_OVERHEAD];
	char aad[64];
	long n;

	key_aad(aad, sizeof(aad), iccid, kvn, name);
	n = osv_seal(s->kb, aad, k->key, k->len, sealed, sizeof(sealed), err);
	if (n < 0)
		return -1;
	return osv_db_bind_blob(st, idx, sealed, (size_t)n);
}

static struct osv_query q_card_ins = { .sql = "INSERT INTO cards (iccid, imsi, msisdn, tar, spi, kvn, dialect, created_at)"
				       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id" };
static struct osv_query q_card_exists = { .sql = "SELECT 1 FROM cards WHERE iccid = ?1" };
static struct osv_query q_ks_ins = { .sql = "INSERT INTO keysets (card_id, kvn, kic, kid, kic_key, kid_key, kik_key, counter)"
				     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)" };

static int insert_keyset(struct osv_store *s, int64_t card_id, const char *iccid, const struct osv_keyset_in *k,
			 struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_ks_ins, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, card_id);
	osv_db_bind_int(st, 2, k->kvn);
	osv_db_bind_int(st, 3, (k->kvn << 4) | k->kic_alg);
	osv_db_bind_int(st, 4, (k->kvn << 4) | k->kid_alg);
	if (bind_sealed(s, st, 5, iccid, k->kvn, "kic", &k->kic, err) < 0 ||
	    bind_sealed(s, st, 6, iccid, k->kvn, "kid", &k->kid, err) < 0 ||
	    bind_sealed(s, st, 7, iccid, k->kvn, "kik", &k->kik, err) < 0)
		return -1;
	osv_db_bind_int(st, 8, (int64_t)k->counter);
	return osv_q_run(st, err);
}

int osv_card_insert(struct osv_store *s, const struct osv_card_import *ci, int64_t now, struct sg_error *err)
{
	const struct osv_card *c = &ci->card;
	struct osv_db_stmt *st = osv_q(s, &q_card_exists, err);
	int64_t id;
	int rc;

	if (!st)
		return -1;
	osv_db_bind_text(st, 1, c->iccid);
	rc = osv_q_row(st, err);
	osv_db_reset(st);
	if (rc != 0)
		return rc < 0 ? -1 : sg_err(err, "iccid %s: already imported", c->iccid);
	st = osv_q(s, &q_card_ins, err);
	if (!st)
		return -1;
	osv_db_bind_text(st, 1, c->iccid);
	osv_db_bind_text(st, 2, c->imsi);
	osv_db_bind_text(st, 3, c->msisdn);
	osv_db_bind_blob(st, 4, c->tar, 3);
	osv_db_bind_blob(st, 5, c->spi, 2);
	osv_db_bind_int(st, 6, c->kvn);
	osv_db_bind_int(st, 7, c->dialect);
	osv_db_bind_int(st, 8, now);
	if (osv_q_row(st, err) != 1)
		return -1;
	id = osv_db_col_int(st, 0);
	osv_db_reset(st);
	for (int i = 0; i < ci->n_ks; i++)
		if (insert_keyset(s, id, c->iccid, &ci->ks[i], err) < 0)
			return -1;
	return 0;
}

#define CARD_COLS "id, iccid, imsi, msisdn, tar, spi, kvn, dialect, counter_state"

static void card_from_row(struct osv_db_stmt *st, struct osv_card *c)
{
	const void *p;
	size_t n;

	memset(c, 0, sizeof(*c));
	c->id = osv_db_col_int(st, 0);
	osv_col_copy(st, 1, c->iccid, sizeof(c->iccid));
	osv_col_copy(st, 2, c->imsi, sizeof(c->imsi));
	osv_col_copy(st, 3, c->msisdn, sizeof(c->msisdn));
	p = osv_db_col_blob(st, 4, &n);
	if (p && n == 3)
		memcpy(c->tar, p, 3);
	p = osv_db_col_blob(st, 5, &n);
	if (p && n == 2)
		memcpy(c->spi, p, 2);
	c->kvn = (uint8_t)osv_db_col_int(st, 6);
	c->dialect = osv_db_col_int(st, 7) ? SP_DIALECT_USSD : SP_DIALECT_SMS;
	c->counter_state = (enum osv_counter_state)osv_db_col_int(st, 8);
}

static int card_lookup(struct osv_store *s, struct osv_query *q, const char *text, int64_t num,
		       struct osv_card *c, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, q, err);
	int rc;

	if (!st)
		return -1;
	if (text)
		osv_db_bind_text(st, 1, text);
	else
		osv_db_bind_int(st, 1, num);
	rc = osv_q_row(st, err);
	if (rc == 1)
		card_from_row(st, c);
	if (rc >= 0)
		osv_db_reset(st);
	return rc;
}

static struct osv_query q_card_get = { .sql = "SELECT " CARD_COLS " FROM cards WHERE iccid = ?1" };
static struct osv_query q_card_get_id = { .sql = "SELECT " CARD_COLS " FROM cards WHERE id = ?1" };
/* Several cards could share an MSISDN over time (recycled numbers): the newest import wins. */
static struct osv_query q_card_get_msisdn = { .sql = "SELECT " CARD_COLS " FROM cards WHERE msisdn = ?1"
					      " ORDER BY id DESC LIMIT 1" };

int osv_card_get(struct osv_store *s, const char *iccid, struct osv_card *c, struct sg_error *err)
{
	return card_lookup(s, &q_card_get, iccid, 0, c, err);
}

int osv_card_get_by_id(struct osv_store *s, int64_t id, struct osv_card *c, struct sg_error *err)
{
	return card_lookup(s, &q_card_get_id, NULL, id, c, err);
}

int osv_card_get_by_msisdn(struct osv_store *s, const char *msisdn, struct osv_card *c, struct sg_error *err)
{
	return card_lookup(s, &q_card_get_msisdn, msisdn, 0, c, err);
}

static struct osv_query q_card_state = { .sql = "UPDATE cards SET counter_state = ?2 WHERE id = ?1" };

int osv_card_set_counter_state(struct osv_store *s, int64_t card_id, enum osv_counter_state stt,
			       struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_card_state, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, card_id);
	osv_db_bind_int(st, 2, stt);
	return osv_q_run(st, err);
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
	char buf[2 * 8 + 1];

	return json_string(sg_hex_encode(b, n, buf, sizeof(buf)));
}

static struct osv_query q_ks_list = { .sql = "SELECT kvn, kic, kid, counter FROM keysets WHERE card_id = ?1 ORDER BY kvn" };
static struct osv_query q_card_owner = { .sql = "SELECT o.name FROM devices d JOIN owners o ON o.id = d.owner_id"
					 " WHERE d.card_id = ?1" };

json_t *osv_card_json(struct osv_store *s, const struct osv_card *c, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_ks_list, err);
	json_t *ks = json_array(), *o;
	int rc;

	if (!st)
		return NULL;
	osv_db_bind_int(st, 1, c->id);
	while ((rc = osv_q_row(st, err)) == 1) {
		uint8_t kic = (uint8_t)osv_db_col_int(st, 1), kid = (uint8_t)osv_db_col_int(st, 2);

		json_array_append_new(ks, json_pack("{s:i, s:o, s:o, s:I}", "kvn", (int)osv_db_col_int(st, 0), "kic",
						    hex_json(&kic, 1), "kid", hex_json(&kid, 1), "counter",
						    (json_int_t)osv_db_col_int(st, 3)));
	}
	if (rc < 0) {
		json_decref(ks);
		return NULL;
	}
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:s, s:s, s:o}", "iccid", c->iccid, "imsi", c->imsi, "msisdn",
		      c->msisdn, "tar", hex_json(c->tar, 3), "spi", hex_json(c->spi, 2), "kvn", c->kvn, "dialect",
		      c->dialect == SP_DIALECT_USSD ? "ussd" : "sms", "counter_state",
		      osv_counter_state_name(c->counter_state), "keysets", ks);
	st = osv_q(s, &q_card_owner, err);
	if (!st) {
		json_decref(o);
		return NULL;
	}
	osv_db_bind_int(st, 1, c->id);
	rc = osv_q_row(st, err);
	json_object_set_new(o, "owner", rc == 1 ? json_string(osv_db_col_text(st, 0)) : json_null());
	if (rc >= 0)
		osv_db_reset(st);
	return o;
}

static struct osv_query q_card_list = { .sql = "SELECT " CARD_COLS " FROM cards WHERE iccid > ?1 ORDER BY iccid LIMIT ?2" };

json_t *osv_card_list(struct osv_store *s, const char *after, int limit, struct sg_error *err)
{
	struct osv_card cards[64];
	json_t *arr = json_array();
	int n = 0, rc;
	struct osv_db_stmt *st;

	if (limit > 64 || limit <= 0)
		limit = 64;
	st = osv_q(s, &q_card_list, err);
	if (!st)
		goto fail;
	osv_db_bind_text(st, 1, after ? after : "");
	osv_db_bind_int(st, 2, limit);
	while (n < limit && (rc = osv_q_row(st, err)) == 1)
		card_from_row(st, &cards[n++]);
	osv_db_reset(st);
	for (int i = 0; i < n; i++) {
		json_t *c = osv_card_json(s, &cards[i], err);

		if (!c)
			goto fail;
		json_array_append_new(arr, c);
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

static int open_key(struct osv_store *s, struct osv_db_stmt *st, int col, const char *iccid, uint8_t kvn,
		    const char *name, struct sp_key *k, struct sg_error *err)
{
	size_t n;
	const uint8_t *p = osv_db_col_blob(st, col, &n);
	char aad[64];
	long len;

	key_aad(aad, sizeof(aad), iccid, kvn, name);
	len = osv_unseal(s->kb, aad, p, p ? n : 0, k->key, sizeof(k->key), err);
	if (len < 0)
		return sg_err(err, "card %s keyset %u: %s key does not open (altered, or another master key)", iccid,
			      kvn, name);
	k->len = (size_t)len;
	return 0;
}

static struct osv_query q_ks_get = { .sql = "SELECT kic, kid, kic_key, kid_key, counter FROM keysets"
				     " WHERE card_id = ?1 AND kvn = ?2" };

int osv_keyset_load(struct osv_store *s, const struct osv_card *c, uint8_t kvn, struct osv_keyset *ks,
		    struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_ks_get, err);
	int rc;

	if (!st)
		return -1;
	memset(ks, 0, sizeof(*ks));
	osv_db_bind_int(st, 1, c->id);
	osv_db_bind_int(st, 2, kvn);
	rc = osv_q_row(st, err);
	if (rc != 1) {
		if (rc == 0) {
			osv_db_reset(st);
			sg_err(err, "card %s has no keyset %u", c->iccid, kvn);
		}
		return rc;
	}
	ks->kvn = kvn;
	ks->kic = (uint8_t)osv_db_col_int(st, 0);
	ks->kid = (uint8_t)osv_db_col_int(st, 1);
	ks->counter = (uint64_t)osv_db_col_int(st, 4);
	rc = open_key(s, st, 2, c->iccid, kvn, "kic", &ks->keys.kic, err) == 0 &&
	     open_key(s, st, 3, c->iccid, kvn, "kid", &ks->keys.kid, err) == 0;
	osv_db_reset(st);
	if (!rc) {
		osv_keyset_cleanse(ks);
		return -1;
	}
	return 1;
}

void osv_keyset_cleanse(struct osv_keyset *ks)
{
	OPENSSL_cleanse(ks, sizeof(*ks));
}

static struct osv_query q_cntr_next = { .sql = "UPDATE keysets SET counter = counter + 1"
					" WHERE card_id = ?1 AND kvn = ?2 AND counter < ?3 RETURNING counter" };

int osv_counter_next(struct osv_store *s, int64_t card_id, uint8_t kvn, uint64_t *cntr, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cntr_next, err);
	int rc;

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, card_id);
	osv_db_bind_int(st, 2, kvn);
	osv_db_bind_int(st, 3, (int64_t)SP_CNTR_MAX);
	rc = osv_q_row(st, err);
	if (rc == 1)
		*cntr = (uint64_t)osv_db_col_int(st, 0);
	if (rc >= 0)
		osv_db_reset(st);
	/* No row: no such keyset, or its counter stands at the maximum. */
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

static struct osv_query q_cntr_get = { .sql = "SELECT counter FROM keysets WHERE card_id = ?1 AND kvn = ?2" };
static struct osv_query q_cntr_set = { .sql = "UPDATE keysets SET counter = ?3 WHERE card_id = ?1 AND kvn = ?2"
				       " AND counter <= ?3" };

int osv_counter_resync(struct osv_store *s, int64_t card_id, uint8_t kvn, uint64_t value, uint64_t *old,
		       struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_cntr_get, err);
	int rc;

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, card_id);
	osv_db_bind_int(st, 2, kvn);
	rc = osv_q_row(st, err);
	if (rc != 1)
		return rc == 0 ? sg_err(err, "no keyset %u on this card", kvn) : -1;
	*old = (uint64_t)osv_db_col_int(st, 0);
	osv_db_reset(st);
	if (value < *old)
		return 1;
	if (value > SP_CNTR_MAX)
		return sg_err(err, "counter %" PRIu64 " above the 40-bit maximum", value);
	st = osv_q(s, &q_cntr_set, err);
	if (!st)
		return -1;
	osv_db_bind_int(st, 1, card_id);
	osv_db_bind_int(st, 2, kvn);
	osv_db_bind_int(st, 3, (int64_t)value);
	return osv_q_run(st, err);
}

static struct osv_query q_report_cntr = { .sql = "UPDATE cards SET report_cntr = ?2 WHERE id = ?1 AND report_cntr < ?2" };

int osv_card_report_cntr(struct osv_store *s, int64_t card_id, uint64_t cntr, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_report_cntr, err);

	if (!st)
		return -1;
	osv_db_bind_int(st, 1, card_id);
	osv_db_bind_int(st, 2, (int64_t)cntr);
	if (osv_q_run(st, err) < 0)
		return -1;
	return osv_db_changes(s->db) == 1;
}
