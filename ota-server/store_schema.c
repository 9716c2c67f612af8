/* The store's schema and its numbered migrations. Tables are written once in SQLite's words and translated for
 * PostgreSQL (BIGSERIAL, BIGINT, BYTEA); what differs beyond words (the triggers keeping the audit log
 * append-only) is written per dialect. Each migration runs in one transaction with its version bump. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

struct migration {
	int version;
	const char *tables;    /* both dialects, SQLite words */
	const char *sqlite;    /* SQLite only */
	const char *pg;	       /* PostgreSQL only */
};

static const struct migration migrations[] = {
	{
		.version = 1,
		.tables =
			"CREATE TABLE cards (id INTEGER PRIMARY KEY AUTOINCREMENT, iccid TEXT NOT NULL UNIQUE,"
			" imsi TEXT NOT NULL, msisdn TEXT NOT NULL, tar BLOB NOT NULL, spi BLOB NOT NULL,"
			" kvn INTEGER NOT NULL, dialect INTEGER NOT NULL, counter_state INTEGER NOT NULL DEFAULT 0,"
			" created_at INTEGER NOT NULL);"
			"CREATE INDEX cards_msisdn ON cards(msisdn);"
			"CREATE TABLE keysets (card_id INTEGER NOT NULL REFERENCES cards(id), kvn INTEGER NOT NULL,"
			" kic INTEGER NOT NULL, kid INTEGER NOT NULL, kic_key BLOB NOT NULL, kid_key BLOB NOT NULL,"
			" kik_key BLOB NOT NULL, counter INTEGER NOT NULL, PRIMARY KEY (card_id, kvn));"
			"CREATE TABLE owners (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
			" pw_hash TEXT NOT NULL, totp BLOB NOT NULL, failures INTEGER NOT NULL DEFAULT 0,"
			" locked_until INTEGER NOT NULL DEFAULT 0, notify_msisdn TEXT NOT NULL DEFAULT '',"
			" created_at INTEGER NOT NULL);"
			"CREATE TABLE sessions (token_hash BLOB PRIMARY KEY, owner_id INTEGER NOT NULL"
			" REFERENCES owners(id), expires INTEGER NOT NULL);"
			"CREATE TABLE devices (card_id INTEGER PRIMARY KEY REFERENCES cards(id),"
			" owner_id INTEGER NOT NULL REFERENCES owners(id), label TEXT NOT NULL DEFAULT '',"
			" imei TEXT NOT NULL DEFAULT '', opted_out INTEGER NOT NULL DEFAULT 0,"
			" lock_origin INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,"
			" disabled_at INTEGER NOT NULL DEFAULT 0, last TEXT NOT NULL DEFAULT '{}',"
			" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
			"CREATE INDEX devices_owner ON devices(owner_id);"
			"CREATE TABLE campaigns (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
			" actor TEXT NOT NULL, created_at INTEGER NOT NULL);"
			"CREATE TABLE commands (id INTEGER PRIMARY KEY AUTOINCREMENT, card_id INTEGER NOT NULL"
			" REFERENCES cards(id), kind TEXT NOT NULL, params TEXT NOT NULL, state INTEGER NOT NULL,"
			" actor TEXT NOT NULL, actor_kind INTEGER NOT NULL, approver TEXT NOT NULL DEFAULT '',"
			" campaign_id INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
			" deadline INTEGER NOT NULL, next_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
			" por_status INTEGER NOT NULL DEFAULT -1, detail TEXT NOT NULL DEFAULT '',"
			" result TEXT NOT NULL DEFAULT '', lease_owner TEXT NOT NULL DEFAULT '',"
			" lease_until INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL);"
			"CREATE INDEX commands_due ON commands(state, next_at);"
			"CREATE INDEX commands_card ON commands(card_id, id);"
			"CREATE INDEX commands_campaign ON commands(campaign_id, state);"
			"CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, command_id INTEGER NOT NULL"
			" REFERENCES commands(id), card_id INTEGER NOT NULL, kvn INTEGER NOT NULL,"
			" cntr INTEGER NOT NULL, packet BLOB NOT NULL, sent_at INTEGER NOT NULL,"
			" msgid TEXT NOT NULL DEFAULT '', UNIQUE (card_id, kvn, cntr));"
			"CREATE INDEX attempts_command ON attempts(command_id);"
			"CREATE INDEX attempts_msgid ON attempts(msgid);"
			"CREATE TABLE notifications (id INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER NOT NULL,"
			" command_id INTEGER NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL);"
			"CREATE INDEX notifications_owner ON notifications(owner_id, id);"
			"CREATE TABLE audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
			" client TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, decision TEXT NOT NULL,"
			" status INTEGER NOT NULL, detail TEXT NOT NULL, mac BLOB NOT NULL);"
			"CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,"
			" mac BLOB NOT NULL, head_mac BLOB NOT NULL);",
		.sqlite = "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
			  " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
			  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
			  " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
		.pg = "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
		      " $$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$;"
		      "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
		      " FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
	},
	{
		/* Handset-change reports carry the card's own counter; an owner's secret-derived key rides with
		 * its command (sealed) only while the command may still be sent again. */
		.version = 2,
		.tables = "ALTER TABLE cards ADD COLUMN report_cntr INTEGER NOT NULL DEFAULT 0;"
			  "ALTER TABLE commands ADD COLUMN secret BLOB;",
	},
	{
		/* A card is served by one instance at a time, so its packets leave in counter order. */
		.version = 3,
		.tables = "ALTER TABLE cards ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';"
			  "ALTER TABLE cards ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;",
	},
	{
		/* Notifications also go to the owner's phone by SMS when a number is known (sms_to, copied at the
		 * event): sms_state 0 no number, 1 waiting, 2 sent, 3 failed; sms_next_at is the claim lease. */
		.version = 4,
		.tables = "ALTER TABLE notifications ADD COLUMN sms_to TEXT NOT NULL DEFAULT '';"
			  "ALTER TABLE notifications ADD COLUMN sms_state INTEGER NOT NULL DEFAULT 0;"
			  "ALTER TABLE notifications ADD COLUMN sms_next_at INTEGER NOT NULL DEFAULT 0;"
			  "ALTER TABLE notifications ADD COLUMN sms_tries INTEGER NOT NULL DEFAULT 0;"
			  "CREATE INDEX notifications_sms ON notifications(sms_state, sms_next_at);",
	},
	{
		/* The hot lookups stay O(what they return) however long a card's history grows: a PoR is matched
		 * by the card's open commands (state) and by the counter it echoes, and the dispatcher's claim
		 * reads the cards this instance leases (no scan of every card). */
		.version = 5,
		.tables = "CREATE INDEX attempts_card_cntr ON attempts(card_id, cntr);"
			  "CREATE INDEX commands_card_state ON commands(card_id, state);"
			  "CREATE INDEX cards_lease ON cards(lease_owner, lease_until);",
	},
	{
		/* cards_lease cost more than it saved: every claim rewrites the leased cards' index entries, which
		 * gives the claim a statement journal (half the dispatcher's throughput per CPU second in
		 * bench_otasrv), while the scan it spared is of the cards table once per batch. */
		.version = 6,
		.tables = "DROP INDEX IF EXISTS cards_lease;",
	},
	{
		/* Failed logins under names that are no owner, counted and locked like an owner's (owners.failures,
		 * locked_until), so that a lockout does not tell an enrolled name from an unknown one. */
		.version = 7,
		.tables = "CREATE TABLE login_failures (name TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
			  " locked_until INTEGER NOT NULL);",
	},
	{
		/* A notification's SMS goes as parts (concatenated SMS, or one), each with its own state, tries and
		 * message id (for its delivery receipt): the queue moves from notifications.sms_next_at / sms_tries
		 * to notification_sms. An SMS waiting at the upgrade becomes one part holding its text, encoded
		 * when claimed (OSV_NOTIFY_SMS_TEXT). */
		.version = 8,
		.tables = "CREATE TABLE notification_sms (id INTEGER PRIMARY KEY AUTOINCREMENT,"
			  " notification_id INTEGER NOT NULL REFERENCES notifications(id), seq INTEGER NOT NULL,"
			  " total INTEGER NOT NULL, msisdn TEXT NOT NULL, dcs INTEGER NOT NULL, ud BLOB NOT NULL,"
			  " state INTEGER NOT NULL DEFAULT 1, next_at INTEGER NOT NULL DEFAULT 0,"
			  " tries INTEGER NOT NULL DEFAULT 0, msgid TEXT NOT NULL DEFAULT '',"
			  " UNIQUE (notification_id, seq));"
			  "CREATE INDEX notification_sms_due ON notification_sms(state, next_at);"
			  "CREATE INDEX notification_sms_msgid ON notification_sms(msgid);",
		.sqlite = "INSERT INTO notification_sms (notification_id, seq, total, msisdn, dcs, ud, next_at, tries)"
			  " SELECT id, 1, 1, sms_to, 255, CAST(text AS BLOB), sms_next_at, sms_tries"
			  " FROM notifications WHERE sms_state = 1;",
		.pg = "INSERT INTO notification_sms (notification_id, seq, total, msisdn, dcs, ud, next_at, tries)"
		      " SELECT id, 1, 1, sms_to, 255, convert_to(text, 'UTF8'), sms_next_at, sms_tries"
		      " FROM notifications WHERE sms_state = 1;",
	},
};

