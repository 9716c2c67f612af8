/* The narrow SQL driver interface the OTA server's store is written against: prepared statements with numbered
 * parameters (?1, ?2 ... in the SQL text, rewritten to $1, $2 for PostgreSQL), rows read column by column, and
 * explicit transactions. Backends: SQLite 3 (WAL, one writer) and PostgreSQL through libpq (several server
 * instances sharing one database). Nothing here logs: errors come back in a struct sg_error. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

enum osv_db_kind {
	OSV_DB_SQLITE,
	OSV_DB_PG,
};

/* osv_db_step results */
enum osv_db_step {
	OSV_DB_ERR = -1,
	OSV_DB_DONE = 0,
	OSV_DB_ROW = 1,
};

struct osv_db;
struct osv_db_stmt;

/* The backend behind a connection; one per driver file. */
struct osv_db_ops {
	int (*exec)(struct osv_db *db, const char *sql, struct sg_error *err);
	struct osv_db_stmt *(*prepare)(struct osv_db *db, const char *sql, struct sg_error *err);
	void (*finalize)(struct osv_db_stmt *st);
	int (*bind_int)(struct osv_db_stmt *st, int idx, int64_t v);
	int (*bind_text)(struct osv_db_stmt *st, int idx, const char *s);
	int (*bind_blob)(struct osv_db_stmt *st, int idx, const void *p, size_t len);
	int (*bind_null)(struct osv_db_stmt *st, int idx);
	int (*step)(struct osv_db_stmt *st, struct sg_error *err);
	void (*reset)(struct osv_db_stmt *st);
	int64_t (*col_int)(struct osv_db_stmt *st, int col);
	const char *(*col_text)(struct osv_db_stmt *st, int col);
	const void *(*col_blob)(struct osv_db_stmt *st, int col, size_t *len);
	bool (*col_null)(struct osv_db_stmt *st, int col);
	int64_t (*changes)(struct osv_db *db);
	/* A transaction is open and can still commit (not rolled back or aborted by an error). */
	bool (*in_txn)(struct osv_db *db);
	void (*close)(struct osv_db *db);
};

/* Every backend's connection and statement start with these. */
struct osv_db {
	const struct osv_db_ops *ops;
	enum osv_db_kind kind;
	int txn_depth;
	bool group;	   /* a group transaction is open: transactions are savepoints inside it */
	bool group_broken; /* a member could not be undone alone: the group must not commit */
};

struct osv_db_stmt {
	struct osv_db *db;
};

/* Open by URI: "sqlite:PATH" or a plain path (SQLite), "postgresql://..." or "postgres://..." (libpq).
 * durable: the SQLite backend syncs every commit to disk (synchronous=FULL) instead of NORMAL. */
struct osv_db *osv_db_open(const char *uri, bool durable, struct sg_error *err);
struct osv_db *osv_db_sqlite_open(const char *path, bool durable, struct sg_error *err);
struct osv_db *osv_db_pg_open(const char *conninfo, struct sg_error *err);
void osv_db_close(struct osv_db *db);

/* Run one or more statements without results (schema, pragmas). */
int osv_db_exec(struct osv_db *db, const char *sql, struct sg_error *err);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE on SQLite) so two writers never deadlock
 * upgrading a read lock. Nesting is counted: only the outermost begin/commit talk to the database, and a
 * rollback at any depth rolls the whole transaction back. */
int osv_db_begin(struct osv_db *db, struct sg_error *err);
int osv_db_commit(struct osv_db *db, struct sg_error *err);
void osv_db_rollback(struct osv_db *db);

/* Group commit: one real transaction around several units of work. While the group is open, each outermost
 * begin/commit/rollback above is a SAVEPOINT / RELEASE / ROLLBACK TO, so one unit's failure undoes only its own
 * work, and nothing is durable until osv_db_group_commit. Begin only outside any transaction; commit fails (and
 * rolls everything back) when a unit is still open or the transaction was lost meanwhile. Both close the group. */
int osv_db_group_begin(struct osv_db *db, struct sg_error *err);
int osv_db_group_commit(struct osv_db *db, struct sg_error *err);
void osv_db_group_rollback(struct osv_db *db);

static inline struct osv_db_stmt *osv_db_prepare(struct osv_db *db, const char *sql, struct sg_error *err)
{
	return db->ops->prepare(db, sql, err);
}

static inline void osv_db_finalize(struct osv_db_stmt *st)
{
	if (st)
		st->db->ops->finalize(st);
}

static inline int osv_db_bind_int(struct osv_db_stmt *st, int idx, int64_t v)
{
	return st->db->ops->bind_int(st, idx, v);
}

static inline int osv_db_bind_text(struct osv_db_stmt *st, int idx, const char *s)
{
	return s ? st->db->ops->bind_text(st, idx, s) : st->db->ops->bind_null(st, idx);
}

static inline int osv_db_bind_blob(struct osv_db_stmt *st, int idx, const void *p, size_t len)
{
	return st->db->ops->bind_blob(st, idx, p, len);
}

static inline int osv_db_bind_null(struct osv_db_stmt *st, int idx)
{
	return st->db->ops->bind_null(st, idx);
}

/* OSV_DB_ROW, OSV_DB_DONE or OSV_DB_ERR (err filled). */
static inline int osv_db_step(struct osv_db_stmt *st, struct sg_error *err)
{
	return st->db->ops->step(st, err);
}

/* Ready the statement for the next run; bindings are cleared too. */
static inline void osv_db_reset(struct osv_db_stmt *st)
{
	st->db->ops->reset(st);
}

static inline int64_t osv_db_col_int(struct osv_db_stmt *st, int col)
{
	return st->db->ops->col_int(st, col);
}

/* "" for NULL; valid until the next step or reset. */
static inline const char *osv_db_col_text(struct osv_db_stmt *st, int col)
{
	return st->db->ops->col_text(st, col);
}

static inline const void *osv_db_col_blob(struct osv_db_stmt *st, int col, size_t *len)
{
	return st->db->ops->col_blob(st, col, len);
}

static inline bool osv_db_col_null(struct osv_db_stmt *st, int col)
{
	return st->db->ops->col_null(st, col);
}

/* Rows changed by the last INSERT / UPDATE / DELETE. */
static inline int64_t osv_db_changes(struct osv_db *db)
{
	return db->ops->changes(db);
}
