/* Unit tests of the OTA server's store on SQLite: card CSV import (every kind of bad line reported with its
 * column, keys sealed so the database file never holds them in clear), counters that only move forward,
 * supervised resync, command claiming with leases, schema migrations, and the audit chain finding a changed,
 * removed, reordered or cut-off entry when someone edits the database behind the server's back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "otasrv/cards_csv.h"
#include "otasrv/db.h"
#include "otasrv/engine.h"
#include "otasrv/keybox.h"
#include "otasrv/store.h"

struct fixture {
	char dir[64];
	char path[96];
	struct osv_keybox kb;
	struct osv_store *s;
};

static const struct osv_csv_defaults defaults = { .tar = { 0xC1, 0x00, 0x01 }, .spi = { 0x16, 0x39 } };

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	uint8_t master[32];
	struct sg_error err;

	for (int i = 0; i < 32; i++)
		master[i] = (uint8_t)(0xA0 + i);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_otasrv_store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/ota.db", f->dir);
	assert_int_equal(osv_keybox_init(&f->kb, master, &err), 0);
	f->s = osv_store_open(f->path, &f->kb, "test-1", &err);
	if (!f->s)
		fail_msg("%s", err.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	osv_store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int add_card(void *ctx, int line, struct osv_card_import *ci, struct sg_error *err)
{
	struct fixture *f = ctx;

	return osv_card_insert(f->s, ci, 1000, err);
}

static const char good_csv[] =
	"ICCID,IMSI,MSISDN,KI,KIC1,KID1,KIK1,ALGO1,CNTR1,KIC2,KID2,ALGO2,TAR,KVN\r\n"
	"8949000000000000011,262010000000011,+4917100011,000102030405060708090A0B0C0D0E0F,"
	"404142434445464748494A4B4C4D4E4F,505152535455565758595A5B5C5D5E5F,,3des2,41,"
	"000102030405060708090A0B0C0D0E0F,101112131415161718191A1B1C1D1E1F,aes,C10001,1\n"
	"\n"
	"\"8949000000000000029\",262010000000029,4917100029,,"
	"404142434445464748494A4B4C4D4E4F,505152535455565758595A5B5C5D5E5F,,3des2,,,,,,\n";

static void test_import_good(void **state)
{
	struct fixture *f = *state;
	json_t *errors = json_array();
	struct osv_card c;
	struct osv_keyset ks;
	struct sg_error err;

	assert_int_equal(osv_csv_parse(good_csv, strlen(good_csv), &defaults, add_card, f, errors), 2);
	assert_int_equal(json_array_size(errors), 0);
	assert_int_equal(osv_card_get(f->s, "8949000000000000011", &c, &err), 1);
	assert_string_equal(c.msisdn, "4917100011");
	assert_int_equal(c.kvn, 1);
	assert_memory_equal(c.spi, "\x16\x39", 2);
	assert_int_equal(osv_keyset_load(f->s, &c, 1, &ks, &err), 1);
	assert_int_equal(ks.kic, 0x15);
	assert_int_equal(ks.kid, 0x15);
	assert_int_equal(ks.counter, 41);
	assert_int_equal(ks.keys.kic.len, 16);
	assert_memory_equal(ks.keys.kic.key, "\x40\x41\x42\x43\x44\x45\x46\x47\x48\x49\x4A\x4B\x4C\x4D\x4E\x4F", 16);
	osv_keyset_cleanse(&ks);
	assert_int_equal(osv_keyset_load(f->s, &c, 2, &ks, &err), 1);
	assert_int_equal(ks.kic, 0x22);
	osv_keyset_cleanse(&ks);
	assert_int_equal(osv_keyset_load(f->s, &c, 3, &ks, &err), 0);
	assert_int_equal(osv_card_get_by_msisdn(f->s, "4917100029", &c, &err), 1);
	assert_string_equal(c.iccid, "8949000000000000029");
	json_decref(errors);
}

/* The database file must not contain any key in clear, nor the Ki that the CSV carried. */
static void test_keys_sealed_at_rest(void **state)
{
	struct fixture *f = *state;
	json_t *errors = json_array();
	static const uint8_t kic[] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47 };
	static const uint8_t ki[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A };
	uint8_t *buf = malloc(1 << 20);
	char wal[128];
	FILE *fp;
	size_t n;

	assert_int_equal(osv_csv_parse(good_csv, strlen(good_csv), &defaults, add_card, f, errors), 2);
	json_decref(errors);
	osv_store_close(f->s);
	f->s = NULL;
	snprintf(wal, sizeof(wal), "%s", f->path);
	fp = fopen(wal, "rb");
	assert_non_null(fp);
	n = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	assert_true(n > 0);
	assert_null(memmem(buf, n, kic, sizeof(kic)));
	assert_null(memmem(buf, n, ki, sizeof(ki)));
	assert_non_null(memmem(buf, n, "8949000000000000011", 19));
	free(buf);
	f->s = osv_store_open(f->path, &f->kb, "test-1", NULL);
	assert_non_null(f->s);
}

