/* PostgreSQL backend of the SQL driver interface (libpq), for several OTA server instances sharing one database.
 * Statements are prepared once per connection; "?N" parameters are rewritten to "$N". Parameters travel as text
 * except blobs (binary); results come back as text and bytea columns are unescaped on demand. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "otasrv/db.h"

#define PG_MAX_PARAMS 24

struct pg_db {
	struct osv_db base;
	PGconn *conn;
	unsigned int next_name;
	int64_t changes;
};

struct pg_stmt {
	struct osv_db_stmt base;
	char name[24];
	int nparams;
	char *vals[PG_MAX_PARAMS];
	int lens[PG_MAX_PARAMS];
	int fmts[PG_MAX_PARAMS];
	PGresult *res;
	int row;
	unsigned char *blob; /* last unescaped bytea column */
};

static PGconn *conn_of(struct osv_db *db)
{
	return ((struct pg_db *)db)->conn;
}

static struct pg_stmt *pgst(struct osv_db_stmt *st)
{
	return (struct pg_stmt *)st;
}

static int pg_result_ok(PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);

	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static int p_exec(struct osv_db *db, const char *sql, struct sg_error *err)
{
	PGresult *r = PQexec(conn_of(db), sql);
	int ok = pg_result_ok(r);

	if (!ok)
		sg_err(err, "database: %s", PQerrorMessage(conn_of(db)));
	PQclear(r);
	return ok ? 0 : -1;
}

/* "?12" -> "$12"; a '?' inside a string literal is left alone. Returns the highest parameter number or -1. */
static int rewrite_params(const char *sql, char *out, size_t size)
{
	bool quoted = false;
	int max = 0;
	size_t o = 0;

	for (const char *p = sql; *p; p++) {
		if (o + 1 >= size)
			return -1;
		if (*p == '\'')
			quoted = !quoted;
		if (*p == '?' && !quoted) {
			int n = atoi(p + 1);

			if (n < 1 || n > PG_MAX_PARAMS)
				return -1;
			if (n > max)
				max = n;
			out[o++] = '$';
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
	return max;
}

static struct osv_db_stmt *p_prepare(struct osv_db *db, const char *sql, struct sg_error *err)
{
	struct pg_db *pdb = (struct pg_db *)db;
	struct pg_stmt *st = calloc(1, sizeof(*st));
	size_t size = strlen(sql) + 1;
	char *text = malloc(size);
	PGresult *r;
	int n;

	if (!st || !text) {
		free(st);
		free(text);
		sg_err(err, "database: out of memory");
		return NULL;
	}
	n = rewrite_params(sql, text, size);
	if (n < 0) {
		free(st);
		free(text);
		sg_err(err, "database: bad parameter numbering in statement");
		return NULL;
	}
	snprintf(st->name, sizeof(st->name), "osv%u", pdb->next_name++);
	r = PQprepare(pdb->conn, st->name, text, 0, NULL);
	free(text);
	if (!pg_result_ok(r)) {
		sg_err(err, "database: %s", PQerrorMessage(pdb->conn));
		PQclear(r);
		free(st);
		return NULL;
	}
	PQclear(r);
	st->base.db = db;
	st->nparams = n;
	st->row = -1;
	return &st->base;
}

static void clear_result(struct pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	PQfreemem(st->blob);
	st->blob = NULL;
}

static void p_reset(struct osv_db_stmt *base)
{
	struct pg_stmt *st = pgst(base);

	clear_result(st);
	for (int i = 0; i < PG_MAX_PARAMS; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
		st->lens[i] = 0;
		st->fmts[i] = 0;
	}
}

static void p_finalize(struct osv_db_stmt *base)
{
	struct pg_stmt *st = pgst(base);
	char sql[48];

	p_reset(base);
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
	p_exec(base->db, sql, NULL);
	free(st);
}

static int set_param(struct pg_stmt *st, int idx, const void *p, size_t len, int fmt)
{
	char *copy;

	if (idx < 1 || idx > PG_MAX_PARAMS)
		return -1;
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, p, len);
	copy[len] = '\0';
	free(st->vals[idx - 1]);
	st->vals[idx - 1] = copy;
	st->lens[idx - 1] = (int)len;
	st->fmts[idx - 1] = fmt;
	return 0;
}

static int p_bind_int(struct osv_db_stmt *st, int idx, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return set_param(pgst(st), idx, buf, strlen(buf), 0);
}

static int p_bind_text(struct osv_db_stmt *st, int idx, const char *s)
{
	return set_param(pgst(st), idx, s, strlen(s), 0);
}

static int p_bind_blob(struct osv_db_stmt *st, int idx, const void *p, size_t len)
{
	return set_param(pgst(st), idx, p ? p : "", len, 1);
}

static int p_bind_null(struct osv_db_stmt *base, int idx)
{
	struct pg_stmt *st = pgst(base);

	if (idx < 1 || idx > PG_MAX_PARAMS)
		return -1;
	free(st->vals[idx - 1]);
	st->vals[idx - 1] = NULL;
	return 0;
}

static int p_step(struct osv_db_stmt *base, struct sg_error *err)
{
	struct pg_stmt *st = pgst(base);
	struct pg_db *db = (struct pg_db *)base->db;

	if (!st->res) {
		st->res = PQexecPrepared(db->conn, st->name, st->nparams, (const char *const *)st->vals, st->lens,
					 st->fmts, 0);
		if (!pg_result_ok(st->res)) {
			sg_err(err, "database: %s", PQerrorMessage(db->conn));
			clear_result(st);
			return OSV_DB_ERR;
		}
		db->changes = atoll(PQcmdTuples(st->res));
	}
	if (PQresultStatus(st->res) != PGRES_TUPLES_OK)
		return OSV_DB_DONE;
	PQfreemem(st->blob);
	st->blob = NULL;
	st->row++;
	return st->row < PQntuples(st->res) ? OSV_DB_ROW : OSV_DB_DONE;
}

static int64_t p_col_int(struct osv_db_stmt *st, int col)
{
	const char *v = PQgetvalue(pgst(st)->res, pgst(st)->row, col);

	if (!strcmp(v, "t"))
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *p_col_text(struct osv_db_stmt *st, int col)
{
	return PQgetvalue(pgst(st)->res, pgst(st)->row, col);
}

static const void *p_col_blob(struct osv_db_stmt *base, int col, size_t *len)
{
	struct pg_stmt *st = pgst(base);

	PQfreemem(st->blob);
	st->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), len);
	if (!st->blob)
		*len = 0;
	return st->blob;
}

