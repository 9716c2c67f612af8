/* Who may ask for what, and turning an authorised request into a stored command. The authorisation matrix
 * (X.1127 §8.3, Appendix I.2): owners act only on their own devices (2FA session), cannot lift an operator's
 * lock and cannot opt out, unlock or re-enrol without their secret; agents may locate, ring, message, lock and ask
 * for status; supervisors may also disable, wipe, unlock an operator lock and manage card files; an operator's
 * DISABLE or WIPE waits for a second operator's approval. The owner is notified of every command. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "otasrv/json_check.h"
#include "otasrv/store.h"

/* Who is asking. name is what the audit log and notifications show ("owner:alice", "operator:Jane Agent"). */
struct osv_actor {
	enum osv_actor_kind kind;
	char name[OSV_NAME_MAX + 16];
	int64_t owner_id; /* owners only */
};

/* Outcome of a request: an HTTP-style status (202 accepted, 400, 403, 404, 409) and a one-line reason. */
struct osv_outcome {
	int status;
	char why[192];
	int64_t command_id;
	enum osv_cmd_state state;
};

/* Policy for one command kind, in one table. */
struct osv_cmd_policy {
	const char *kind;
	bool owner, agent, supervisor;
	bool approval;	       /* operator-initiated: a second operator must approve */
	bool owner_secret;     /* an owner must give their secret (owner proof) */
	bool refused_opted_out; /* the card answers OO while the owner opted out */
	const char *params;    /* the body fields this command takes, space separated */
};
const struct osv_cmd_policy *osv_cmd_policy(const char *kind);

/* Validate, authorise and store one command for the card with this ICCID (inside the caller's transaction,
 * which also writes the audit entry). body is the request object (already checked against the field table).
 * deadline: seconds from now. campaign_id 0: none. Owner secrets are turned into keys here and stored sealed
 * with the command. */
int osv_command_request(struct osv_store *s, const struct osv_actor *a, const char *iccid, json_t *body,
			int64_t now, int deadline, int64_t campaign_id, struct osv_outcome *out, struct sg_error *err);

/* A second operator approves a waiting DISABLE / WIPE (not the one who asked, and one allowed to send it). */
int osv_command_approve(struct osv_store *s, const struct osv_actor *a, int64_t id, int64_t now,
			struct osv_outcome *out, struct sg_error *err);

/* Read access: may this actor see this command / card? */
bool osv_actor_may_see(struct osv_store *s, const struct osv_actor *a, int64_t card_id);

/* The JSON fields a command request body may have (for osv_json_check). */
extern const struct osv_jfield osv_command_fields[];