static void test_wrong_master_key(void **state)
{
	struct fixture *f = *state;
	json_t *errors = json_array();
	struct osv_keybox other;
	uint8_t master[32] = { 1 };
	struct osv_store *s2;
	struct osv_keyset ks;
	struct osv_card c;
	struct sg_error err;

	assert_int_equal(osv_csv_parse(good_csv, strlen(good_csv), &defaults, add_card, f, errors), 2);
	json_decref(errors);
	assert_int_equal(osv_keybox_init(&other, master, &err), 0);
	s2 = osv_store_open(f->path, &other, "test-2", &err);
	assert_non_null(s2);
	assert_int_equal(osv_card_get(s2, "8949000000000000011", &c, &err), 1);
	assert_int_equal(osv_keyset_load(s2, &c, 1, &ks, &err), -1);
	assert_non_null(strstr(err.msg, "does not open"));
	osv_store_close(s2);
}

struct bad_case {
	const char *csv;
	int line;
	const char *needle;
};

static void test_import_bad_lines(void **state)
{
	static const char hdr[] = "ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,CNTR1,SPI,DIALECT\n";
	static const char keys[] = "404142434445464748494A4B4C4D4E4F,505152535455565758595A5B5C5D5E5F";
	static const struct bad_case cases[] = {
		{ "89490000000000000X1,262010000000011,4917100011,K,K,3des2,,,", 2, "ICCID: 'X' at position 18" },
		{ "894900000000000001,26201,4917100011,K,K,3des2,,,", 2, "IMSI: 5 digits" },
		{ "8949000000000000011,262010000000011,49-17,K,K,3des2,,,", 2, "MSISDN: '-'" },
		{ "8949000000000000011,262010000000011,4917100011,4041424,K,3des2,,,", 2, "KIC1: " },
		{ "8949000000000000011,262010000000011,4917100011,K,K,rc4,,,", 2, "ALGO1: 'rc4'" },
		{ "8949000000000000011,262010000000011,4917100011,K,K,aes,99999999999999,,", 2, "CNTR1: " },
		{ "8949000000000000011,262010000000011,4917100011,K,K,3des3,,,", 2, "KIC1: 16 bytes do not fit" },
		{ "8949000000000000011,262010000000011,4917100011,K,K,3des2,,F639,", 2, "SPI: reserved bits" },
		{ "8949000000000000011,262010000000011,4917100011,K,K,3des2,,,sms-pp", 2, "DIALECT: 'sms-pp'" },
		{ "8949000000000000011,262010000000011,4917100011,K,K,3des2,,", 2, "8 fields, the header has 9" },
		{ "8949000000000000011,262010000000011,\"4917100011,K,K,3des2,,,", 2, "quote not closed" },
		{ ",262010000000011,4917100011,K,K,3des2,,,", 2, "ICCID: empty" },
		{ "8949000000000000011,262010000000011,4917100011,K,K,,,,", 2, "ALGO1: missing" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char csv[1024], line[512], *k;
		json_t *errors = json_array();
		const char *msg;

		/* K stands for the keys pair, to keep the table readable. */
		snprintf(line, sizeof(line), "%s", cases[i].csv);
		k = strstr(line, ",K,K,");
		if (k) {
			char tail[256];

			snprintf(tail, sizeof(tail), "%s", k + 5);
			snprintf(k, sizeof(line) - (size_t)(k - line), ",%s,%s", keys, tail);
		}
		snprintf(csv, sizeof(csv), "%s%s\n", hdr, line);
		assert_int_equal(osv_csv_parse(csv, strlen(csv), &defaults, add_card, f, errors), 0);
		assert_int_equal(json_array_size(errors), 1);
		assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 0), "line")),
				 cases[i].line);
		msg = json_string_value(json_object_get(json_array_get(errors, 0), "error"));
		if (!strstr(msg, cases[i].needle))
			fail_msg("case %zu: '%s' does not mention '%s'", i, msg, cases[i].needle);
		json_decref(errors);
	}
}

static void test_import_bad_header(void **state)
{
	static const char *const bad[] = { "ICCID,IMSI,MSISDN,KIC1,KID1,ALGO1,COLOUR\n", "ICCID,IMSI,KIC1,KID1\n",
					   "ICCID,IMSI,MSISDN,KIC16,KID16\n", "ICCID,IMSI,MSISDN,KIC1,KID1,iccid\n",
					   "" };
	static const char *const needle[] = { "'COLOUR': unknown", "required", "1..15", "given twice", "empty" };
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *errors = json_array();

		assert_int_equal(osv_csv_parse(bad[i], strlen(bad[i]), &defaults, add_card, f, errors), -1);
		assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0), "error")),
				       needle[i]));
		json_decref(errors);
	}
}