static bool p_col_null(struct osv_db_stmt *st, int col)
{
	return PQgetisnull(pgst(st)->res, pgst(st)->row, col);
}

static int64_t p_changes(struct osv_db *db)
{
	return ((struct pg_db *)db)->changes;
}

static bool p_in_txn(struct osv_db *db)
{
	return PQtransactionStatus(conn_of(db)) == PQTRANS_INTRANS;
}

static void p_close(struct osv_db *db)
{
	PQfinish(conn_of(db));
	free(db);
}

static const struct osv_db_ops pg_ops = {
	.exec = p_exec,
	.prepare = p_prepare,
	.finalize = p_finalize,
	.bind_int = p_bind_int,
	.bind_text = p_bind_text,
	.bind_blob = p_bind_blob,
	.bind_null = p_bind_null,
	.step = p_step,
	.reset = p_reset,
	.col_int = p_col_int,
	.col_text = p_col_text,
	.col_blob = p_col_blob,
	.col_null = p_col_null,
	.changes = p_changes,
	.in_txn = p_in_txn,
	.close = p_close,
};

struct osv_db *osv_db_pg_open(const char *conninfo, struct sg_error *err)
{
	struct pg_db *db = calloc(1, sizeof(*db));

	if (!db) {
		sg_err(err, "database: out of memory");
		return NULL;
	}
	db->base.ops = &pg_ops;
	db->base.kind = OSV_DB_PG;
	db->conn = PQconnectdb(conninfo);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		sg_err(err, "database: %s", PQerrorMessage(db->conn));
		PQfinish(db->conn);
		free(db);
		return NULL;
	}
	if (p_exec(&db->base, "SET client_min_messages TO WARNING", err) < 0) {
		p_close(&db->base);
		return NULL;
	}
	return &db->base;
}
