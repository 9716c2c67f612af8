/* SQLite 3 backend of the SQL driver interface: WAL journal so readers never block the writer, a busy timeout so
 * a second process waits for the write lock instead of failing, foreign keys on, and synchronous=FULL when the
 * caller needs every commit on disk (counters). */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "otasrv/db.h"

struct sqlite_db {
	struct osv_db base;
	sqlite3 *h;
};

struct sqlite_stmt {
	struct osv_db_stmt base;
	sqlite3_stmt *h;
};

static sqlite3 *handle(struct osv_db *db)
{
	return ((struct sqlite_db *)db)->h;
}

static sqlite3_stmt *sth(struct osv_db_stmt *st)
{
	return ((struct sqlite_stmt *)st)->h;
}

static int s_exec(struct osv_db *db, const char *sql, struct sg_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(handle(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
		sg_err(err, "database: %s", msg ? msg : sqlite3_errmsg(handle(db)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static struct osv_db_stmt *s_prepare(struct osv_db *db, const char *sql, struct sg_error *err)
{
	struct sqlite_stmt *st = calloc(1, sizeof(*st));

	if (!st) {
		sg_err(err, "database: out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v2(handle(db), sql, -1, &st->h, NULL) != SQLITE_OK) {
		sg_err(err, "database: %s", sqlite3_errmsg(handle(db)));
		free(st);
		return NULL;
	}
	st->base.db = db;
	return &st->base;
}

static void s_finalize(struct osv_db_stmt *st)
{
	sqlite3_finalize(sth(st));
	free(st);
}

static int s_bind_int(struct osv_db_stmt *st, int idx, int64_t v)
{
	return sqlite3_bind_int64(sth(st), idx, v) == SQLITE_OK ? 0 : -1;
}

static int s_bind_text(struct osv_db_stmt *st, int idx, const char *s)
{
	return sqlite3_bind_text(sth(st), idx, s, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int s_bind_blob(struct osv_db_stmt *st, int idx, const void *p, size_t len)
{
	return sqlite3_bind_blob(sth(st), idx, p ? p : "", (int)len, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

static int s_bind_null(struct osv_db_stmt *st, int idx)
{
	return sqlite3_bind_null(sth(st), idx) == SQLITE_OK ? 0 : -1;
}

static int s_step(struct osv_db_stmt *st, struct sg_error *err)
{
	int rc = sqlite3_step(sth(st));

	if (rc == SQLITE_ROW)
		return OSV_DB_ROW;
	if (rc == SQLITE_DONE)
		return OSV_DB_DONE;
	sg_err(err, "database: %s", sqlite3_errmsg(handle(st->db)));
	return OSV_DB_ERR;
}

static void s_reset(struct osv_db_stmt *st)
{
	sqlite3_reset(sth(st));
	sqlite3_clear_bindings(sth(st));
}

static int64_t s_col_int(struct osv_db_stmt *st, int col)
{
	return sqlite3_column_int64(sth(st), col);
}

static const char *s_col_text(struct osv_db_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(sth(st), col);

	return s ? s : "";
}

static const void *s_col_blob(struct osv_db_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(sth(st), col);

	*len = (size_t)sqlite3_column_bytes(sth(st), col);
	return p;
}

static bool s_col_null(struct osv_db_stmt *st, int col)
{
	return sqlite3_column_type(sth(st), col) == SQLITE_NULL;
}

static int64_t s_changes(struct osv_db *db)
{
	return sqlite3_changes64(handle(db));
}

static bool s_in_txn(struct osv_db *db)
{
	return !sqlite3_get_autocommit(handle(db));
}

static void s_close(struct osv_db *db)
{
	sqlite3_close(handle(db));
	free(db);
}

static const struct osv_db_ops sqlite_ops = {
	.exec = s_exec,
	.prepare = s_prepare,
	.finalize = s_finalize,
	.bind_int = s_bind_int,
	.bind_text = s_bind_text,
	.bind_blob = s_bind_blob,
	.bind_null = s_bind_null,
	.step = s_step,
	.reset = s_reset,
	.col_int = s_col_int,
	.col_text = s_col_text,
	.col_blob = s_col_blob,
	.col_null = s_col_null,
	.changes = s_changes,
	.in_txn = s_in_txn,
	.close = s_close,
};

/* SQLite allocates a journal in memory for every savepoint and for every statement that may have to be undone
 * alone, and frees it at the end: with glibc's default trim threshold each free gave the heap's top back to the
 * kernel and the next statement faulted it in again (a fifth of the server's CPU time in brk and page faults). */
static void keep_heap_top(void)
{
	static bool done;

	if (!done)
		mallopt(M_TRIM_THRESHOLD, 32 << 20);
	done = true;
}

struct osv_db *osv_db_sqlite_open(const char *path, bool durable, struct sg_error *err)
{
	struct sqlite_db *db = calloc(1, sizeof(*db));

	if (!db) {
		sg_err(err, "database: out of memory");
		return NULL;
	}
	keep_heap_top();
	db->base.ops = &sqlite_ops;
	db->base.kind = OSV_DB_SQLITE;
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		sg_err(err, "database %s: %s", path, db->h ? sqlite3_errmsg(db->h) : "cannot open");
		sqlite3_close(db->h);
		free(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->h, 10000);
	if (s_exec(&db->base, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", err) < 0 ||
	    s_exec(&db->base, durable ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;", err) < 0) {
		s_close(&db->base);
		return NULL;
	}
	return &db->base;
}