static void test_duplicate_iccid(void **state)
{
	struct fixture *f = *state;
	json_t *errors = json_array();

	assert_int_equal(osv_csv_parse(good_csv, strlen(good_csv), &defaults, add_card, f, errors), 2);
	assert_int_equal(osv_csv_parse(good_csv, strlen(good_csv), &defaults, add_card, f, errors), 0);
	assert_int_equal(json_array_size(errors), 2);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0), "error")),
			       "already imported"));
	json_decref(errors);
}

static void import(struct fixture *f)
{
	json_t *errors = json_array();

	assert_int_equal(osv_csv_parse(good_csv, strlen(good_csv), &defaults, add_card, f, errors), 2);
	json_decref(errors);
}

static void test_counter_forward_only(void **state)
{
	struct fixture *f = *state;
	struct osv_card c;
	struct sg_error err;
	uint64_t v, old;

	import(f);
	assert_int_equal(osv_card_get(f->s, "8949000000000000011", &c, &err), 1);
	assert_int_equal(osv_counter_next(f->s, c.id, 1, &v, &err), 0);
	assert_int_equal(v, 42);
	assert_int_equal(osv_counter_next(f->s, c.id, 1, &v, &err), 0);
	assert_int_equal(v, 43);
	assert_int_equal(osv_counter_next(f->s, c.id, 2, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(osv_counter_next(f->s, c.id, 9, &v, &err), 1); /* no such keyset */
	assert_int_equal(osv_counter_resync(f->s, c.id, 1, 10, &old, &err), 1);
	assert_int_equal(old, 43);
	assert_int_equal(osv_counter_resync(f->s, c.id, 1, 1000, &old, &err), 0);
	assert_int_equal(osv_counter_next(f->s, c.id, 1, &v, &err), 0);
	assert_int_equal(v, 1001);
	/* At the maximum the counter is blocked for good. */
	assert_int_equal(osv_counter_resync(f->s, c.id, 1, SP_CNTR_MAX, &old, &err), 0);
	assert_int_equal(osv_counter_next(f->s, c.id, 1, &v, &err), 1);
	assert_int_equal(osv_counter_resync(f->s, c.id, 1, SP_CNTR_MAX + 1, &old, &err), -1);
}

/* A counter taken inside a transaction that is rolled back is not handed out twice only if it was committed:
 * check that a rolled back allocation is invisible and a committed one survives a reopen. */
static void test_counter_durable(void **state)
{
	struct fixture *f = *state;
	struct osv_card c;
	struct sg_error err;
	uint64_t v;

	import(f);
	assert_int_equal(osv_card_get(f->s, "8949000000000000011", &c, &err), 1);
	assert_int_equal(osv_store_begin(f->s, &err), 0);
	assert_int_equal(osv_counter_next(f->s, c.id, 1, &v, &err), 0);
	assert_int_equal(v, 42);
	osv_store_rollback(f->s);
	assert_int_equal(osv_store_begin(f->s, &err), 0);
	assert_int_equal(osv_counter_next(f->s, c.id, 1, &v, &err), 0);
	assert_int_equal(v, 42);
	assert_int_equal(osv_store_commit(f->s, &err), 0);
	osv_store_close(f->s);
	f->s = osv_store_open(f->path, &f->kb, "test-1", &err);
	assert_non_null(f->s);
	assert_int_equal(osv_counter_next(f->s, c.id, 1, &v, &err), 0);
	assert_int_equal(v, 43);
}

static int64_t new_command(struct fixture *f, int64_t card_id, const char *kind, int64_t now)
{
	struct osv_command cmd = { .card_id = card_id, .state = OSV_CMD_QUEUED, .created = now,
				   .deadline = now + 900, .next_at = now };
	struct sg_error err;

	snprintf(cmd.kind, sizeof(cmd.kind), "%s", kind);
	snprintf(cmd.actor, sizeof(cmd.actor), "operator:alice");
	assert_int_equal(osv_cmd_insert(f->s, &cmd, &err), 0);
	return cmd.id;
}

static void test_claim_leases(void **state)
{
	struct fixture *f = *state;
	struct osv_store *other;
	struct osv_card c1, c2;
	struct sg_error err;
	int64_t ids[8], a, b, c;

	import(f);
	assert_int_equal(osv_card_get(f->s, "8949000000000000011", &c1, &err), 1);
	assert_int_equal(osv_card_get(f->s, "8949000000000000029", &c2, &err), 1);
	a = new_command(f, c1.id, "lock", 100);
	b = new_command(f, c2.id, "locate", 100);
	c = new_command(f, c1.id, "ring", 100);
	other = osv_store_open(f->path, &f->kb, "test-2", &err);
	assert_non_null(other);
	assert_int_equal(osv_cmd_claim(f->s, 100, 30, 1, ids, &err), 1);
	assert_int_equal(ids[0], a);
	/* The second instance gets neither the leased command nor another one for the same card. */
	assert_int_equal(osv_cmd_claim(other, 100, 30, 8, ids, &err), 1);
	assert_int_equal(ids[0], b);
	assert_int_equal(osv_cmd_claim(other, 110, 30, 8, ids, &err), 0);
	/* The card's own instance does get it. */
	assert_int_equal(osv_cmd_claim(f->s, 110, 30, 8, ids, &err), 1);
	assert_int_equal(ids[0], c);
	/* Leases that ran out (their instance died) are taken over, card leases included. */
	assert_int_equal(osv_cmd_claim(other, 141, 30, 8, ids, &err), 3);
	assert_int_equal(ids[0], a);
	/* Not due yet after an update with a later time; final states are never claimed. */
	assert_int_equal(osv_cmd_update(other, a, OSV_CMD_SUBMITTED, -1, NULL, 500, &err), 0);
	assert_int_equal(osv_cmd_update(other, b, OSV_CMD_CONFIRMED, 0, "done", 0, &err), 0);
	assert_int_equal(osv_cmd_update(other, c, OSV_CMD_CONFIRMED, 0, "done", 0, &err), 0);
	assert_int_equal(osv_cmd_claim(other, 499, 30, 8, ids, &err), 0);
	assert_int_equal(osv_cmd_claim(other, 500, 30, 8, ids, &err), 1);
	/* After a restart an instance releases what it held: the other one may take it at once. */
	assert_int_equal(osv_cmd_release_mine(other, &err), 0);
	assert_int_equal(osv_cmd_claim(f->s, 501, 30, 8, ids, &err), 1);
	osv_store_close(other);
}

static void test_attempt_counter_unique(void **state)
{
	struct fixture *f = *state;
	struct osv_attempt at = { .kvn = 1, .cntr = 42, .sent_at = 5 }, found;
	struct osv_card c;
	struct sg_error err;
	int64_t id;

	import(f);
	assert_int_equal(osv_card_get(f->s, "8949000000000000011", &c, &err), 1);
	id = new_command(f, c.id, "lock", 100);
	at.command_id = id;
	assert_int_equal(osv_attempt_insert(f->s, &at, (const uint8_t *)"\x01\x02", 2, &err), 0);
	assert_int_equal(osv_attempt_set_msgid(f->s, at.id, "0000000007", &err), 0);
	/* The database itself refuses a second packet with the same counter on the same keyset. */
	assert_int_equal(osv_attempt_insert(f->s, &at, (const uint8_t *)"\x01\x02", 2, &err), -1);
	assert_int_equal(osv_attempt_by_cntr(f->s, c.id, 42, &found, &err), 1);
	assert_int_equal(found.command_id, id);
	assert_int_equal(osv_attempt_by_msgid(f->s, "0000000007", &found, &err), 1);
	assert_int_equal(osv_attempt_latest_open(f->s, c.id, &found, &err), 1);
	assert_int_equal(found.cntr, 42);
}

/* Entry i of the fixture, with the detail "entry i" unless one is given. */
static void append_detail(struct fixture *f, int i, const char *given)
{
	char detail[32];
	struct osv_audit_entry e = { .at = 1000 + i, .actor = "operator:alice", .client = "127.0.0.1",
				     .action = "POST /v1/devices/8949/commands", .target = "8949",
				     .decision = "allowed", .status = 202, .detail = detail };
	struct sg_error err;

	snprintf(detail, sizeof(detail), "%s", given ? given : "");
	if (!given)
		snprintf(detail, sizeof(detail), "entry %d", i);
	assert_int_equal(osv_audit_append(f->s, &e, &err), 0);
}

static void append(struct fixture *f, int i)
{
	append_detail(f, i, NULL);
}

/* Edit the database as an attacker with file access would: triggers dropped first. */
static void tamper(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (sqlite3_exec(db,
			 "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;", NULL,
			 NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s", msg);
	sqlite3_close(db);
}

static int64_t verify(struct fixture *f, char *what, size_t size)
{
	struct osv_audit_problem p;
	struct sg_error err;
	int64_t count;
	int rc = osv_audit_verify(f->s, &p, &count, &err);

	assert_true(rc >= 0);
	snprintf(what, size, "%s", p.what);
	return rc ? p.seq : 0;
}

#define HASH63 "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeef"
#define HASH64 HASH63 "f"

static void audit_fixture(struct fixture *f)
{
	for (int i = 1; i <= 5; i++)
		append(f, i);
}

static void test_audit_intact(void **state)
{
	struct fixture *f = *state;
	struct osv_audit_problem p;
	struct sg_error err;
	int64_t count;

	assert_int_equal(osv_audit_verify(f->s, &p, &count, &err), 0);
	assert_int_equal(count, 0);
	audit_fixture(f);
	assert_int_equal(osv_audit_verify(f->s, &p, &count, &err), 0);
	assert_int_equal(count, 5);
}

static void test_audit_append_only(void **state)
{
	struct fixture *f = *state;
	struct sg_error err;
	struct osv_db_stmt *st;

	audit_fixture(f);
	assert_int_equal(osv_db_exec(osv_store_db(f->s), "UPDATE audit SET status = 200 WHERE seq = 2", &err), -1);
	assert_non_null(strstr(err.msg, "append-only"));
	assert_int_equal(osv_db_exec(osv_store_db(f->s), "DELETE FROM audit WHERE seq = 2", &err), -1);
	st = osv_db_prepare(osv_store_db(f->s), "SELECT count(*) FROM audit", &err);
	assert_int_equal(osv_db_step(st, &err), OSV_DB_ROW);
	assert_int_equal(osv_db_col_int(st, 0), 5);
	osv_db_finalize(st);
}

static void test_audit_changed(void **state)
{
	struct fixture *f = *state;
	char what[192];

	audit_fixture(f);
	tamper(f, "UPDATE audit SET decision = 'denied' WHERE seq = 3");
	assert_int_equal(verify(f, what, sizeof(what)), 3);
	assert_non_null(strstr(what, "does not verify"));
}

static void test_audit_removed(void **state)
{
	struct fixture *f = *state;
	char what[192];

	audit_fixture(f);
	tamper(f, "DELETE FROM audit WHERE seq = 2");
	assert_int_equal(verify(f, what, sizeof(what)), 2);
	assert_non_null(strstr(what, "missing"));
}

static void test_audit_reordered(void **state)
{
	struct fixture *f = *state;
	char what[192];

	audit_fixture(f);
	/* Swap the contents of entries 2 and 4, MACs included: each still carries a valid MAC, but not for its
	 * place in the chain. */
	tamper(f, "UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 4;"
		  "UPDATE audit SET seq = 4 WHERE seq = 100;");
	assert_int_equal(verify(f, what, sizeof(what)), 2);
}

static void test_audit_truncated(void **state)
{
	struct fixture *f = *state;
	char what[192];

	audit_fixture(f);
	tamper(f, "DELETE FROM audit WHERE seq = 5");
	assert_int_equal(verify(f, what, sizeof(what)), 5);
	assert_non_null(strstr(what, "missing"));
}

static void test_audit_forged_recomputed(void **state)
{
	struct fixture *f = *state;
	char what[192];

	audit_fixture(f);
	/* Without the audit key, replacing an entry's MAC by any value does not help the forger. */
	tamper(f, "UPDATE audit SET detail = 'nothing happened', mac = zeroblob(32) WHERE seq = 5;"
		  "UPDATE audit_head SET mac = zeroblob(32)");
	assert_int_equal(verify(f, what, sizeof(what)), 5);
}

/* The latest entry as an anchor. */
static struct osv_audit_anchor head_anchor(struct fixture *f)
{
	struct osv_audit_anchor a;
	struct sg_error err;
	int64_t at;

	assert_int_equal(osv_audit_head(f->s, &a, &at, &err), 1);
	assert_int_equal(at, 1000 + a.seq);
	return a;
}

static int verify_anchored(struct fixture *f, const struct osv_audit_anchor *a, size_t n, struct osv_audit_problem *p)
{
	struct sg_error err;
	int64_t count;
	int rc = osv_audit_verify_anchored(f->s, a, n, p, &count, &err);

	assert_true(rc >= 0);
	return rc;
}

/* The attacker with the database and the master key: empties the log (triggers dropped) and writes it again
 * through the store's own append, entries 1..n, entry changed (if not 0) with another detail - a chain that
 * verifies. */
static void rewrite_chain(struct fixture *f, int n, int changed)
{
	tamper(f, "DELETE FROM audit; UPDATE audit_head SET seq = 0, mac = x'', head_mac = x''");
	for (int i = 1; i <= n; i++)
		append_detail(f, i, i == changed ? "nothing happened" : NULL);
}

static void test_audit_head_and_anchor_parse(void **state)
{
	struct fixture *f = *state;
	char text[OSV_AUDIT_ANCHOR_STRLEN];
	struct osv_audit_anchor a, b;
	struct sg_error err;
	int64_t at;
	static const char *const bad[] = {
		"",
		"5",
		":",
		"5:",
		"0:" HASH64,
		"-1:" HASH64,
		"x5:" HASH64,
		"5:" HASH64 "00",
		"5:" HASH63 "g",
		"5:" HASH63,
		"99999999999999999999:" HASH64,
	};

	assert_int_equal(osv_audit_head(f->s, &a, &at, &err), 0);
	audit_fixture(f);
	a = head_anchor(f);
	assert_int_equal(a.seq, 5);
	osv_audit_anchor_format(&a, text);
	assert_int_equal(osv_audit_anchor_parse(text, &b, &err), 0);
	assert_int_equal(b.seq, 5);
	assert_memory_equal(b.hash, a.hash, OSV_AUDIT_HASH_LEN);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(osv_audit_anchor_parse(bad[i], &b, &err), -1);
		assert_non_null(strstr(err.msg, "anchor '"));
	}
}

/* Anchors taken, more entries written: they hold. The chain rewritten with the key from entry 2 on verifies on
 * its own, but not against an anchor at or after the change; one before it still holds. */
static void test_audit_anchor_rewritten(void **state)
{
	struct fixture *f = *state;
	struct osv_audit_anchor a[2];
	struct osv_audit_problem p;
	char text[OSV_AUDIT_ANCHOR_STRLEN];

	audit_fixture(f);
	a[0] = head_anchor(f);
	append(f, 6);
	append(f, 7);
	a[1] = head_anchor(f);
	assert_int_equal(verify_anchored(f, a, 2, &p), 0);
	rewrite_chain(f, 7, 2);
	assert_int_equal(verify_anchored(f, NULL, 0, &p), 0);
	assert_int_equal(verify_anchored(f, a, 2, &p), 1);
	assert_int_equal(p.seq, 5);
	osv_audit_anchor_format(&a[0], text);
	assert_non_null(strstr(p.what, text));
	assert_non_null(strstr(p.what, "rewritten"));
	assert_int_equal(verify_anchored(f, &a[1], 1, &p), 1);
	assert_int_equal(p.seq, 7);
	rewrite_chain(f, 7, 6);
	assert_int_equal(verify_anchored(f, a, 1, &p), 0);
}

/* The tail cut off after an anchor, the head record rewritten to match: plain verify passes, the anchor is
 * missing; an anchor inside what is left still holds. */
static void test_audit_anchor_truncated(void **state)
{
	struct fixture *f = *state;
	struct osv_audit_anchor a[2];
	struct osv_audit_problem p;

	append(f, 1);
	append(f, 2);
	append(f, 3);
	a[0] = head_anchor(f);
	append(f, 4);
	append(f, 5);
	a[1] = head_anchor(f);
	rewrite_chain(f, 3, 0);
	assert_int_equal(verify_anchored(f, NULL, 0, &p), 0);
	assert_int_equal(verify_anchored(f, a, 1, &p), 0);
	assert_int_equal(verify_anchored(f, a, 2, &p), 1);
	assert_int_equal(p.seq, 5);
	assert_non_null(strstr(p.what, "anchor 5:"));
	assert_non_null(strstr(p.what, "missing"));
}

/* A notification for owner_id whose SMS is one part holding text as its user data. */
static void queue_text(struct osv_store *s, int64_t owner_id, int64_t command_id, const char *text, const char *to)
{
	struct osv_notify_sms sms = { .seq = 1, .total = 1 };
	char sms_to[21];
	struct sg_error err;

	assert_int_equal(osv_notify(s, owner_id, command_id, text, 2, &sms.notification_id, sms_to, &err), 0);
	assert_true(sms.notification_id > 0);
	assert_string_equal(sms_to, to);
	snprintf(sms.msisdn, sizeof(sms.msisdn), "%s", sms_to);
	sms.ud_len = strlen(text);
	memcpy(sms.ud, text, sms.ud_len);
	assert_int_equal(osv_notify_sms_add(s, &sms, &err), 0);
}

static void assert_sms_text(const struct osv_notify_sms *sms, const char *text)
{
	assert_int_equal(sms->ud_len, strlen(text));
	assert_memory_equal(sms->ud, text, sms->ud_len);
}

/* Schema migrations: a database left at version 3 (before the notification SMS columns and the v5 indexes) is
 * brought to the current version at open, keeping its rows - an old notification is not sent by SMS after the
 * fact, a new one is; a database newer than the binary is refused. */
static void test_schema_migration(void **state)
{
	struct fixture *f = *state;
	struct osv_notify_sms sms[4];
	struct sg_error err;
	json_t *list;

	assert_int_equal(osv_store_schema_version(f->s), OSV_SCHEMA_VERSION);
	osv_store_close(f->s);
	tamper(f, "DROP INDEX attempts_card_cntr; DROP INDEX commands_card_state;"
		  "DROP INDEX notifications_sms; ALTER TABLE notifications DROP COLUMN sms_to;"
		  "ALTER TABLE notifications DROP COLUMN sms_state; ALTER TABLE notifications DROP COLUMN sms_next_at;"
		  "ALTER TABLE notifications DROP COLUMN sms_tries; DROP TABLE login_failures; DROP TABLE notification_sms;"
		  "DELETE FROM schema_version WHERE version >= 4;"
		  "INSERT INTO owners (name, pw_hash, totp, notify_msisdn, created_at)"
		  " VALUES ('olga', 'x', x'00', '4917699003', 1);"
		  "INSERT INTO notifications (owner_id, command_id, text, created_at) VALUES (1, 7, 'before v4', 1);");
	f->s = osv_store_open(f->path, &f->kb, "test-1", &err);
	if (!f->s)
		fail_msg("%s", err.msg);
	assert_int_equal(osv_store_schema_version(f->s), OSV_SCHEMA_VERSION);
	queue_text(f->s, 1, 8, "after v4", "4917699003");
	list = osv_notifications(f->s, 1, 0, &err);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "text")), "before v4");
	assert_null(json_object_get(json_array_get(list, 0), "sms"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "sms")), "waiting");
	json_decref(list);
	assert_int_equal(osv_notify_sms_claim(f->s, 10, 30, 4, sms, &err), 1);
	assert_sms_text(&sms[0], "after v4");
	assert_string_equal(sms[0].msisdn, "4917699003");

	osv_store_close(f->s);
	tamper(f, "INSERT INTO schema_version (version) VALUES (99)");
	f->s = osv_store_open(f->path, &f->kb, "test-1", &err);
	assert_null(f->s);
	assert_non_null(strstr(err.msg, "schema version 99 is newer than this server"));
	/* for the teardown: open again without the bogus version */
	tamper(f, "DELETE FROM schema_version WHERE version = 99");
	f->s = osv_store_open(f->path, &f->kb, "test-1", &err);
	assert_non_null(f->s);
}

