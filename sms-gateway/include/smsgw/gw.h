/* sms-gateway internals: configuration, ESME sessions, upstream links, the message queue and routing.
 * Single-threaded on libosmocore's select loop. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

#include "simguard/sms_tpdu.h"
#include "smsgw/smpp_codec.h"

/* libosmocore's list macros use the GNU typeof, which strict C11 spells __typeof__ */
#ifndef typeof
#define typeof __typeof__
#endif

enum {
	DSMPP,
	DROUTE,
	DQUEUE,
	DUPSTREAM,
};

#define GW_MAX_ADDRS 8
#define GW_MAX_SRC_PATTERNS 8
#define GW_RESP_TIMEOUT 10 /* seconds to wait for a response before retrying elsewhere */

/* The source addresses a peer may put in what it sends us (`allowed-source-address`): each pattern is an address
 * (exact match) or an address prefix followed by '*'; none configured = any source. */
struct gw_src_allow {
	char pat[GW_MAX_SRC_PATTERNS][22];
	unsigned int n;
};

/* An ESME account in the config (OTA servers). Lab handsets need no account: they bind with their MSISDN as
 * system_id and the lab password. */
struct gw_esme_cfg {
	struct llist_head list;
	char system_id[16];
	char password[9];
	char addrs[GW_MAX_ADDRS][21]; /* addresses it owns: MO / receipts to these go to it */
	unsigned int n_addrs;
	struct gw_src_allow src_allow; /* source_addr of its submit_sm / data_sm */
};

enum gw_route_type {
	GW_ROUTE_LAB,	   /* deliver_sm to the session bound with system_id == destination */
	GW_ROUTE_UPSTREAM, /* submit_sm to an upstream SMSC */
	GW_ROUTE_PCSC,	   /* ENVELOPE(SMS-PP DATA DOWNLOAD) into a card in a PC/SC reader */
};

struct gw_pcsc;

struct gw_conn;

struct gw_route {
	struct llist_head list;
	char name[16];
	char prefix[21];
	enum gw_route_type type;
	/* upstream */
	char host[64];
	uint16_t port;
	char system_id[16];
	char password[9];
	unsigned int window;
	struct gw_conn *conn;	  /* bound link or NULL */
	struct gw_src_allow src_allow; /* source_addr of the MO deliver_sm it sends us */
	struct osmo_timer_list reconnect;
	unsigned int backoff;	  /* seconds until the next attempt */
	time_t throttled_until;	  /* RTHROTTLED / RMSGQFUL seen: pause */
	bool connecting;
	unsigned long sent, failed;
	/* pcsc */
	char reader[128];
	uint8_t profile[32];
	size_t profile_len;
	uint8_t sc_addr[12]; /* TON/NPI byte + BCD, for the Address TLV of the envelope */
	size_t sc_addr_len;
	char sc_digits[21]; /* the same as configured, for writing the config back */
	struct gw_pcsc *pcsc;
};

enum gw_msg_state {
	GW_MSG_QUEUED = 0,
	GW_MSG_WAIT_RECEIPT = 1, /* upstream took it; a receipt was asked for */
	GW_MSG_DONE = 2,
	GW_MSG_FAILED = 3,
};

/* One short message on its way to the next hop. */
struct gw_msg {
	struct llist_head list;	    /* gw.pending or gw.waiting */
	struct llist_head inflight; /* conn->inflight while sent and unanswered */
	int64_t id;
	int64_t parent; /* first part's id for an OTA packet the gateway split, else id */
	char origin[16];  /* system_id of the ESME or upstream route it came from */
	char to_esme[16]; /* receipts: the system_id to deliver to */
	enum gw_msg_state state;
	time_t next_try;
	time_t sent_at;
	uint32_t seq;
	struct gw_conn *conn;
	unsigned int attempts;
	struct smpp_sm *sm;
};

enum gw_conn_role {
	GW_CONN_ESME,	  /* accepted: an ESME or a lab handset */
	GW_CONN_UPSTREAM, /* we are the ESME towards an SMSC */
};

