/* Device owners (owners.h): Argon2id through libargon2, TOTP through liboath, sessions stored by token hash. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <liboath/oath.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "simguard/hex.h"
#include "otasrv/owners.h"

#define TOTP_SECRET_LEN 20
#define SALT_LEN 16

void osv_owner_cfg_defaults(struct osv_owner_cfg *cfg)
{
	/* OWASP's Argon2id baseline: 19 MiB, 2 iterations, 1 lane. */
	cfg->argon2_t = 2;
	cfg->argon2_m_kib = 19456;
	cfg->argon2_p = 1;
	cfg->max_failures = 5;
	cfg->lockout = 900;
	cfg->session_ttl = 3600;
	cfg->totp_window = 1;
}

static int hash_password(const struct osv_owner_cfg *cfg, const char *password, char *out, size_t size)
{
	uint8_t salt[SALT_LEN];

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	return argon2id_hash_encoded(cfg->argon2_t, cfg->argon2_m_kib, cfg->argon2_p, password, strlen(password),
				     salt, sizeof(salt), 32, out, size) == ARGON2_OK
		       ? 0
		       : -1;
}

/* A notify number: empty (no SMS), or 3..20 digits after an optional '+' (dropped: the SMS goes out with the
 * international type of number). Returns the digits, or NULL. */
static const char *notify_number(const char *msisdn)
{
	const char *d = msisdn && msisdn[0] == '+' ? msisdn + 1 : msisdn;
	size_t n = d ? strlen(d) : 0;

	if (!d || (!n && d == msisdn))
		return "";
	return n >= 3 && n <= 20 && strspn(d, "0123456789") == n ? d : NULL;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n >= OSV_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || strchr("._-@", name[i])))
			return false;
	return true;
}

static int otpauth_uri(const char *name, const uint8_t *secret, size_t len, char uri[OSV_OTPAUTH_MAX])
{
	char *b32 = NULL;
	size_t b32len;
	int n;

	if (oath_base32_encode((const char *)secret, len, &b32, &b32len) != OATH_OK)
		return -1;
	/* Base32 padding is not used in otpauth URIs. */
	while (b32len > 0 && b32[b32len - 1] == '=')
		b32[--b32len] = '\0';
	n = snprintf(uri, OSV_OTPAUTH_MAX,
		     "otpauth://totp/simguard:%s?secret=%s&issuer=simguard&algorithm=SHA1&digits=6&period=30", name,
		     b32);
	OPENSSL_cleanse(b32, b32len);
	free(b32);
	return n > 0 && n < OSV_OTPAUTH_MAX ? 0 : -1;
}

int osv_owner_create(struct osv_store *s, const struct osv_owner_cfg *cfg, const char *name, const char *password,
		     const char *notify_msisdn, int64_t now, char uri[OSV_OTPAUTH_MAX], char *why, size_t why_size,
		     struct sg_error *err)
{
	struct osv_owner o = { 0 };
	struct osv_owner existing;
	int rc;

	if (!name_ok(name)) {
		snprintf(why, why_size, "name: 1..63 of letters, digits and . _ - @");
		return 1;
	}
	if (strlen(password) < 10) {
		snprintf(why, why_size, "password: at least 10 characters");
		return 1;
	}
	if (!notify_number(notify_msisdn)) {
		snprintf(why, why_size, "notify_msisdn: 3 to 20 digits, optionally after a '+'");
		return 1;
	}
	rc = osv_owner_get(s, name, &existing, err);
	osv_owner_cleanse(&existing);
	if (rc != 0) {
		if (rc > 0)
			snprintf(why, why_size, "name: %s exists already", name);
		return rc < 0 ? -1 : 1;
	}
	snprintf(o.name, sizeof(o.name), "%s", name);
	snprintf(o.notify_msisdn, sizeof(o.notify_msisdn), "%s", notify_number(notify_msisdn));
	o.totp_len = TOTP_SECRET_LEN;
	if (RAND_bytes(o.totp, TOTP_SECRET_LEN) != 1 || hash_password(cfg, password, o.pw_hash, sizeof(o.pw_hash)) < 0 ||
	    otpauth_uri(name, o.totp, o.totp_len, uri) < 0) {
		osv_owner_cleanse(&o);
		return sg_err(err, "owner: cannot make the credentials");
	}
	rc = osv_owner_insert(s, &o, now, err);
	osv_owner_cleanse(&o);
	return rc;
}

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;