/* The plan SQLite chooses for a query, its lines joined by " | ". */
static void query_plan(struct fixture *f, const char *sql, char *plan, size_t size)
{
	char eqp[600];
	struct sg_error err;
	struct osv_db_stmt *st;
	size_t o = 0;

	snprintf(eqp, sizeof(eqp), "EXPLAIN QUERY PLAN %s", sql);
	st = osv_db_prepare(osv_store_db(f->s), eqp, &err);
	if (!st)
		fail_msg("%s", err.msg);
	plan[0] = '\0';
	while (osv_db_step(st, &err) == OSV_DB_ROW && o < size)
		o += (size_t)snprintf(plan + o, size - o, "%s | ", osv_db_col_text(st, 3));
	osv_db_finalize(st);
}

/* The hot queries (PoR match by open command and by counter, the dispatcher's due queue, counter allocation) are
 * searches on an index, never a scan of a card's history - whatever the history's length. (The claim's look at
 * this instance's leased cards scans the cards table once per batch: an index there costs more, see v6.) */
static void test_hot_query_plans(void **state)
{
	static const struct {
		const char *sql, *want;
	} q[] = {
		{ "SELECT a.id FROM attempts a WHERE a.id = (SELECT max(b.id) FROM commands m JOIN attempts b"
		  " ON b.command_id = m.id WHERE m.card_id = 1 AND m.state BETWEEN 1 AND 3)",
		  "USING COVERING INDEX commands_card_state (card_id=? AND state>? AND state<?)" },
		{ "SELECT id FROM attempts WHERE card_id = 1 AND cntr = 7 ORDER BY id DESC LIMIT 1",
		  "INDEX attempts_card_cntr (card_id=? AND cntr=?)" },
		{ "SELECT id FROM commands WHERE state IN (1, 2, 3) AND next_at <= 5 ORDER BY next_at, id LIMIT 9",
		  "INDEX commands_due (state=? AND next_at<?)" },
		{ "UPDATE keysets SET counter = counter + 1 WHERE card_id = 1 AND kvn = 1 AND counter < 9"
		  " RETURNING counter",
		  "(card_id=? AND kvn=?)" },
	};
	struct fixture *f = *state;
	char plan[1000];

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		query_plan(f, q[i].sql, plan, sizeof(plan));
		if (!strstr(plan, q[i].want) || strstr(plan, "SCAN") || (i < 2 && strstr(plan, "TEMP B-TREE")))
			fail_msg("%s: plan %s, want %s", q[i].sql, plan, q[i].want);
	}
}

