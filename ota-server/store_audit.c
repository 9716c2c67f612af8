/* The audit log: append-only (triggers refuse UPDATE and DELETE), each entry carries
 * HMAC-SHA256(audit key, previous MAC || entry), and a head record holds the last sequence number and MAC under
 * a MAC of its own, so a changed, removed, reordered or cut-off entry is found by osv_audit_verify(). Whoever
 * holds the database and the master key can still rewrite the whole chain consistently: anchors (an entry's seq
 * and MAC kept off-box) catch that, osv_audit_verify_anchored(). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "simguard/hex.h"
#include "store_internal.h"

#define MAC_LEN OSV_AUDIT_HASH_LEN

struct mac_input {
	uint8_t buf[4096];
	size_t len;
};

static void put_u64(struct mac_input *in, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		if (in->len < sizeof(in->buf))
			in->buf[in->len++] = (uint8_t)(v >> (8 * i));
}

/* Length-prefixed, so "ab"+"c" and "a"+"bc" differ; long fields are cut at the buffer, which the MAC covers. */
static void put_str(struct mac_input *in, const char *s)
{
	size_t n = strlen(s ? s : "");

	put_u64(in, n);
	if (n > sizeof(in->buf) - in->len)
		n = sizeof(in->buf) - in->len;
	memcpy(in->buf + in->len, s ? s : "", n);
	in->len += n;
}

static void entry_mac(const uint8_t key[32], int64_t seq, const struct osv_audit_entry *e, const uint8_t *prev,
		      size_t prev_len, uint8_t out[MAC_LEN])
{
	struct mac_input in = { .len = 0 };
	unsigned int n = MAC_LEN;

	put_u64(&in, (uint64_t)seq);
	put_u64(&in, (uint64_t)e->at);
	put_u64(&in, (uint64_t)e->status);
	put_str(&in, e->actor);
	put_str(&in, e->client);
	put_str(&in, e->action);
	put_str(&in, e->target);
	put_str(&in, e->decision);
	put_str(&in, e->detail);
	if (prev_len > sizeof(in.buf) - in.len)
		prev_len = 0;
	memcpy(in.buf + in.len, prev, prev_len);
	in.len += prev_len;
	HMAC(EVP_sha256(), key, 32, in.buf, in.len, out, &n);
}

static void head_mac(const uint8_t key[32], int64_t seq, const uint8_t *mac, size_t mac_len, uint8_t out[MAC_LEN])
{
	struct mac_input in = { .len = 0 };
	unsigned int n = MAC_LEN;

	put_str(&in, "audit head");
	put_u64(&in, (uint64_t)seq);
	memcpy(in.buf + in.len, mac, mac_len);
	in.len += mac_len;
	HMAC(EVP_sha256(), key, 32, in.buf, in.len, out, &n);
}

/* Taking the head row first serialises appenders (row lock on PostgreSQL, write lock on SQLite). */
static struct osv_query q_head_next = { .sql = "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, mac" };
static struct osv_query q_head_set = { .sql = "UPDATE audit_head SET mac = ?1, head_mac = ?2 WHERE id = 1" };
static struct osv_query q_audit_ins = { .sql = "INSERT INTO audit (seq, at, actor, client, action, target, decision, status,"
					" detail, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)" };

int osv_audit_append(struct osv_store *s, const struct osv_audit_entry *e, struct sg_error *err)
{
	uint8_t prev[MAC_LEN], mac[MAC_LEN], hmac[MAC_LEN];
	struct osv_db_stmt *st;
	size_t prev_len = 0;
	const void *p;
	int64_t seq;

	if (osv_store_begin(s, err) < 0)
		return -1;
	st = osv_q(s, &q_head_next, err);
	if (!st || osv_q_row(st, err) != 1)
		goto fail;
	seq = osv_db_col_int(st, 0);
	p = osv_db_col_blob(st, 1, &prev_len);
	if (prev_len > MAC_LEN)
		prev_len = MAC_LEN;
	memcpy(prev, p ? p : "", prev_len);
	osv_db_reset(st);
	entry_mac(s->kb->audit_key, seq, e, prev, prev_len, mac);
	head_mac(s->kb->audit_key, seq, mac, MAC_LEN, hmac);
	st = osv_q(s, &q_audit_ins, err);
	if (!st)
		goto fail;
	osv_db_bind_int(st, 1, seq);
	osv_db_bind_int(st, 2, e->at);
	osv_db_bind_text(st, 3, e->actor ? e->actor : "");
	osv_db_bind_text(st, 4, e->client ? e->client : "");
	osv_db_bind_text(st, 5, e->action ? e->action : "");
	osv_db_bind_text(st, 6, e->target ? e->target : "");
	osv_db_bind_text(st, 7, e->decision ? e->decision : "");
	osv_db_bind_int(st, 8, e->status);
	osv_db_bind_text(st, 9, e->detail ? e->detail : "");
	osv_db_bind_blob(st, 10, mac, MAC_LEN);
	if (osv_q_run(st, err) < 0)
		goto fail;
	st = osv_q(s, &q_head_set, err);
	if (!st)
		goto fail;
	osv_db_bind_blob(st, 1, mac, MAC_LEN);
	osv_db_bind_blob(st, 2, hmac, MAC_LEN);
	if (osv_q_run(st, err) < 0)
		goto fail;
	return osv_store_commit(s, err);
fail:
	osv_store_rollback(s);
	return -1;
}

