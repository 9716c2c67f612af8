/* The on-disk queue: every accepted message is a row in SQLite (WAL) before the submitter hears "accepted", and
 * stays until the next hop acknowledged it. Writes are grouped in one transaction per select-loop pass, committed
 * (gw_store_flush) before any response leaves. The message itself is kept as gw_store_blob.c encodes it. */
#include <string.h>

#include <sqlite3.h>
#include <smpp34.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "smsgw/gw.h"

struct gw_store {
	sqlite3 *db;
	sqlite3_stmt *ins, *upd, *dup, *begin, *commit;
	bool in_txn;
};

static const char schema[] = "PRAGMA journal_mode=WAL;"
			     "PRAGMA synchronous=NORMAL;"
			     "CREATE TABLE IF NOT EXISTS msgs ("
			     " id INTEGER PRIMARY KEY AUTOINCREMENT, parent INTEGER, origin TEXT NOT NULL,"
			     " to_esme TEXT NOT NULL, hash INTEGER NOT NULL, created INTEGER NOT NULL,"
			     " state INTEGER NOT NULL, attempts INTEGER NOT NULL, sm BLOB NOT NULL);"
			     "CREATE INDEX IF NOT EXISTS msgs_hash ON msgs(hash);"
			     "CREATE INDEX IF NOT EXISTS msgs_state ON msgs(state);";