/* The notification SMS queue across two instances: a claimed notification is not claimed by the other one until
 * its lease ends (the claiming instance died before the SMSC answered: sent again - at least once); a settled one
 * never again. */
static void test_notify_sms_leases(void **state)
{
	struct fixture *f = *state;
	struct osv_notify_sms sms[4];
	struct osv_store *other;
	struct osv_owner o = { .name = "olga", .pw_hash = "x", .totp_len = 1, .notify_msisdn = "4917699004" };
	struct sg_error err;

	assert_int_equal(osv_owner_insert(f->s, &o, 1, &err), 0);
	assert_int_equal(osv_owner_get(f->s, "olga", &o, &err), 1);
	queue_text(f->s, o.id, 1, "one", "4917699004");
	queue_text(f->s, o.id, 2, "two", "4917699004");
	other = osv_store_open(f->path, &f->kb, "test-2", &err);
	assert_non_null(other);
	assert_int_equal(osv_notify_sms_claim(f->s, 100, 30, 1, sms, &err), 1);
	assert_sms_text(&sms[0], "one");
	assert_int_equal(osv_notify_sms_claim(other, 100, 30, 4, sms, &err), 1);
	assert_sms_text(&sms[0], "two");
	assert_int_equal(osv_notify_sms_done(other, sms[0].id, true, "m2", 0, 5, &err), 0);
	assert_int_equal(osv_notify_sms_claim(other, 129, 30, 4, sms, &err), 0);
	/* the first instance never settled "one": after its lease the other one sends it */
	assert_int_equal(osv_notify_sms_claim(other, 130, 30, 4, sms, &err), 1);
	assert_sms_text(&sms[0], "one");
	assert_int_equal(sms[0].tries, 2);
	assert_string_equal(sms[0].msisdn, "4917699004");
	assert_int_equal(osv_notify_sms_done(other, sms[0].id, true, "m1", 0, 5, &err), 0);
	assert_int_equal(osv_notify_sms_claim(f->s, 100000, 30, 4, sms, &err), 0);
	/* the receipts reach the parts through either instance */
	assert_int_equal(osv_notify_sms_receipt(f->s, "m1", true, &err), 1);
	assert_int_equal(osv_notify_sms_receipt(other, "m2", false, &err), 1);
	assert_int_equal(osv_notify_sms_receipt(other, "m2", true, &err), 0);
	osv_owner_cleanse(&o);
	osv_store_close(other);
}

