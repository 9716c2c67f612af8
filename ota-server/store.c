/* The store's frame: open and close, the per-connection statement cache, transactions. The queries themselves
 * live with their subject in store_cards.c, store_people.c, store_commands.c and store_audit.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static int next_slot;

struct osv_store *osv_store_open(const char *uri, const struct osv_keybox *kb, const char *instance,
				 struct sg_error *err)
{
	struct osv_store *s = calloc(1, sizeof(*s));

	if (!s) {
		sg_err(err, "store: out of memory");
		return NULL;
	}
	s->kb = kb;
	snprintf(s->instance, sizeof(s->instance), "%s", instance && *instance ? instance : "ota-server");
	s->db = osv_db_open(uri, true, err);
	if (!s->db || osv_store_migrate(s, err) < 0) {
		osv_store_close(s);
		return NULL;
	}
	return s;
}

void osv_store_close(struct osv_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < OSV_MAX_QUERIES; i++)
		osv_db_finalize(s->stmts[i]);
	osv_db_close(s->db);
	free(s);
}

struct osv_db *osv_store_db(struct osv_store *s)
{
	return s->db;
}

int osv_store_begin(struct osv_store *s, struct sg_error *err)
{
	/* Answering the group's requests may start the next group (a pipelined request): settle until none. */
	while (s->db->group && !s->in_unit && s->db->txn_depth == 0) {
		if (!s->settle)
			return sg_err(err, "store: a group is open and nobody settles it");
		s->settle(s->settle_arg);
	}
	return osv_db_begin(s->db, err);
}

int osv_store_commit(struct osv_store *s, struct sg_error *err)
{
	return osv_db_commit(s->db, err);
}

void osv_store_rollback(struct osv_store *s)
{
	osv_db_rollback(s->db);
}

void osv_store_group_settler(struct osv_store *s, void (*settle)(void *arg), void *arg)
{
	s->settle = settle;
	s->settle_arg = arg;
}

int osv_store_group_begin(struct osv_store *s, struct sg_error *err)
{
	return osv_db_group_begin(s->db, err);
}

int osv_store_group_commit(struct osv_store *s, struct sg_error *err)
{
	return osv_db_group_commit(s->db, err);
}

bool osv_store_group_open(const struct osv_store *s)
{
	return s->db->group;
}

void osv_store_group_unit(struct osv_store *s, bool inside)
{
	s->in_unit = inside;
}

struct osv_db_stmt *osv_q(struct osv_store *s, struct osv_query *q, struct sg_error *err)
{
	int slot = __atomic_load_n(&q->slot, __ATOMIC_ACQUIRE);
	const char *sql;

	if (slot == 0) {
		int fresh = __atomic_add_fetch(&next_slot, 1, __ATOMIC_ACQ_REL);
		int expected = 0;

		if (!__atomic_compare_exchange_n(&q->slot, &expected, fresh, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			fresh = expected;
		slot = fresh;
	}
	if (slot >= OSV_MAX_QUERIES) {
		sg_err(err, "store: more queries than OSV_MAX_QUERIES");
		return NULL;
	}
	if (!s->stmts[slot]) {
		sql = s->db->kind == OSV_DB_PG && q->sql_pg ? q->sql_pg : q->sql;
		s->stmts[slot] = osv_db_prepare(s->db, sql, err);
		return s->stmts[slot];
	}
	osv_db_reset(s->stmts[slot]);
	return s->stmts[slot];
}

int osv_q_run(struct osv_db_stmt *st, struct sg_error *err)
{
	int rc;

	if (!st)
		return -1;
	do
		rc = osv_db_step(st, err);
	while (rc == OSV_DB_ROW);
	osv_db_reset(st);
	return rc == OSV_DB_DONE ? 0 : -1;
}

int osv_q_row(struct osv_db_stmt *st, struct sg_error *err)
{
	int rc;

	if (!st)
		return -1;
	rc = osv_db_step(st, err);
	if (rc == OSV_DB_ERR) {
		osv_db_reset(st);
		return -1;
	}
	return rc == OSV_DB_ROW ? 1 : 0;
}

void osv_col_copy(struct osv_db_stmt *st, int col, char *buf, size_t size)
{
	snprintf(buf, size, "%s", osv_db_col_text(st, col));
}

json_t *osv_col_json(struct osv_db_stmt *st, int col)
{
	const char *text = osv_db_col_text(st, col);
	json_t *v = *text ? json_loads(text, 0, NULL) : NULL;

	return v ? v : json_object();
}

json_t *osv_q_rows(struct osv_db_stmt *st, osv_row_json_fn fn, struct sg_error *err)
{
	json_t *arr;
	int rc;

	if (!st)
		return NULL;
	arr = json_array();
	while ((rc = osv_q_row(st, err)) == 1)
		json_array_append_new(arr, fn(st));
	if (rc < 0) {
		json_decref(arr);
		return NULL;
	}
	osv_db_reset(st);
	return arr;
}
