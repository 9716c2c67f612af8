/* The ota-server daemon: its configuration (libosmovty nodes database, http, smpp, ota, owners, limits), the
 * runtime state shared by the HTTPS API, the SMPP link and the dispatcher, and the entry points between them.
 * One thread: libevent runs the loop; the Osmocom select loop (VTY) is polled from a timer. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "otasrv/commands.h"
#include "otasrv/engine.h"
#include "otasrv/keybox.h"
#include "otasrv/owners.h"
#include "otasrv/store.h"

/* Logging categories. */
enum {
	DOSV,	/* general */
	DHTTP,	/* the HTTPS API */
	DOSMPP, /* the SMPP link */
	DOTA,	/* commands, packets, PoRs */
};

struct osv_rate {
	int count;  /* requests ... */
	int period; /* ... per this many seconds (0: no limit) */
};

struct osv_server_cfg {
	char db_uri[256];
	char master_key_file[256];
	char instance[64];

	char http_ip[64];
	uint16_t http_port;
	char cert_file[256], key_file[256], client_ca_file[256], crl_file[256];
	bool legacy_rsa_suite; /* TLS_RSA_WITH_AES_128_CBC_SHA256, X.1127 Appendix V.2 */
	size_t max_body;       /* JSON bodies */
	size_t max_import;     /* CSV imports */

	char smpp_host[64];
	uint16_t smpp_port;
	char system_id[16];
	char password[9];
	char source_addr[21];
	int window;	/* outstanding submit_sm */
	int throughput; /* submit_sm per second */

	int deadline; /* s a command may take before it expires (GSMA: 15 min) */
	uint8_t default_tar[3]; /* for imported cards without a TAR column */
	uint8_t default_spi[2]; /* ... without an SPI column */
	struct osv_engine_cfg engine;
	struct osv_owner_cfg owners;
	struct osv_rate login_rate, command_rate;
};

void osv_server_cfg_defaults(struct osv_server_cfg *cfg);
/* Install the configuration nodes; values land in cfg. */
void osv_vty_init(struct osv_server_cfg *cfg);
/* The store `show commands` reads. */
void osv_vty_set_store(struct osv_store *s);

struct osv_server;
struct osv_smpp_link;
struct osv_ratelimit;

/* TLS server context: TLS >= 1.2, X.1127 Appendix V cipher policy, client certificates checked against the CA
 * and its CRL (the verdict is read per request so that a refusal is answered and audited). NULL with err. */
SSL_CTX *osv_tls_server_ctx(const struct osv_server_cfg *cfg, struct sg_error *err);
/* What the server last saw of its CRL file. */
struct osv_crl_watch {
	bool known, missing;
	int64_t mtime_s, mtime_ns, size;
};
/* Look at the CRL file: when it changed since the last look (first look: only noted), the CA and the new CRL
 * replace the certificate store for the connections to come. 1 reloaded, 0 unchanged, -1 err filled (a bad or
 * vanished file: the CRL loaded before stays in force; reported once per change). */
int osv_tls_crl_refresh(SSL_CTX *ctx, const struct osv_server_cfg *cfg, struct osv_crl_watch *w,
			struct sg_error *err);
/* The operator behind a verified client certificate: role from the OU (agent / supervisor), name from the CN.
 * 1 an operator, 0 no certificate, -1 refused (why filled). */
int osv_tls_operator(SSL *ssl, struct osv_actor *a, char *why, size_t why_size);

/* Per-client token buckets. */
struct osv_ratelimit *osv_ratelimit_new(void);
void osv_ratelimit_free(struct osv_ratelimit *rl);
/* 0 allowed, else seconds to wait. */
int osv_ratelimit_take(struct osv_ratelimit *rl, const char *cls, const char *client, const struct osv_rate *r,
		       int64_t now);
