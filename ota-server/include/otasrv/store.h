/* The OTA server's storage interface: cards and their keysets (keys sealed under the master key), OTA counters,
 * owners and their sessions, devices, commands with their send attempts, campaigns, notifications and the
 * hash-chained audit log. Written once over the SQL driver interface (db.h), so the SQLite backend and the
 * PostgreSQL one share every query; schema migrations are numbered and applied at open.
 *
 * Several server instances may share one database: a counter is taken with one UPDATE ... RETURNING (the row
 * lock serialises instances), and commands are claimed with a lease (instance id, expiry) taken by one UPDATE
 * over a SKIP LOCKED selection on PostgreSQL, so two instances never work on one command at once. Cards are
 * leased the same way before their commands, so one card's packets leave from one instance, in counter order
 * (a card with "counter must be higher" would refuse a lower counter overtaken by a higher one).
 *
 * Getters return 1 found, 0 not found, -1 error (err filled). Mutators return 0 or -1. Times are Unix seconds
 * chosen by the caller. Nothing here logs, and no key ever leaves except through osv_keyset_load(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "simguard/secured_packet.h"
#include "simguard/sg_error.h"
#include "otasrv/keybox.h"

#define OSV_SCHEMA_VERSION 8
#define OSV_MAX_KVN 15
#define OSV_NAME_MAX 64

struct osv_store;
struct osv_db;

/* Open (creating or migrating the schema). kb seals and opens keys; instance names this server for leases. */
struct osv_store *osv_store_open(const char *uri, const struct osv_keybox *kb, const char *instance,
				 struct sg_error *err);
void osv_store_close(struct osv_store *s);
int osv_store_schema_version(struct osv_store *s);
struct osv_db *osv_store_db(struct osv_store *s);

/* One transaction around several calls (nests). */
int osv_store_begin(struct osv_store *s, struct sg_error *err);
int osv_store_commit(struct osv_store *s, struct sg_error *err);
void osv_store_rollback(struct osv_store *s);

/* Group commit (see osv_db_group_begin): the HTTPS API's requests of one event-loop pass share one transaction,
 * each request a savepoint of its own. Whoever else begins a transaction while a group is open (the dispatcher,
 * the SMPP link) first has settle(arg) run, which must close the group (commit it and answer its requests), so
 * that work outside the group never rides in it and nothing is sent before its own commit is durable. Requests
 * mark their span with osv_store_group_unit so their own transactions join the group. */
void osv_store_group_settler(struct osv_store *s, void (*settle)(void *arg), void *arg);
int osv_store_group_begin(struct osv_store *s, struct sg_error *err);
int osv_store_group_commit(struct osv_store *s, struct sg_error *err);
bool osv_store_group_open(const struct osv_store *s);
void osv_store_group_unit(struct osv_store *s, bool inside);

/* ---- cards and keysets ---- */

enum osv_counter_state {
	OSV_CNTR_OK = 0,
	OSV_CNTR_DRIFT,   /* the card said "counter low/high": needs a supervised resynchronisation */
	OSV_CNTR_BLOCKED, /* the card's counter reached its maximum */
};
const char *osv_counter_state_name(enum osv_counter_state st);

struct osv_card {
	int64_t id;
	char iccid[21];
	char imsi[16];
	char msisdn[21];
	uint8_t tar[3];	 /* the anti-theft applet's TAR */
	uint8_t spi[2];	 /* SPI for commands to this card */
	uint8_t kvn;	 /* keyset used for commands */
	enum sp_dialect dialect;
	enum osv_counter_state counter_state;
};

/* One keyset as imported: algorithms are the low nibbles of KIc / KID (sp: 1 DES, 5 3DES2, 9 3DES3, 2 AES). */
struct osv_keyset_in {
	uint8_t kvn;
	uint8_t kic_alg, kid_alg;
	struct sp_key kic, kid, kik;
	uint64_t counter; /* the last counter value used with this keyset */
};

struct osv_card_import {
	struct osv_card card;
	struct osv_keyset_in ks[OSV_MAX_KVN];
	int n_ks;
};

/* A keyset ready to secure a packet: KIc / KID bytes (key version and algorithm) and the keys. Cleanse after use. */
struct osv_keyset {
	uint8_t kvn;
	uint8_t kic, kid;
	struct sp_keys keys;
	uint64_t counter;
};