#define AUDIT_COLS "seq, at, actor, client, action, target, decision, status, detail, mac"

static void entry_from_row(struct osv_db_stmt *st, struct osv_audit_entry *e)
{
	e->at = osv_db_col_int(st, 1);
	e->actor = osv_db_col_text(st, 2);
	e->client = osv_db_col_text(st, 3);
	e->action = osv_db_col_text(st, 4);
	e->target = osv_db_col_text(st, 5);
	e->decision = osv_db_col_text(st, 6);
	e->status = (int)osv_db_col_int(st, 7);
	e->detail = osv_db_col_text(st, 8);
}

static struct osv_query q_audit_all = { .sql = "SELECT " AUDIT_COLS " FROM audit ORDER BY seq" };
static struct osv_query q_head_get = { .sql = "SELECT seq, mac, head_mac FROM audit_head WHERE id = 1" };

__attribute__((format(printf, 3, 4))) static int problem(struct osv_audit_problem *p, int64_t seq, const char *fmt,
							   ...)
{
	va_list ap;

	p->seq = seq;
	va_start(ap, fmt);
	vsnprintf(p->what, sizeof(p->what), fmt, ap);
	va_end(ap);
	return 1;
}

static int check_head(struct osv_store *s, int64_t last, const uint8_t *mac, struct osv_audit_problem *p,
		      struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_head_get, err);
	uint8_t want[MAC_LEN];
	const uint8_t *hm;
	size_t n;
	int64_t seq;
	int rc;

	if (!st || (rc = osv_q_row(st, err)) < 0)
		return -1;
	if (rc == 0)
		return problem(p, last + 1, "head record missing (after entry %" PRId64 ")", last);
	seq = osv_db_col_int(st, 0);
	hm = osv_db_col_blob(st, 2, &n);
	head_mac(s->kb->audit_key, seq, mac, last ? MAC_LEN : 0, want);
	rc = 0;
	if (seq != last)
		rc = problem(p, last + 1, "entries after %" PRId64 " are missing (head says more were written)",
			     last);
	else if (last > 0 && (n != MAC_LEN || CRYPTO_memcmp(hm, want, MAC_LEN)))
		rc = problem(p, last, "head record does not match entry %" PRId64, last);
	osv_db_reset(st);
	return rc;
}

/* The entry at an anchor's seq, which verified, must carry the anchored MAC: otherwise the chain up to there was
 * rewritten with the key since the anchor was taken. */
static int check_anchors_at(const struct osv_audit_anchor *anchors, size_t n, int64_t seq, const uint8_t *mac,
			    struct osv_audit_problem *p)
{
	char text[OSV_AUDIT_ANCHOR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		if (anchors[i].seq != seq || !CRYPTO_memcmp(anchors[i].hash, mac, MAC_LEN))
			continue;
		osv_audit_anchor_format(&anchors[i], text);
		return problem(p, seq, "anchor %s: entry %" PRId64 " has another hash (the chain was rewritten)", text,
			       seq);
	}
	return 0;
}

/* An anchor beyond the last entry: the chain was cut off (and its head record rewritten) after it was taken. */
static int check_anchors_beyond(const struct osv_audit_anchor *anchors, size_t n, int64_t last,
				struct osv_audit_problem *p)
{
	char text[OSV_AUDIT_ANCHOR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		if (anchors[i].seq <= last)
			continue;
		osv_audit_anchor_format(&anchors[i], text);
		return problem(p, anchors[i].seq,
			       "anchor %s: entry %" PRId64 " is missing (the chain ends at entry %" PRId64 ")", text,
			       anchors[i].seq, last);
	}
	return 0;
}

