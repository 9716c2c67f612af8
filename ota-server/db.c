/* Backend-independent part of the SQL driver interface: opening by URI and counted transactions. */
#include <string.h>

#include "otasrv/db.h"

struct osv_db *osv_db_open(const char *uri, bool durable, struct sg_error *err)
{
	if (!uri || !*uri) {
		sg_err(err, "database: no location given");
		return NULL;
	}
	if (!strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11))
		return osv_db_pg_open(uri, err);
	if (!strncmp(uri, "sqlite:", 7))
		uri += 7;
	return osv_db_sqlite_open(uri, durable, err);
}

void osv_db_close(struct osv_db *db)
{
	if (db)
		db->ops->close(db);
}

int osv_db_exec(struct osv_db *db, const char *sql, struct sg_error *err)
{
	return db->ops->exec(db, sql, err);
}

int osv_db_begin(struct osv_db *db, struct sg_error *err)
{
	const char *sql = db->kind == OSV_DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN";

	if (db->txn_depth > 0) {
		db->txn_depth++;
		return 0;
	}
	if (db->ops->exec(db, sql, err) < 0)
		return -1;
	db->txn_depth = 1;
	return 0;
}

int osv_db_commit(struct osv_db *db, struct sg_error *err)
{
	if (db->txn_depth <= 0)
		return sg_err(err, "database: commit without a transaction");
	if (--db->txn_depth > 0)
		return 0;
	if (db->ops->exec(db, "COMMIT", err) < 0) {
		db->ops->exec(db, "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}

void osv_db_rollback(struct osv_db *db)
{
	if (db->txn_depth <= 0)
		return;
	db->txn_depth = 0;
	db->ops->exec(db, "ROLLBACK", NULL);
}
