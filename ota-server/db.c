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

#define UNIT_BEGIN "SAVEPOINT osv_unit"
#define UNIT_COMMIT "RELEASE osv_unit"
#define UNIT_ROLLBACK "ROLLBACK TO osv_unit; RELEASE osv_unit"

/* Undo one unit of a group; when that is impossible the group as a whole must not commit. */
static void unit_rollback(struct osv_db *db)
{
	if (db->ops->exec(db, UNIT_ROLLBACK, NULL) < 0)
		db->group_broken = true;
}

int osv_db_begin(struct osv_db *db, struct sg_error *err)
{
	const char *sql = db->kind == OSV_DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN";

	if (db->txn_depth > 0) {
		db->txn_depth++;
		return 0;
	}
	if (db->group && (db->group_broken || !db->ops->in_txn(db))) {
		db->group_broken = true;
		return sg_err(err, "database: the group transaction was lost");
	}
	if (db->ops->exec(db, db->group ? UNIT_BEGIN : sql, err) < 0)
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
	if (db->ops->exec(db, db->group ? UNIT_COMMIT : "COMMIT", err) < 0) {
		if (db->group)
			unit_rollback(db);
		else
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
	if (db->group)
		unit_rollback(db);
	else
		db->ops->exec(db, "ROLLBACK", NULL);
}

int osv_db_group_begin(struct osv_db *db, struct sg_error *err)
{
	if (db->group || db->txn_depth > 0)
		return sg_err(err, "database: a group begins only outside a transaction");
	if (osv_db_begin(db, err) < 0)
		return -1;
	db->txn_depth = 0;
	db->group = true;
	db->group_broken = false;
	return 0;
}

int osv_db_group_commit(struct osv_db *db, struct sg_error *err)
{
	bool whole = db->group && !db->group_broken && db->txn_depth == 0 && db->ops->in_txn(db);

	if (!db->group)
		return sg_err(err, "database: no group transaction");
	db->group = false;
	db->txn_depth = 1;
	if (!whole) {
		osv_db_rollback(db);
		return sg_err(err, "database: the group transaction was lost or a unit is still open");
	}
	return osv_db_commit(db, err);
}

void osv_db_group_rollback(struct osv_db *db)
{
	if (!db->group)
		return;
	db->group = false;
	db->txn_depth = 1;
	osv_db_rollback(db);
}