/* Insert one card with its keysets (keys sealed). -1 with "iccid ...: already imported" for a duplicate. */
int osv_card_insert(struct osv_store *s, const struct osv_card_import *ci, int64_t now, struct sg_error *err);
int osv_card_get(struct osv_store *s, const char *iccid, struct osv_card *c, struct sg_error *err);
int osv_card_get_by_id(struct osv_store *s, int64_t id, struct osv_card *c, struct sg_error *err);
int osv_card_get_by_msisdn(struct osv_store *s, const char *msisdn, struct osv_card *c, struct sg_error *err);
int osv_card_set_counter_state(struct osv_store *s, int64_t card_id, enum osv_counter_state st,
			       struct sg_error *err);
/* Accept a handset-change report's counter only when it is above every one seen from this card: 1 accepted
 * (and kept), 0 replayed or old, -1 error. */
int osv_card_report_cntr(struct osv_store *s, int64_t card_id, uint64_t cntr, struct sg_error *err);
/* Cards as JSON (never keys): iccid, imsi, msisdn, tar, spi, kvn, dialect, counter_state, keysets[kvn, kic,
 * kid, counter], owner. Array of cards with iccid > after, at most limit. */
json_t *osv_card_list(struct osv_store *s, const char *after, int limit, struct sg_error *err);
json_t *osv_card_json(struct osv_store *s, const struct osv_card *c, struct sg_error *err);

/* Open the keys of a card's keyset. */
int osv_keyset_load(struct osv_store *s, const struct osv_card *c, uint8_t kvn, struct osv_keyset *ks,
		    struct sg_error *err);
void osv_keyset_cleanse(struct osv_keyset *ks);

/* Take the next counter of (card, kvn): one UPDATE ... RETURNING. Returns 0 with *cntr, 1 when the counter is
 * exhausted (blocked for good), -1 on error. The caller commits before the packet carrying it leaves. */
int osv_counter_next(struct osv_store *s, int64_t card_id, uint8_t kvn, uint64_t *cntr, struct sg_error *err);
/* Supervised resynchronisation: set the last-used counter to value, which must not be below the current one
 * (a counter never goes back). Returns 0, 1 when value is lower, -1 on error. *old gets the previous value. */
int osv_counter_resync(struct osv_store *s, int64_t card_id, uint8_t kvn, uint64_t value, uint64_t *old,
		       struct sg_error *err);

/* ---- owners, sessions ---- */

struct osv_owner {
	int64_t id;
	char name[OSV_NAME_MAX];
	char pw_hash[192];	/* Argon2id encoded string */
	uint8_t totp[32];	/* TOTP secret (opened) */
	size_t totp_len;
	int failures;
	int64_t locked_until;
	char notify_msisdn[21];
};

int osv_owner_insert(struct osv_store *s, struct osv_owner *o, int64_t now, struct sg_error *err);
int osv_owner_get(struct osv_store *s, const char *name, struct osv_owner *o, struct sg_error *err);
int osv_owner_get_by_id(struct osv_store *s, int64_t id, struct osv_owner *o, struct sg_error *err);
int osv_owner_set_failures(struct osv_store *s, int64_t id, int failures, int64_t locked_until,
			   struct sg_error *err);
void osv_owner_cleanse(struct osv_owner *o);
/* Failed logins under a name that is no owner, kept like an owner's failures and lockout so that neither tells
 * names apart. get: 1 and the values, 0 none yet (*failures and *locked_until 0). Enrolling the name drops them. */
int osv_login_failures_get(struct osv_store *s, const char *name, int *failures, int64_t *locked_until,
			   struct sg_error *err);
int osv_login_failures_set(struct osv_store *s, const char *name, int failures, int64_t locked_until,
			   struct sg_error *err);
json_t *osv_owner_list(struct osv_store *s, struct sg_error *err);

/* Sessions are stored by the SHA-256 of their token, so a database reader cannot log in with one. */
int osv_session_insert(struct osv_store *s, const uint8_t token_hash[32], int64_t owner_id, int64_t expires,
		       struct sg_error *err);
/* 1 and *owner_id when the session exists and has not expired. */
int osv_session_owner(struct osv_store *s, const uint8_t token_hash[32], int64_t now, int64_t *owner_id,
		      struct sg_error *err);
int osv_session_delete(struct osv_store *s, const uint8_t token_hash[32], struct sg_error *err);

/* ---- devices (a registered card in an owner's phone) ---- */