static void oath_start(void)
{
	oath_init();
}

int osv_totp_code(const uint8_t *secret, size_t len, int64_t now, char code[7])
{
	pthread_once(&oath_once, oath_start);
	return oath_totp_generate((const char *)secret, len, (time_t)now, OATH_TOTP_DEFAULT_TIME_STEP_SIZE, 0, 6,
				  code) == OATH_OK
		       ? 0
		       : -1;
}

static bool totp_ok(const struct osv_owner *o, const char *code, int64_t now, int window)
{
	if (strlen(code) != 6)
		return false;
	pthread_once(&oath_once, oath_start);
	return oath_totp_validate((const char *)o->totp, o->totp_len, (time_t)now, OATH_TOTP_DEFAULT_TIME_STEP_SIZE,
				  0, (size_t)window, code) >= 0;
}

static void token_hash(const char *token, uint8_t out[32])
{
	unsigned int n = 32;

	EVP_Digest(token, strlen(token), out, &n, EVP_sha256(), NULL);
}

/* The stand-in for a name that is no owner: the hash of a random password made with the configured Argon2id cost
 * and a random TOTP secret, so that checking a login against it costs what checking an owner's costs. Made at the
 * first login of any name (and again when the cost changes), so that this first login is not told apart either. */
static struct {
	pthread_mutex_t lock;
	uint32_t t, m, p;
	char pw_hash[192];
	uint8_t totp[TOTP_SECRET_LEN];
} dummy = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int dummy_owner(const struct osv_owner_cfg *cfg, struct osv_owner *o)
{
	uint8_t pw[32];
	char pw_hex[65];
	int rc = 0;

	pthread_mutex_lock(&dummy.lock);
	if (!dummy.pw_hash[0] || dummy.t != cfg->argon2_t || dummy.m != cfg->argon2_m_kib || dummy.p != cfg->argon2_p) {
		rc = RAND_bytes(pw, sizeof(pw)) == 1 && RAND_bytes(dummy.totp, sizeof(dummy.totp)) == 1 ? 0 : -1;
		sg_hex_encode(pw, sizeof(pw), pw_hex, sizeof(pw_hex));
		if (rc == 0)
			rc = hash_password(cfg, pw_hex, dummy.pw_hash, sizeof(dummy.pw_hash));
		dummy.t = cfg->argon2_t;
		dummy.m = cfg->argon2_m_kib;
		dummy.p = cfg->argon2_p;
		if (rc < 0)
			dummy.pw_hash[0] = '\0';
		OPENSSL_cleanse(pw, sizeof(pw));
		OPENSSL_cleanse(pw_hex, sizeof(pw_hex));
	}
	if (o) {
		memset(o, 0, sizeof(*o));
		memcpy(o->pw_hash, dummy.pw_hash, sizeof(o->pw_hash));
		memcpy(o->totp, dummy.totp, sizeof(dummy.totp));
		o->totp_len = sizeof(dummy.totp);
	}
	pthread_mutex_unlock(&dummy.lock);
	return rc;
}

/* Who is logging in: the owner of that name (1), or the stand-in carrying the failures counted under a name that
 * is no owner (0); -1 on error. */
static int login_subject(struct osv_store *s, const struct osv_owner_cfg *cfg, const char *name, struct osv_owner *o,
			 struct sg_error *err)
{
	int rc;

