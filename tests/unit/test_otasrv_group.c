/* Group commit in the ota-server store (db.h osv_db_group_*, store.h osv_store_group_*): units of one group are
 * savepoints of one transaction - a unit's failure undoes only its own work, a failed commit undoes every unit,
 * a transaction lost under the group is never reported committed, and work outside the group (the dispatcher,
 * the SMPP link) first has the group settled and then runs in a real transaction of its own. What reached the
 * disk is read back through a second, independent SQLite connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "otasrv/db.h"
#include "test_otasrv_tmpstore.h"

struct fixture {
	struct osv_tmpstore t;
	int settled;	 /* times the settler ran */
	int settle_rc;	 /* what its group commit returned */
	bool outsider_real; /* in the settler: the group was closed after it */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sg_error err;

	if (!osv_tmpstore_open(&f->t, "test_otasrv_group", 0x5A, &err))
		fail_msg("%s", err.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(osv_tmpstore_close(&f->t), 0);
	free(f);
	return 0;
}

/* One request's worth of work: a unit with its audit entry named action. */
static int unit(struct fixture *f, const char *action, const char *extra_sql)
{
	struct osv_audit_entry e = { .at = 1, .actor = "operator:test", .client = "127.0.0.1", .action = action,
				     .target = "", .decision = "allowed", .status = 200, .detail = "" };
	struct sg_error err;

	osv_store_group_unit(f->t.s, true);
	if (osv_store_begin(f->t.s, &err) < 0)
		goto out;
	if (osv_audit_append(f->t.s, &e, &err) < 0 ||
	    (extra_sql && osv_db_exec(osv_store_db(f->t.s), extra_sql, &err) < 0)) {
		osv_store_rollback(f->t.s);
		goto out;
	}
	if (osv_store_commit(f->t.s, &err) < 0)
		goto out;
	osv_store_group_unit(f->t.s, false);
	return 0;
out:
	osv_store_group_unit(f->t.s, false);
	return -1;
}