enum osv_lock_origin {
	OSV_LOCK_NONE = 0,
	OSV_LOCK_OWNER,
	OSV_LOCK_OPERATOR,
};

struct osv_device {
	int64_t card_id;
	int64_t owner_id;
	char label[OSV_NAME_MAX];
	char imei[17];
	bool opted_out;
	enum osv_lock_origin lock_origin;
	bool disabled;
};

int osv_device_register(struct osv_store *s, const struct osv_device *d, int64_t now, struct sg_error *err);
int osv_device_get(struct osv_store *s, int64_t card_id, struct osv_device *d, struct sg_error *err);
int osv_device_update(struct osv_store *s, const struct osv_device *d, int64_t now, struct sg_error *err);
/* Merge a result object (location, imei, state, handset change) into the device's last known state. */
int osv_device_record_result(struct osv_store *s, int64_t card_id, const char *kind, json_t *result, int64_t now,
			     struct sg_error *err);
/* Devices as JSON: iccid, msisdn, owner, label, imei, opted_out, lock, disabled, last (results by kind).
 * owner_id < 0: all devices. */
json_t *osv_device_list(struct osv_store *s, int64_t owner_id, struct sg_error *err);
/* IMEIs of disabled devices, for an EIR / CEIR block list: [{imei, iccid, msisdn, since}]. */
json_t *osv_device_blocklist(struct osv_store *s, struct sg_error *err);

/* ---- commands and attempts ---- */

enum osv_cmd_state {
	OSV_CMD_AWAITING_APPROVAL = 0,
	OSV_CMD_QUEUED,
	OSV_CMD_SUBMITTED,
	OSV_CMD_DELIVERED,
	OSV_CMD_CONFIRMED,
	OSV_CMD_REJECTED,
	OSV_CMD_EXPIRED,
	OSV_CMD_CANCELLED,
	OSV_CMD_STATE_COUNT,
};
const char *osv_cmd_state_name(enum osv_cmd_state st);
bool osv_cmd_state_final(enum osv_cmd_state st);

enum osv_actor_kind {
	OSV_ACTOR_OWNER = 0,
	OSV_ACTOR_AGENT,
	OSV_ACTOR_SUPERVISOR,
};
const char *osv_actor_kind_name(enum osv_actor_kind k);

#define OSV_CMD_KIND_MAX 16
#define OSV_PARAMS_MAX 1024

struct osv_command {
	int64_t id;
	int64_t card_id;
	char kind[OSV_CMD_KIND_MAX];
	char params[OSV_PARAMS_MAX]; /* JSON object text */
	enum osv_cmd_state state;
	char actor[OSV_NAME_MAX + 16];
	enum osv_actor_kind actor_kind;
	char approver[OSV_NAME_MAX + 16];
	int64_t campaign_id; /* 0: none */
	int64_t created, deadline, next_at;
	int attempts;
	int por_status; /* -1: no PoR yet */
	char detail[160];
};

/* Insert; *id gets the new id. */
int osv_cmd_insert(struct osv_store *s, struct osv_command *c, struct sg_error *err);
int osv_cmd_get(struct osv_store *s, int64_t id, struct osv_command *c, struct sg_error *err);
/* Set state, PoR status (-1 leaves it), detail (NULL leaves it), next time to look at it (0 leaves it);
 * the lease is released. A final state erases the command's secret. */
int osv_cmd_update(struct osv_store *s, int64_t id, enum osv_cmd_state st, int por_status, const char *detail,
		   int64_t next_at, struct sg_error *err);
/* The owner-secret material a command needs at every send (sealed, bound to the command id). get: 1 found. */
#define OSV_CMD_SECRET_LEN 65
int osv_cmd_set_secret(struct osv_store *s, int64_t id, const uint8_t secret[OSV_CMD_SECRET_LEN],
		       struct sg_error *err);
int osv_cmd_get_secret(struct osv_store *s, int64_t id, uint8_t secret[OSV_CMD_SECRET_LEN], struct sg_error *err);
int osv_cmd_approve(struct osv_store *s, int64_t id, const char *approver, int64_t now, struct sg_error *err);
/* Attach a result object (JSON) to a command. */
int osv_cmd_set_result(struct osv_store *s, int64_t id, json_t *result, struct sg_error *err);
/* Claim up to max commands that are due (queued, or submitted / delivered whose retry or deadline time came) and
 * not leased by a live instance: they are leased to this instance until now + lease. ids[] receives them in id
 * order. Returns the number claimed or -1. */