/* SQLite words -> PostgreSQL words, whole words only. */
static char *to_pg(const char *sql)
{
	static const char *const from[] = { "INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "BLOB" };
	static const char *const to[] = { "BIGSERIAL PRIMARY KEY", "BIGINT", "BYTEA" };
	size_t cap = strlen(sql) * 2 + 1, o = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	while (*sql) {
		size_t i;

		for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
			size_t n = strlen(from[i]);

			if (!strncmp(sql, from[i], n)) {
				memcpy(out + o, to[i], strlen(to[i]));
				o += strlen(to[i]);
				sql += n;
				break;
			}
		}
		if (i == sizeof(from) / sizeof(from[0]))
			out[o++] = *sql++;
	}
	out[o] = '\0';
	return out;
}

static int current_version(struct osv_store *s, struct sg_error *err)
{
	struct osv_db_stmt *st;
	int v = 0;

	if (osv_db_exec(s->db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err) < 0)
		return -1;
	st = osv_db_prepare(s->db, "SELECT max(version) FROM schema_version", err);
	if (!st)
		return -1;
	if (osv_db_step(st, err) == OSV_DB_ROW && !osv_db_col_null(st, 0))
		v = (int)osv_db_col_int(st, 0);
	osv_db_finalize(st);
	return v;
}