struct gw_conn {
	struct llist_head list;
	struct osmo_fd ofd;
	enum gw_conn_role role;
	struct gw_route *route; /* upstream */
	char peer[64];
	uint32_t bind_cmd; /* 0 until bound */
	bool bound;
	bool is_lab;
	bool lab_range; /* a lab bind with system_type "range": serves every number under its system_id */
	char system_id[16];
	uint32_t next_seq;
	struct llist_head inflight;
	unsigned int n_inflight;
	struct llist_head backlog; /* queued for this connection while its window is full, in order */
	uint8_t *rx;
	size_t rx_len;
	uint8_t *tx;
	size_t tx_len, tx_off, tx_cap;
	struct osmo_timer_list keepalive;
	time_t last_rx;
	bool closing;
	unsigned long rx_pdus, tx_pdus, nacks;
	uint32_t bind_seq;
};

struct gw_cfg {
	char listen_ip[64];
	uint16_t listen_port;
	char system_id[16];
	char lab_password[9];
	unsigned int window;
	char db_path[256];
	unsigned int max_pending;
	unsigned int dup_window;
	unsigned int reasm_timeout;
	struct llist_head esmes;
	struct llist_head routes;
};

enum gw_ctr {
	GW_CTR_SUBMIT_RX,
	GW_CTR_SUBMIT_REJ,
	GW_CTR_DUPLICATE,
	GW_CTR_DELIVER_TX,
	GW_CTR_UPSTREAM_TX,
	GW_CTR_DELIVERED,
	GW_CTR_FAILED,
	GW_CTR_RECEIPT_TX,
	GW_CTR_NACK,
	GW_CTR_BIND_FAIL,
	GW_CTR_THROTTLED,
	GW_CTR_SPLIT,
	GW_CTR_REASM,
	GW_CTR_BAD_SOURCE,
};

struct gw_store;

struct gw {
	struct gw_cfg cfg;
	struct osmo_fd listen;
	struct llist_head conns;
	struct llist_head pending; /* QUEUED, in id order per destination */
	struct llist_head parked;  /* QUEUED but no way out right now (target absent, throttled, backing off) */
	struct llist_head waiting; /* WAIT_RECEIPT */
	unsigned int n_pending, n_waiting, n_inflight;
	struct gw_store *store;
	struct rate_ctr_group *ctrs;
	struct osmo_timer_list dispatch_timer;
	struct osmo_timer_list housekeeping;
	struct sms_reasm *reasm;
	uint16_t split_ref;
	bool shutting_down;
};

extern struct gw *g_gw;
extern void *gw_ctx;

/* config / vty */
void gw_cfg_defaults(struct gw_cfg *cfg);
int gw_vty_init(struct gw *gw);
struct gw_esme_cfg *gw_esme_cfg_find(struct gw *gw, const char *system_id);
struct gw_esme_cfg *gw_esme_cfg_owner(struct gw *gw, const char *addr);
struct gw_route *gw_route_for(struct gw *gw, const char *dst);
struct gw_route *gw_route_by_name(struct gw *gw, const char *name);

/* source address restrictions (gw_srcaddr.c) */
/* A pattern as `allowed-source-address` takes it: 1..20 letters / digits, or such a prefix followed by '*', or
 * '*' alone. 0, or -1 with why filled. */
int gw_src_pattern_check(const char *pat, char *why, size_t why_size);
bool gw_src_pattern_match(const char *pat, const char *addr);
/* Add / remove a pattern (checked; a pattern already there is not added twice). 0, or -1 with why filled. */
int gw_src_allow_add(struct gw_src_allow *a, const char *pat, char *why, size_t why_size);
int gw_src_allow_del(struct gw_src_allow *a, const char *pat, char *why, size_t why_size);
/* addr matches one of the patterns, or there are none. */
bool gw_src_allow_match(const struct gw_src_allow *a, const char *addr);
/* May the bound session c send with source address src? ESME_ROK, or ESME_RINVSRCADR with why filled. */
uint32_t gw_src_check_session(struct gw *gw, const struct gw_conn *c, const char *src, char *why, size_t why_size);
/* May upstream route r's SMSC hand us an MO from src? ESME_ROK, or ESME_RINVSRCADR with why filled. */
uint32_t gw_src_check_upstream(const struct gw_route *r, const char *src, char *why, size_t why_size);