int osv_cmd_claim(struct osv_store *s, int64_t now, int lease, int max, int64_t *ids, struct sg_error *err);
/* Release the leases this instance holds (at start, after a crash of a previous run with the same id). */
int osv_cmd_release_mine(struct osv_store *s, struct sg_error *err);
/* Counts by state (campaign_id > 0: of that campaign; 0: all). */
int osv_cmd_counts(struct osv_store *s, int64_t campaign_id, int64_t counts[OSV_CMD_STATE_COUNT],
		   struct sg_error *err);
/* JSON view of one command (incl. attempts and result) / of a list (card_id or campaign_id > 0 filter,
 * owner_id > 0: only that owner's devices; newest first, at most limit). */
json_t *osv_cmd_json(struct osv_store *s, const struct osv_command *c, struct sg_error *err);
json_t *osv_cmd_list(struct osv_store *s, int64_t card_id, int64_t campaign_id, int64_t owner_id, int limit,
		     struct sg_error *err);

struct osv_attempt {
	int64_t id;
	int64_t command_id;
	uint8_t kvn;
	uint64_t cntr;
	int64_t sent_at;
	char msgid[65];
};

int osv_attempt_insert(struct osv_store *s, struct osv_attempt *a, const uint8_t *pkt, size_t len,
		       struct sg_error *err);
int osv_attempt_set_msgid(struct osv_store *s, int64_t attempt_id, const char *msgid, struct sg_error *err);
/* The attempt carrying counter cntr to a card (a PoR echoes it). */
int osv_attempt_by_cntr(struct osv_store *s, int64_t card_id, uint64_t cntr, struct osv_attempt *a,
			struct sg_error *err);
/* The latest attempt of a card whose command is still waiting for its PoR (for PoRs with a zeroed counter). */
int osv_attempt_latest_open(struct osv_store *s, int64_t card_id, struct osv_attempt *a, struct sg_error *err);
int osv_attempt_by_msgid(struct osv_store *s, const char *msgid, struct osv_attempt *a, struct sg_error *err);
/* A command's attempts, oldest first, as JSON (never a key): [{id, kvn, cntr, sent_at, msgid, packet}], packet
 * the secured command packet in hex from CPL on (what follows the SMS user data header 02 70 00). */
json_t *osv_attempt_list(struct osv_store *s, int64_t command_id, struct sg_error *err);
/* Every counter ever sent to (card, kvn), ascending (for the crash test and audits). */
json_t *osv_attempt_counters(struct osv_store *s, int64_t card_id, uint8_t kvn, struct sg_error *err);

/* ---- campaigns ---- */
int osv_campaign_insert(struct osv_store *s, const char *kind, const char *actor, int64_t now, int64_t *id,
			struct sg_error *err);
json_t *osv_campaign_json(struct osv_store *s, int64_t id, struct sg_error *err);

/* ---- notifications to owners: kept for the API; by SMS too when the owner has a notify number ---- */
/* An SMS part's state, and a notification's: the least advanced of its parts' (failed, undelivered, waiting,
 * sent, delivered - in that order). */
enum osv_sms_state {
	OSV_SMS_NONE = 0,    /* the owner gave no notify number */
	OSV_SMS_WAITING,     /* to be sent, or sent and not answered yet */
	OSV_SMS_SENT,	     /* the SMSC accepted it */
	OSV_SMS_FAILED,	     /* refused too often: given up */
	OSV_SMS_DELIVERED,   /* the SMSC's delivery receipt: on the phone */
	OSV_SMS_UNDELIVERED, /* the SMSC's delivery receipt: could not be delivered (expired, rejected ...) */
};
const char *osv_sms_state_name(enum osv_sms_state st);

/* Keep a notification for the owner: *id gets its id, sms_to the owner's notify number when there is one (the
 * caller then queues the SMS with osv_notify_sms_add), else "". */
int osv_notify(struct osv_store *s, int64_t owner_id, int64_t command_id, const char *text, int64_t now,
	       int64_t *id, char sms_to[21], struct sg_error *err);
/* The owner's notifications with id > after_id: [{id, command, text, at, sms (when a number was known)}]. */
json_t *osv_notifications(struct osv_store *s, int64_t owner_id, int64_t after_id, struct sg_error *err);

/* A part made by the v7 migration from an SMS that was waiting at the upgrade: ud is the notification's UTF-8
 * text, still to be encoded. */
#define OSV_NOTIFY_SMS_TEXT 0xFF