int osv_audit_verify_anchored(struct osv_store *s, const struct osv_audit_anchor *anchors, size_t n_anchors,
			      struct osv_audit_problem *p, int64_t *count, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_audit_all, err);
	uint8_t prev[MAC_LEN] = { 0 }, mac[MAC_LEN];
	int64_t expect = 1;
	size_t prev_len = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	*count = 0;
	if (!st)
		return -1;
	while ((rc = osv_q_row(st, err)) == 1) {
		struct osv_audit_entry e;
		int64_t seq = osv_db_col_int(st, 0);
		const uint8_t *stored;
		size_t n;

		entry_from_row(st, &e);
		stored = osv_db_col_blob(st, 9, &n);
		if (seq != expect) {
			osv_db_reset(st);
			return problem(p, expect, "entry %" PRId64 " is missing", expect);
		}
		entry_mac(s->kb->audit_key, seq, &e, prev, prev_len, mac);
		if (n != MAC_LEN || CRYPTO_memcmp(stored, mac, MAC_LEN)) {
			osv_db_reset(st);
			return problem(p, seq,
				       "entry %" PRId64 " does not verify (changed, or moved from another position)",
				       seq);
		}
		if (check_anchors_at(anchors, n_anchors, seq, mac, p)) {
			osv_db_reset(st);
			return 1;
		}
		memcpy(prev, mac, MAC_LEN);
		prev_len = MAC_LEN;
		expect++;
		(*count)++;
	}
	if (rc < 0)
		return -1;
	rc = check_head(s, expect - 1, prev, p, err);
	if (rc)
		return rc;
	return check_anchors_beyond(anchors, n_anchors, expect - 1, p);
}

int osv_audit_verify(struct osv_store *s, struct osv_audit_problem *p, int64_t *count, struct sg_error *err)
{
	return osv_audit_verify_anchored(s, NULL, 0, p, count, err);
}

static struct osv_query q_audit_last = { .sql = "SELECT seq, at, mac FROM audit ORDER BY seq DESC LIMIT 1" };

int osv_audit_head(struct osv_store *s, struct osv_audit_anchor *head, int64_t *at, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_audit_last, err);
	const void *mac;
	size_t n;
	int rc;

	memset(head, 0, sizeof(*head));
	*at = 0;
	if (!st || (rc = osv_q_row(st, err)) < 0)
		return -1;
	if (rc == 0)
		return 0;
	head->seq = osv_db_col_int(st, 0);
	*at = osv_db_col_int(st, 1);
	mac = osv_db_col_blob(st, 2, &n);
	memcpy(head->hash, mac ? mac : "", n == MAC_LEN ? MAC_LEN : 0);
	osv_db_reset(st);
	return 1;
}

int osv_audit_anchor_parse(const char *text, struct osv_audit_anchor *a, struct sg_error *err)
{
	const char *colon = strchr(text, ':');
	char *end;
	long long seq;

	memset(a, 0, sizeof(*a));
	if (!colon || colon == text || strspn(text, "0123456789") != (size_t)(colon - text))
		return sg_err(err, "anchor '%.80s': not SEQ:HASH (a sequence number, ':', %d hex digits)", text,
			      2 * MAC_LEN);
	errno = 0;
	seq = strtoll(text, &end, 10);
	if (errno || seq < 1 || end != colon)
		return sg_err(err, "anchor '%.80s': the sequence number must be 1 or more", text);
	if (strlen(colon + 1) != 2 * MAC_LEN || sg_hex_decode(colon + 1, a->hash, MAC_LEN, "hash", err) != MAC_LEN)
		return sg_err(err, "anchor '%.80s': the hash must be %d hex digits", text, 2 * MAC_LEN);
	a->seq = seq;
	return 0;
}

void osv_audit_anchor_format(const struct osv_audit_anchor *a, char out[OSV_AUDIT_ANCHOR_STRLEN])
{
	char hex[2 * MAC_LEN + 1];

	snprintf(out, OSV_AUDIT_ANCHOR_STRLEN, "%" PRId64 ":%s", a->seq,
		 sg_hex_encode(a->hash, MAC_LEN, hex, sizeof(hex)));
}

static struct osv_query q_audit_list = { .sql = "SELECT " AUDIT_COLS " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2" };

static json_t *audit_row(struct osv_db_stmt *st)
{
	struct osv_audit_entry e;

	entry_from_row(st, &e);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "seq",
						     (json_int_t)osv_db_col_int(st, 0), "at", (json_int_t)e.at,
						     "actor", e.actor, "client", e.client, "action", e.action, "target",
						     e.target, "decision", e.decision, "status", e.status, "detail",
						     e.detail);
}

json_t *osv_audit_list(struct osv_store *s, int64_t after, int limit, struct sg_error *err)
{
	struct osv_db_stmt *st = osv_q(s, &q_audit_list, err);

	if (st) {
		osv_db_bind_int(st, 1, after);
		osv_db_bind_int(st, 2, limit > 0 && limit <= 1000 ? limit : 1000);
	}
	return osv_q_rows(st, audit_row, err);
}