static int prep(struct gw_store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		LOGP(DQUEUE, LOGL_ERROR, "sqlite prepare '%s': %s\n", sql, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static int store_destructor(struct gw_store *s)
{
	gw_store_flush(s);
	sqlite3_finalize(s->ins);
	sqlite3_finalize(s->upd);
	sqlite3_finalize(s->dup);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_close(s->db);
	return 0;
}

struct gw_store *gw_store_open(void *ctx, const char *path)
{
	struct gw_store *s = talloc_zero(ctx, struct gw_store);
	char *err = NULL;

	if (sqlite3_open(path, &s->db) != SQLITE_OK) {
		LOGP(DQUEUE, LOGL_ERROR, "cannot open queue database %s: %s\n", path, sqlite3_errmsg(s->db));
		sqlite3_close(s->db);
		talloc_free(s);
		return NULL;
	}
	if (sqlite3_exec(s->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		LOGP(DQUEUE, LOGL_ERROR, "queue database %s: %s\n", path, err);
		sqlite3_free(err);
		sqlite3_close(s->db);
		talloc_free(s);
		return NULL;
	}
	talloc_set_destructor(s, store_destructor);
	if (prep(s, "INSERT INTO msgs(parent,origin,to_esme,hash,created,state,attempts,sm) VALUES(?,?,?,?,?,?,0,?)",
		 &s->ins) < 0 ||
	    prep(s, "UPDATE msgs SET state=?, attempts=? WHERE id=?", &s->upd) < 0 ||
	    prep(s, "SELECT id, sm FROM msgs WHERE hash=? AND origin=? AND created>=? AND parent IS NULL", &s->dup) < 0 ||
	    prep(s, "BEGIN", &s->begin) < 0 || prep(s, "COMMIT", &s->commit) < 0) {
		talloc_free(s);
		return NULL;
	}
	return s;
}

void gw_store_close(struct gw_store *s)
{
	talloc_free(s);
}

static int step_done(struct gw_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		LOGP(DQUEUE, LOGL_ERROR, "sqlite: %s\n", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

static int txn(struct gw_store *s)
{
	if (s->in_txn)
		return 0;
	if (step_done(s, s->begin) < 0)
		return -1;
	s->in_txn = true;
	return 0;
}

int gw_store_flush(struct gw_store *s)
{
	if (!s || !s->in_txn)
		return 0;
	s->in_txn = false;
	return step_done(s, s->commit);
}

uint64_t gw_sm_hash(const struct smpp_sm *sm)
{
	/* FNV-1a over what makes two submissions the same message */
	uint64_t h = 0xcbf29ce484222325ULL;
	const uint8_t hdr[] = { sm->esm_class, sm->pid, sm->dcs, (uint8_t)sm->ussd_op };

#define FNV(p, n)                                                                                                \
	for (size_t i_ = 0; i_ < (n); i_++)                                                                      \
	h = (h ^ ((const uint8_t *)(p))[i_]) * 0x100000001b3ULL
	FNV(sm->dst, strlen(sm->dst) + 1);
	FNV(sm->src, strlen(sm->src) + 1);
	FNV(hdr, sizeof(hdr));
	FNV(sm->ud, sm->ud_len);
#undef FNV
	/* SQLite integers are signed 64-bit */
	return h & 0x7fffffffffffffffULL;
}

int gw_store_insert(struct gw_store *s, struct gw_msg *m, uint64_t hash)
{
	uint8_t blob[SMPP_MAX_PDU];
	int n = gw_sm_to_blob(m->sm, blob, sizeof(blob));

	if (n < 0) {
		LOGP(DQUEUE, LOGL_ERROR, "cannot store message to %s\n", m->sm->dst);
		return -1;
	}
	if (txn(s) < 0)
		return -1;
	/* NULL parent marks a message as submitted (not a part the gateway split off) */
	if (m->parent)
		sqlite3_bind_int64(s->ins, 1, m->parent);
	else
		sqlite3_bind_null(s->ins, 1);
	sqlite3_bind_text(s->ins, 2, m->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->ins, 3, m->to_esme, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->ins, 4, (sqlite3_int64)hash);
	sqlite3_bind_int64(s->ins, 5, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(s->ins, 6, m->state);
	sqlite3_bind_blob(s->ins, 7, blob, n, SQLITE_TRANSIENT);
	if (step_done(s, s->ins) < 0)
		return -1;
	m->id = sqlite3_last_insert_rowid(s->db);
	if (!m->parent)
		m->parent = m->id;
	return 0;
}

int gw_store_set_state(struct gw_store *s, int64_t id, enum gw_msg_state st, unsigned int attempts)
{
	if (txn(s) < 0)
		return -1;
	sqlite3_bind_int(s->upd, 1, st);
	sqlite3_bind_int(s->upd, 2, (int)attempts);
	sqlite3_bind_int64(s->upd, 3, id);
	return step_done(s, s->upd);
}

static int decode_row(const void *blob, int len, struct smpp_sm *sm)
{
	if (!blob || len < 1)
		return -1;
	return gw_sm_from_blob(blob, (size_t)len, sm);
}

int64_t gw_store_find_dup(struct gw_store *s, const char *origin, uint64_t hash, const struct smpp_sm *sm,
			  time_t since)
{
	struct smpp_sm *old = talloc(NULL, struct smpp_sm);
	int64_t found = 0;

	sqlite3_bind_int64(s->dup, 1, (sqlite3_int64)hash);
	sqlite3_bind_text(s->dup, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->dup, 3, (sqlite3_int64)since);
	while (!found && sqlite3_step(s->dup) == SQLITE_ROW) {
		if (decode_row(sqlite3_column_blob(s->dup, 1), sqlite3_column_bytes(s->dup, 1), old) < 0)
			continue;
		if (old->ud_len == sm->ud_len && !memcmp(old->ud, sm->ud, sm->ud_len) && !strcmp(old->dst, sm->dst) &&
		    !strcmp(old->src, sm->src))
			found = sqlite3_column_int64(s->dup, 0);
	}
	sqlite3_reset(s->dup);
	talloc_free(old);
	return found;
}

int gw_store_load(struct gw_store *s, void (*cb)(void *data, struct gw_msg *m), void *data)
{
	sqlite3_stmt *st;
	int n = 0;

	if (prep(s, "SELECT id, parent, origin, to_esme, state, attempts, sm FROM msgs WHERE state IN (0,1) ORDER BY id",
		 &st) < 0)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct gw_msg *m = talloc_zero(data, struct gw_msg);

		m->sm = talloc(m, struct smpp_sm);
		if (decode_row(sqlite3_column_blob(st, 6), sqlite3_column_bytes(st, 6), m->sm) < 0) {
			LOGP(DQUEUE, LOGL_ERROR, "queue row %lld unreadable, skipped\n",
			     (long long)sqlite3_column_int64(st, 0));
			talloc_free(m);
			continue;
		}
		m->id = sqlite3_column_int64(st, 0);
		m->parent = sqlite3_column_type(st, 1) == SQLITE_NULL ? m->id : sqlite3_column_int64(st, 1);
		snprintf(m->origin, sizeof(m->origin), "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(m->to_esme, sizeof(m->to_esme), "%s", (const char *)sqlite3_column_text(st, 3));
		m->state = (enum gw_msg_state)sqlite3_column_int(st, 4);
		m->attempts = (unsigned int)sqlite3_column_int(st, 5);
		INIT_LLIST_HEAD(&m->inflight);
		cb(data, m);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

int gw_store_purge(struct gw_store *s, time_t before)
{
	char sql[128];

	if (gw_store_flush(s) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "DELETE FROM msgs WHERE state IN (2,3) AND created < %lld", (long long)before);
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}