/* One SMS of a notification (a concatenated text has several, each sent, retried and receipted alone). */
struct osv_notify_sms {
	int64_t id; /* the part's own */
	int64_t notification_id;
	int seq, total; /* part seq (1..) of total */
	char msisdn[21];
	uint8_t dcs; /* SMPP data_coding of ud, or OSV_NOTIFY_SMS_TEXT */
	uint8_t ud[256];
	size_t ud_len;
	int tries; /* this one included */
};
/* Queue one SMS part (state waiting, due now). */
int osv_notify_sms_add(struct osv_store *s, const struct osv_notify_sms *sms, struct sg_error *err);
/* Claim up to max SMS parts waiting to be sent, oldest first; none of them is claimed again before now + lease
 * unless settled. Returns how many, or -1. */
int osv_notify_sms_claim(struct osv_store *s, int64_t now, int lease, int max, struct osv_notify_sms *out,
			 struct sg_error *err);
/* Settle a claimed part: accepted -> sent (msgid kept for its receipt); refused -> waiting again from retry_at,
 * or failed once it was tried max_tries times. Its notification's state follows. */
int osv_notify_sms_done(struct osv_store *s, int64_t id, bool accepted, const char *msgid, int64_t retry_at,
			int max_tries, struct sg_error *err);
/* A delivery receipt: the sent part with this message id (if exactly one has it - some SMSCs give every message
 * the same id) becomes delivered or undelivered, and its notification follows. 1 when a part took it, else 0. */
int osv_notify_sms_receipt(struct osv_store *s, const char *msgid, bool delivered, struct sg_error *err);

/* ---- audit log: append-only, each entry MACed over the previous entry's MAC (HMAC-SHA256, audit key) ---- */

struct osv_audit_entry {
	int64_t at;
	const char *actor;    /* "owner:alice", "operator:CN", "anonymous" */
	const char *client;   /* peer address */
	const char *action;   /* "POST /v1/devices/8949.../commands" */
	const char *target;   /* what it was about (ICCID, command id), may be "" */
	const char *decision; /* "allowed", "denied", "invalid", "error" */
	int status;	      /* HTTP status answered */
	const char *detail;
};

int osv_audit_append(struct osv_store *s, const struct osv_audit_entry *e, struct sg_error *err);

struct osv_audit_problem {
	int64_t seq; /* the first entry that does not verify (0: none) */
	char what[192];
};

#define OSV_AUDIT_HASH_LEN 32
#define OSV_AUDIT_ANCHOR_STRLEN (21 + 1 + 2 * OSV_AUDIT_HASH_LEN + 1)

/* An entry's seq and MAC, exported to somewhere the database holder cannot rewrite ("SEQ:HEX" as text). */
struct osv_audit_anchor {
	int64_t seq;
	uint8_t hash[OSV_AUDIT_HASH_LEN];
};

/* Walk the chain: a changed entry fails its MAC, a removed one leaves a gap in seq, a reordered one breaks the
 * link to its predecessor, a truncated tail disagrees with the head record. Returns 0 intact, 1 problem (p
 * filled), -1 error. *count gets the number of entries. */
int osv_audit_verify(struct osv_store *s, struct osv_audit_problem *p, int64_t *count, struct sg_error *err);
/* The same, and the chain must still hold each anchor exactly: an entry at an anchor's seq with another MAC (the
 * chain was rewritten with the key) or no entry there (cut off) is a problem whose text names the anchor. */
int osv_audit_verify_anchored(struct osv_store *s, const struct osv_audit_anchor *anchors, size_t n_anchors,
			      struct osv_audit_problem *p, int64_t *count, struct sg_error *err);
/* The latest entry as an anchor, and its time: 1, 0 when the log is empty, -1 error. */
int osv_audit_head(struct osv_store *s, struct osv_audit_anchor *head, int64_t *at, struct sg_error *err);
/* "SEQ:HASH" (seq >= 1, 64 hex digits): 0, or -1 with err naming the anchor and what is wrong. */
int osv_audit_anchor_parse(const char *text, struct osv_audit_anchor *a, struct sg_error *err);
void osv_audit_anchor_format(const struct osv_audit_anchor *a, char out[OSV_AUDIT_ANCHOR_STRLEN]);
/* Entries with seq > after, at most limit, as JSON. */
json_t *osv_audit_list(struct osv_store *s, int64_t after, int limit, struct sg_error *err);