static int apply(struct osv_store *s, const struct migration *m, struct sg_error *err)
{
	char bump[80];
	int rc;

	if (s->db->kind == OSV_DB_PG) {
		char *tables = to_pg(m->tables);

		rc = tables ? osv_db_exec(s->db, tables, err) : sg_err(err, "store: out of memory");
		free(tables);
		if (rc == 0 && m->pg)
			rc = osv_db_exec(s->db, m->pg, err);
	} else {
		rc = osv_db_exec(s->db, m->tables, err);
		if (rc == 0 && m->sqlite)
			rc = osv_db_exec(s->db, m->sqlite, err);
	}
	snprintf(bump, sizeof(bump), "INSERT INTO schema_version (version) VALUES (%d)", m->version);
	return rc == 0 ? osv_db_exec(s->db, bump, err) : -1;
}

int osv_store_migrate(struct osv_store *s, struct sg_error *err)
{
	int v;

	if (osv_db_begin(s->db, err) < 0)
		return -1;
	v = current_version(s, err);
	if (v < 0)
		goto fail;
	if (v > OSV_SCHEMA_VERSION) {
		sg_err(err, "store: database schema version %d is newer than this server (%d)", v,
		       OSV_SCHEMA_VERSION);
		goto fail;
	}
	for (size_t i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++)
		if (migrations[i].version > v && apply(s, &migrations[i], err) < 0)
			goto fail;
	if (v == 0 && osv_db_exec(s->db,
				  s->db->kind == OSV_DB_PG ? "INSERT INTO audit_head VALUES (1, 0, ''::bytea, ''::bytea)"
							   : "INSERT INTO audit_head VALUES (1, 0, x'', x'')",
				  err) < 0)
		goto fail;
	return osv_db_commit(s->db, err);
fail:
	osv_db_rollback(s->db);
	return -1;
}

int osv_store_schema_version(struct osv_store *s)
{
	return current_version(s, NULL);
}