/* An SMS waiting when the server is upgraded to the parts queue (v8) is not lost: it becomes one part holding its
 * text, which the engine encodes when it claims it (here with a euro sign: 1B 65 in GSM). One already sent
 * stays sent and is not sent again. */
static void test_notify_sms_upgrade(void **state)
{
	struct fixture *f = *state;
	struct osv_engine_cfg cfg;
	struct osv_outgoing out[4];
	struct sg_error err;
	json_t *list;

	osv_store_close(f->s);
	tamper(f, "DROP TABLE notification_sms; DELETE FROM schema_version WHERE version >= 8;"
		  "INSERT INTO owners (name, pw_hash, totp, notify_msisdn, created_at)"
		  " VALUES ('olga', 'x', x'00', '4917699005', 1);"
		  "INSERT INTO notifications (owner_id, command_id, text, created_at, sms_to, sms_state, sms_next_at,"
		  " sms_tries) VALUES (1, 7, 'sent before', 1, '4917699005', 2, 0, 1),"
		  " (1, 8, 'waiting: 5\xe2\x82\xac', 1, '4917699005', 1, 50, 1);");
	f->s = osv_store_open(f->path, &f->kb, "test-1", &err);
	if (!f->s)
		fail_msg("%s", err.msg);
	osv_engine_cfg_defaults(&cfg);
	assert_int_equal(osv_engine_notify_claim(f->s, &cfg, 4, 49, out, &err), 0); /* its old lease still holds */
	assert_int_equal(osv_engine_notify_claim(f->s, &cfg, 4, 50, out, &err), 1);
	assert_int_equal(out[0].notification_id, 2);
	assert_int_equal(out[0].tries, 2);
	assert_int_equal(out[0].dcs, 0x00);
	assert_int_equal(out[0].ud_len, 12);
	assert_memory_equal(out[0].ud, "waiting: 5\x1b\x65", 12);
	assert_int_equal(osv_engine_submitted(f->s, &cfg, &out[0], true, "m9", NULL, 51, &err), 0);
	list = osv_notifications(f->s, 1, 0, &err);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "sms")), "sent");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "sms")), "sent");
	json_decref(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_sealed_at_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_master_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_bad_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_bad_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_iccid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counter_forward_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counter_durable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_leases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attempt_counter_unique, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_forged_recomputed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_head_and_anchor_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_anchor_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_anchor_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hot_query_plans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_sms_leases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_sms_upgrade, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
