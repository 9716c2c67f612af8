/* TLS for the HTTPS API (server.h): X.1127 Appendix V - TLS 1.2 or later, no RC4, no MD5 or SHA-1 HMAC suites,
 * at least 112-bit strength (OpenSSL security level 2), TLS_RSA_WITH_AES_128_CBC_SHA256 only when enabled;
 * X.509 v3 client certificates checked against the operators' CA and CRL; a new CRL file is taken up while the
 * server runs. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "otasrv/server.h"

/* TLS 1.2 suites: ECDHE / DHE with AEAD ciphers only, so no suite carries an MD5 or SHA-1 HMAC. */
static const char tls12_suites[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
				   "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
				   "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
				   "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

/* Signature algorithms (X.1127 V.2.3: SHA-256 or stronger), for the server's own handshake signature and those it
 * accepts from an operator's client certificate (the CertificateRequest list). OpenSSL's default list would still
 * offer SHA-224 and DSA to clients. */
static const char strong_sigalgs[] = "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ed25519:ed448:"
				     "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
				     "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
				     "RSA+SHA256:RSA+SHA384:RSA+SHA512";

/* The weakest strength allowed: security level 2 (X.1127 V.3.3: RSA/DSA keys of 2048 bits or more). */
#define MIN_SECURITY_BITS 112

static int ssl_fail(struct sg_error *err, const char *what, const char *file)
{
	unsigned long e = ERR_get_error();
	char buf[120];

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return sg_err(err, "%s %s: %s", what, file, e ? buf : "failed");
}

/* Accept the handshake whatever the client certificate's verdict: the request handler reads
 * SSL_get_verify_result() and answers 403, so that a revoked operator's attempt is in the audit log. */
static int verify_later(int ok, X509_STORE_CTX *ctx)
{
	return 1;
}

static int load_crl(X509_STORE *store, const char *file, struct sg_error *err)
{
	X509_CRL *crl = NULL;
	BIO *bio = BIO_new_file(file, "r");
	int n = 0;

	if (!bio)
		return ssl_fail(err, "crl", file);
	/* PEM (several CRLs possible) or DER. */
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL))) {
		X509_STORE_add_crl(store, crl);
		X509_CRL_free(crl);
		n++;
	}
	if (n == 0) {
		ERR_clear_error();
		BIO_reset(bio);
		crl = d2i_X509_CRL_bio(bio, NULL);
		if (crl) {
			X509_STORE_add_crl(store, crl);
			X509_CRL_free(crl);
			n++;
		}
	}
	BIO_free(bio);
	ERR_clear_error();
	if (n == 0)
		return sg_err(err, "crl %s: no CRL in it (PEM or DER)", file);
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	return 0;
}

/* The server certificate's key and signature against X.1127 V.2.3 / V.3.3, before OpenSSL refuses them with a
 * terse "ee key too small" / "ca md too weak": the message names the key size or the digest. */
static int check_strength(const char *file, struct sg_error *err)
{
	BIO *bio = BIO_new_file(file, "r");
	X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = cert ? X509_get0_pubkey(cert) : NULL;
	int rc = 0, mdnid = NID_undef, sigbits = -1;

	BIO_free(bio);
	if (!key) {
		X509_free(cert);
		return ssl_fail(err, "certificate", file);
	}
	if (EVP_PKEY_get_security_bits(key) < MIN_SECURITY_BITS)
		rc = sg_err(err, "certificate %s: %s key of %d bits, too weak (RSA/DSA need 2048 bits or more, EC 224)",
			    file, EVP_PKEY_get0_type_name(key), EVP_PKEY_get_bits(key));
	else if (X509_get_signature_info(cert, &mdnid, NULL, &sigbits, NULL) == 1 && sigbits >= 0 &&
		 sigbits < MIN_SECURITY_BITS)
		rc = sg_err(err, "certificate %s: signed with %s, too weak (SHA-256 or stronger needed)", file,
			    mdnid == NID_undef ? "an unknown digest" : OBJ_nid2sn(mdnid));
	X509_free(cert);
	ERR_clear_error();
	return rc;
}

static int client_auth(SSL_CTX *ctx, const struct osv_server_cfg *cfg, struct sg_error *err)
{
	STACK_OF(X509_NAME) *names;

	if (!cfg->client_ca_file[0])
		return 0;
	if (SSL_CTX_load_verify_locations(ctx, cfg->client_ca_file, NULL) != 1)
		return ssl_fail(err, "client-ca", cfg->client_ca_file);
	names = SSL_load_client_CA_file(cfg->client_ca_file);
	if (names)
		SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_later);
	if (cfg->crl_file[0])
		return load_crl(SSL_CTX_get_cert_store(ctx), cfg->crl_file, err);
	return 0;
}

