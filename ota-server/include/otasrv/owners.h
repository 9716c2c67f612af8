/* Device owners: enrolment (Argon2id password hash, TOTP secret per RFC 6238 handed out as an otpauth:// URI),
 * two-factor login into a session token, lockout after repeated failures. A name that is no owner costs the same
 * work (an Argon2id verify against a stand-in hash), gets the same answers and is locked out after as many failures
 * as an owner's name (its failures are kept in the store too), so names cannot be probed. */
#pragma once

#include <stdint.h>

#include "otasrv/store.h"

struct osv_owner_cfg {
	uint32_t argon2_t;     /* iterations */
	uint32_t argon2_m_kib; /* memory */
	uint32_t argon2_p;     /* lanes */
	int max_failures;      /* consecutive failures before the account locks */
	int lockout;	       /* s */
	int session_ttl;       /* s */
	int totp_window;       /* accepted steps either side of now */
};

void osv_owner_cfg_defaults(struct osv_owner_cfg *cfg);

#define OSV_TOKEN_HEX_LEN 64
#define OSV_OTPAUTH_MAX 256

/* Create an owner. uri gets the otpauth:// enrolment URI (holds the TOTP secret: show once, never log).
 * Returns 0, 1 when the input is refused (why filled: name taken, password too short), -1 on error. */
int osv_owner_create(struct osv_store *s, const struct osv_owner_cfg *cfg, const char *name, const char *password,
		     const char *notify_msisdn, int64_t now, char uri[OSV_OTPAUTH_MAX], char *why, size_t why_size,
		     struct sg_error *err);

enum osv_login_result {
	OSV_LOGIN_OK = 0,
	OSV_LOGIN_BAD,	  /* name, password or code wrong */
	OSV_LOGIN_LOCKED, /* too many failures: wait */
	OSV_LOGIN_ERROR,
};

/* Check password and TOTP code; on success a new session token (hex) and *owner_id. *retry_after (s) is set
 * when locked. */
enum osv_login_result osv_owner_login(struct osv_store *s, const struct osv_owner_cfg *cfg, const char *name,
				      const char *password, const char *code, int64_t now,
				      char token[OSV_TOKEN_HEX_LEN + 1], int64_t *owner_id, int64_t *retry_after,
				      struct sg_error *err);

/* The owner a bearer token belongs to: 1 and *owner_id, 0 unknown or expired, -1 error. */
int osv_owner_session(struct osv_store *s, const char *token, int64_t now, int64_t *owner_id, struct sg_error *err);
int osv_owner_logout(struct osv_store *s, const char *token, struct sg_error *err);

/* TOTP code (6 digits) for a secret at a time: for tests and tools. */
int osv_totp_code(const uint8_t *secret, size_t len, int64_t now, char code[7]);