/* connections */
struct gw_conn *gw_conn_alloc(struct gw *gw, int fd, enum gw_conn_role role, const char *peer);
void gw_conn_close(struct gw_conn *c, const char *why);
int gw_conn_send(struct gw_conn *c, const uint8_t *pdu, size_t len);
/* Header of pdu into *h and the body's length walk; a failure is logged with the reason. */
uint32_t gw_conn_check_pdu(struct gw_conn *c, const uint8_t *pdu, size_t len, struct smpp_hdr *h);
uint32_t gw_conn_seq(struct gw_conn *c);
struct gw_conn *gw_conn_find_bound(struct gw *gw, const char *system_id, bool receiver);
/* The lab range bind (handset farm) with the longest system_id that is a prefix of msisdn, or NULL. */
struct gw_conn *gw_conn_find_lab_range(struct gw *gw, const char *msisdn);

/* server side */
int gw_server_start(struct gw *gw);
void gw_server_pdu(struct gw_conn *c, const uint8_t *pdu, size_t len);

/* upstream */
void gw_upstream_start(struct gw *gw, struct gw_route *r);
void gw_upstream_pdu(struct gw_conn *c, const uint8_t *pdu, size_t len);
void gw_upstream_closed(struct gw_route *r);

/* PC/SC route */
uint32_t gw_pcsc_deliver(struct gw *gw, struct gw_route *r, struct gw_msg *m);
void gw_pcsc_close(struct gw_route *r);

/* queue and routing */
/* Accept a message: checks routing, duplicates and room; splits OTA packets too long for one SMS; stores it.
 * *msgid gets the message id. Returns ESME_ROK or the status to answer with. */
uint32_t gw_accept(struct gw *gw, const char *origin, struct smpp_sm *sm, char *msgid, size_t msgid_size);
void gw_dispatch_kick(struct gw *gw);
/* Give parked messages another chance (a bind came up, or a second passed). */
void gw_dispatch_unpark(struct gw *gw);
void gw_msg_resp(struct gw *gw, struct gw_conn *c, uint32_t seq, uint32_t status);
void gw_conn_requeue(struct gw *gw, struct gw_conn *c);
/* Window slots of c freed up: send from its backlog. */
void gw_conn_drain_backlog(struct gw *gw, struct gw_conn *c);
void gw_receipt_from_upstream(struct gw *gw, struct gw_route *r, const struct smpp_sm *sm);
void gw_msg_new_receipt(struct gw *gw, const struct gw_msg *m, bool delivered, uint32_t err);
/* Other parts of the same split packet still on their way (pending, in flight or waiting for a receipt). */
bool gw_msg_siblings_left(struct gw *gw, const struct gw_msg *m);
uint32_t gw_mo_part(struct gw *gw, const char *origin, struct smpp_sm *sm, char *msgid, size_t msgid_size);
int gw_queue_load(struct gw *gw);

/* on-disk store */
struct gw_store *gw_store_open(void *ctx, const char *path);
void gw_store_close(struct gw_store *s);
int gw_store_insert(struct gw_store *s, struct gw_msg *m, uint64_t hash);
int gw_store_set_state(struct gw_store *s, int64_t id, enum gw_msg_state st, unsigned int attempts);
/* id of an earlier message with the same content from the same origin within the window, or 0 */
int64_t gw_store_find_dup(struct gw_store *s, const char *origin, uint64_t hash, const struct smpp_sm *sm,
			  time_t since);
int gw_store_flush(struct gw_store *s);
/* Load QUEUED and WAIT_RECEIPT rows, calling cb for each. */
int gw_store_load(struct gw_store *s, void (*cb)(void *data, struct gw_msg *m), void *data);
int gw_store_purge(struct gw_store *s, time_t before);
uint64_t gw_sm_hash(const struct smpp_sm *sm);
/* A message as kept in its queue row (versioned, every length checked on the way back). */
int gw_sm_to_blob(const struct smpp_sm *sm, uint8_t *out, size_t size);
int gw_sm_from_blob(const uint8_t *blob, size_t len, struct smpp_sm *sm);