	if (dummy_owner(cfg, NULL) < 0)
		return sg_err(err, "owner: cannot make the stand-in credentials");
	rc = osv_owner_get(s, name, o, err);
	if (rc != 0)
		return rc;
	if (dummy_owner(cfg, o) < 0 || osv_login_failures_get(s, name, &o->failures, &o->locked_until, err) < 0)
		return -1;
	snprintf(o->name, sizeof(o->name), "%s", name);
	return 0;
}

/* One more failure; the limit locks the account (or the name that is no owner) for the lockout time. */
static enum osv_login_result failed(struct osv_store *s, const struct osv_owner_cfg *cfg, struct osv_owner *o,
				    bool known, int64_t now, int64_t *retry_after, struct sg_error *err)
{
	int failures = o->failures + 1;
	int64_t until = failures >= cfg->max_failures ? now + cfg->lockout : 0;
	int rc = known ? osv_owner_set_failures(s, o->id, until ? 0 : failures, until, err)
		       : osv_login_failures_set(s, o->name, until ? 0 : failures, until, err);

	if (rc < 0)
		return OSV_LOGIN_ERROR;
	if (until) {
		*retry_after = cfg->lockout;
		return OSV_LOGIN_LOCKED;
	}
	return OSV_LOGIN_BAD;
}

static enum osv_login_result new_session(struct osv_store *s, const struct osv_owner_cfg *cfg,
					 const struct osv_owner *o, int64_t now, char token[OSV_TOKEN_HEX_LEN + 1],
					 struct sg_error *err)
{
	uint8_t raw[32], hash[32];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return OSV_LOGIN_ERROR;
	sg_hex_encode(raw, sizeof(raw), token, OSV_TOKEN_HEX_LEN + 1);
	OPENSSL_cleanse(raw, sizeof(raw));
	token_hash(token, hash);
	if (osv_owner_set_failures(s, o->id, 0, 0, err) < 0 ||
	    osv_session_insert(s, hash, o->id, now + cfg->session_ttl, err) < 0)
		return OSV_LOGIN_ERROR;
	return OSV_LOGIN_OK;
}

enum osv_login_result osv_owner_login(struct osv_store *s, const struct osv_owner_cfg *cfg, const char *name,
				      const char *password, const char *code, int64_t now,
				      char token[OSV_TOKEN_HEX_LEN + 1], int64_t *owner_id, int64_t *retry_after,
				      struct sg_error *err)
{
	struct osv_owner o;
	enum osv_login_result r;
	int known = login_subject(s, cfg, name, &o, err), rc;

	*retry_after = 0;
	if (known < 0) {
		osv_owner_cleanse(&o);
		return OSV_LOGIN_ERROR;
	}
	/* From here on a name that is no owner takes the same steps as an owner's name with a wrong password. */
	if (o.locked_until > now) {
		*retry_after = o.locked_until - now;
		osv_owner_cleanse(&o);
		return OSV_LOGIN_LOCKED;
	}
	/* Both factors are always checked, so a failure does not say which one was wrong. */
	rc = argon2id_verify(o.pw_hash, password, strlen(password)) == ARGON2_OK;
	rc &= totp_ok(&o, code, now, cfg->totp_window);
	if (rc && known) {
		r = new_session(s, cfg, &o, now, token, err);
		*owner_id = o.id;
	} else {
		r = failed(s, cfg, &o, known, now, retry_after, err);
	}
	osv_owner_cleanse(&o);
	return r;
}

int osv_owner_session(struct osv_store *s, const char *token, int64_t now, int64_t *owner_id, struct sg_error *err)
{
	uint8_t hash[32];

	if (strlen(token) != OSV_TOKEN_HEX_LEN)
		return 0;
	token_hash(token, hash);
	return osv_session_owner(s, hash, now, owner_id, err);
}

int osv_owner_logout(struct osv_store *s, const char *token, struct sg_error *err)
{
	uint8_t hash[32];

	token_hash(token, hash);
	return osv_session_delete(s, hash, err);
}