/* The CRL file's identity: modification time and size. */
static bool crl_stat(const char *file, struct osv_crl_watch *w)
{
	struct stat st;

	if (stat(file, &st) < 0)
		return false;
	w->mtime_s = st.st_mtim.tv_sec;
	w->mtime_ns = st.st_mtim.tv_nsec;
	w->size = st.st_size;
	return true;
}

int osv_tls_crl_refresh(SSL_CTX *ctx, const struct osv_server_cfg *cfg, struct osv_crl_watch *w,
			struct sg_error *err)
{
	struct osv_crl_watch now = { .known = true };
	X509_STORE *store;

	if (!cfg->client_ca_file[0] || !cfg->crl_file[0])
		return 0;
	if (!crl_stat(cfg->crl_file, &now)) {
		if (w->missing)
			return 0;
		w->missing = true;
		return sg_err(err, "crl %s: gone; the CRL loaded last stays in force", cfg->crl_file);
	}
	if (!w->known && !w->missing) {
		*w = now; /* the first look: the file the server started with */
		return 0;
	}
	if (!w->missing && now.mtime_s == w->mtime_s && now.mtime_ns == w->mtime_ns && now.size == w->size)
		return 0;
	*w = now; /* a bad file is reported once, not at every look */
	store = X509_STORE_new();
	if (!store)
		return sg_err(err, "crl: out of memory");
	if (X509_STORE_load_file(store, cfg->client_ca_file) != 1) {
		X509_STORE_free(store);
		return ssl_fail(err, "client-ca", cfg->client_ca_file);
	}
	if (load_crl(store, cfg->crl_file, err) < 0) {
		X509_STORE_free(store);
		return -1;
	}
	SSL_CTX_set_cert_store(ctx, store); /* frees the old one; connections from now on use the new CRL */
	return 1;
}

SSL_CTX *osv_tls_server_ctx(const struct osv_server_cfg *cfg, struct sg_error *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	char suites[sizeof(tls12_suites) + 32];

	if (!ctx) {
		sg_err(err, "tls: cannot make a context");
		return NULL;
	}
	snprintf(suites, sizeof(suites), "%s%s", tls12_suites, cfg->legacy_rsa_suite ? ":AES128-SHA256" : "");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_security_level(ctx, 2);
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_set_cipher_list(ctx, suites) != 1) {
		ssl_fail(err, "tls", "cipher list");
		goto fail;
	}
	if (SSL_CTX_set1_sigalgs_list(ctx, strong_sigalgs) != 1 ||
	    SSL_CTX_set1_client_sigalgs_list(ctx, strong_sigalgs) != 1) {
		ssl_fail(err, "tls", "signature algorithms");
		goto fail;
	}
	if (check_strength(cfg->cert_file, err) < 0)
		goto fail;
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1) {
		ssl_fail(err, "certificate", cfg->cert_file);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_fail(err, "private-key", cfg->key_file);
		goto fail;
	}
	if (client_auth(ctx, cfg, err) < 0)
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static int name_entry(X509_NAME *n, int nid, char *buf, size_t size)
{
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	ASN1_STRING *s;
	unsigned char *utf8 = NULL;
	int len;

	if (i < 0 || X509_NAME_get_index_by_NID(n, nid, i) >= 0)
		return -1; /* absent, or given twice: ambiguous */
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	len = ASN1_STRING_to_UTF8(&utf8, s);
	if (len <= 0 || (size_t)len >= size || memchr(utf8, '\0', (size_t)len)) {
		OPENSSL_free(utf8);
		return -1;
	}
	memcpy(buf, utf8, (size_t)len);
	buf[len] = '\0';
	OPENSSL_free(utf8);
	return 0;
}

int osv_tls_operator(SSL *ssl, struct osv_actor *a, char *why, size_t why_size)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	long v = SSL_get_verify_result(ssl);
	char cn[OSV_NAME_MAX], ou[32];

	if (!cert)
		return 0;
	if (v != X509_V_OK) {
		snprintf(why, why_size, "client certificate refused: %s", X509_verify_cert_error_string(v));
		return -1;
	}
	if (X509_get_version(cert) != X509_VERSION_3) {
		snprintf(why, why_size, "client certificate refused: not X.509 v3");
		return -1;
	}
	if (name_entry(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn)) < 0 ||
	    name_entry(X509_get_subject_name(cert), NID_organizationalUnitName, ou, sizeof(ou)) < 0) {
		snprintf(why, why_size, "client certificate refused: needs exactly one CN and one OU (the role)");
		return -1;
	}
	if (!strcmp(ou, "agent"))
		a->kind = OSV_ACTOR_AGENT;
	else if (!strcmp(ou, "supervisor"))
		a->kind = OSV_ACTOR_SUPERVISOR;
	else {
		snprintf(why, why_size, "client certificate refused: OU '%.31s' is no role (agent, supervisor)", ou);
		return -1;
	}
	snprintf(a->name, sizeof(a->name), "operator:%s", cn);
	a->owner_id = 0;
	return 1;
}
