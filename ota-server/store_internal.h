/* Inside the store: the cached prepared statements and the schema, shared by the store_*.c files. */
#pragma once

#include "otasrv/db.h"
#include "otasrv/store.h"

#define OSV_MAX_QUERIES 128

/* A query, prepared once per connection on first use. sql_pg replaces sql on PostgreSQL when the dialects
 * differ (SKIP LOCKED). slot is assigned on first use, process-wide. */
struct osv_query {
	const char *sql;
	const char *sql_pg;
	int slot;
};

struct osv_store {
	struct osv_db *db;
	const struct osv_keybox *kb;
	char instance[OSV_NAME_MAX];
	struct osv_db_stmt *stmts[OSV_MAX_QUERIES];
	void (*settle)(void *arg); /* closes an open group for an outsider (osv_store_group_settler) */
	void *settle_arg;
	bool in_unit; /* a group member's work is running */
};

/* The statement for q, reset and ready for binding; NULL with err on failure. */
struct osv_db_stmt *osv_q(struct osv_store *s, struct osv_query *q, struct sg_error *err);

/* Run a statement that returns no row (or ignore its rows); 0 or -1. The statement is reset afterwards. */
int osv_q_run(struct osv_db_stmt *st, struct sg_error *err);
/* Step once: 1 row, 0 none, -1 error. The caller resets. */
int osv_q_row(struct osv_db_stmt *st, struct sg_error *err);

/* Copy a text column into a fixed buffer (truncating). */
void osv_col_copy(struct osv_db_stmt *st, int col, char *buf, size_t size);
/* A text column holding JSON, parsed (an empty object when empty or unparsable). */
json_t *osv_col_json(struct osv_db_stmt *st, int col);

/* Run st and collect one JSON value per row (made by fn) into an array; NULL with err on failure. */
typedef json_t *(*osv_row_json_fn)(struct osv_db_stmt *st);
json_t *osv_q_rows(struct osv_db_stmt *st, osv_row_json_fn fn, struct sg_error *err);

int osv_store_migrate(struct osv_store *s, struct sg_error *err);