/* The audit actions on disk, in order, joined by ',' - read by a connection of its own. */
static void on_disk(struct fixture *f, char *out, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t o = 0;

	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(f->t.path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT action FROM audit ORDER BY seq", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && o < size)
		o += (size_t)snprintf(out + o, size - o, "%s%s", o ? "," : "", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void chain_intact(struct fixture *f, int64_t want)
{
	struct osv_audit_problem p;
	struct sg_error err;
	int64_t n = 0;

	assert_int_equal(osv_audit_verify(f->t.s, &p, &n, &err), 0);
	assert_int_equal(p.seq, 0);
	assert_int_equal(n, want);
}

/* A unit failing at the database (a NOT NULL constraint) takes only its own work back; the units before and
 * after it commit with the group, and nothing is on disk before the group commit. */
static void test_unit_failure_is_its_own(void **state)
{
	struct fixture *f = *state;
	struct sg_error err;
	char disk[200];

	assert_int_equal(osv_store_group_begin(f->t.s, &err), 0);
	assert_true(osv_store_group_open(f->t.s));
	assert_int_equal(unit(f, "a", NULL), 0);
	assert_int_equal(unit(f, "b", "INSERT INTO schema_version (version) VALUES (NULL)"), -1);
	assert_int_equal(unit(f, "c", NULL), 0);
	on_disk(f, disk, sizeof(disk));
	assert_string_equal(disk, "");
	assert_int_equal(osv_store_group_commit(f->t.s, &err), 0);
	assert_false(osv_store_group_open(f->t.s));
	on_disk(f, disk, sizeof(disk));
	assert_string_equal(disk, "a,c");
	chain_intact(f, 2);
}

/* The commit itself fails (a foreign key checked only at COMMIT): every unit's work is gone, including the ones
 * that succeeded, and the store works on afterwards. */
static void test_commit_failure_undoes_all(void **state)
{
	struct fixture *f = *state;
	struct sg_error err;
	char disk[200];

	assert_int_equal(osv_store_group_begin(f->t.s, &err), 0);
	assert_int_equal(osv_db_exec(osv_store_db(f->t.s), "PRAGMA defer_foreign_keys = ON", &err), 0);
	assert_int_equal(unit(f, "a", NULL), 0);
	assert_int_equal(unit(f, "b",
			      "INSERT INTO attempts (command_id, card_id, kvn, cntr, packet, sent_at)"
			      " VALUES (999, 1, 1, 1, x'00', 0)"),
			 0);
	assert_int_equal(osv_store_group_commit(f->t.s, &err), -1);
	assert_non_null(strstr(err.msg, "FOREIGN KEY"));
	assert_false(osv_store_group_open(f->t.s));
	on_disk(f, disk, sizeof(disk));
	assert_string_equal(disk, "");
	assert_int_equal(unit(f, "after", NULL), 0);
	on_disk(f, disk, sizeof(disk));
	assert_string_equal(disk, "after");
	chain_intact(f, 1);
}

/* The transaction vanished under the group (here: a ROLLBACK behind its back, as SQLite does by itself on some
 * errors): later units refuse to start and the group does not claim to have committed. */
static void test_lost_transaction_is_not_committed(void **state)
{
	struct fixture *f = *state;
	struct sg_error err;
	char disk[200];

	assert_int_equal(osv_store_group_begin(f->t.s, &err), 0);
	assert_int_equal(unit(f, "a", NULL), 0);
	assert_int_equal(osv_db_exec(osv_store_db(f->t.s), "ROLLBACK", &err), 0);
	assert_int_equal(unit(f, "b", NULL), -1);
	assert_int_equal(osv_store_group_commit(f->t.s, &err), -1);
	on_disk(f, disk, sizeof(disk));
	assert_string_equal(disk, "");
}

static void settler(void *arg)
{
	struct fixture *f = arg;
	struct sg_error err;

	f->settled++;
	f->settle_rc = osv_store_group_commit(f->t.s, &err);
	f->outsider_real = !osv_store_group_open(f->t.s);
}

/* Work outside the group (no unit marked) has the group settled first - the group's units are on disk before
 * the outsider's transaction starts - and the outsider's commit is a real one (on disk at once). */
static void test_outsider_settles_the_group_first(void **state)
{
	struct fixture *f = *state;
	struct osv_audit_entry e = { .at = 2, .actor = "ota-server", .client = "", .action = "dispatch",
				     .target = "", .decision = "allowed", .status = 0, .detail = "" };
	struct sg_error err;
	char disk[200];

	osv_store_group_settler(f->t.s, settler, f);
	assert_int_equal(osv_store_group_begin(f->t.s, &err), 0);
	assert_int_equal(unit(f, "a", NULL), 0);
	assert_int_equal(unit(f, "b", NULL), 0);
	assert_int_equal(f->settled, 0);
	assert_int_equal(osv_store_begin(f->t.s, &err), 0);
	assert_int_equal(f->settled, 1);
	assert_int_equal(f->settle_rc, 0);
	assert_true(f->outsider_real);
	on_disk(f, disk, sizeof(disk));
	assert_string_equal(disk, "a,b");
	assert_int_equal(osv_audit_append(f->t.s, &e, &err), 0);
	assert_int_equal(osv_store_commit(f->t.s, &err), 0);
	on_disk(f, disk, sizeof(disk));
	assert_string_equal(disk, "a,b,dispatch");
	/* no group open: nothing to settle */
	assert_int_equal(osv_store_begin(f->t.s, &err), 0);
	osv_store_rollback(f->t.s);
	assert_int_equal(f->settled, 1);
	chain_intact(f, 3);
}

/* A group begins only outside a transaction, and a second one not inside the first. */
static void test_group_nesting_refused(void **state)
{
	struct fixture *f = *state;
	struct sg_error err;

	assert_int_equal(osv_store_begin(f->t.s, &err), 0);
	assert_int_equal(osv_store_group_begin(f->t.s, &err), -1);
	osv_store_rollback(f->t.s);
	assert_int_equal(osv_store_group_begin(f->t.s, &err), 0);
	assert_int_equal(osv_store_group_begin(f->t.s, &err), -1);
	assert_int_equal(osv_store_group_commit(f->t.s, &err), 0);
	assert_int_equal(osv_store_group_commit(f->t.s, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unit_failure_is_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_failure_undoes_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_transaction_is_not_committed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outsider_settles_the_group_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_nesting_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
