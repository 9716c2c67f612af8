/* Inside the HTTPS API: the server's runtime state, one request as the handlers see it, the route table and
 * the helpers the api_*.c files share. */
#pragma once

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "otasrv/server.h"

#define OSV_GROUP_MAX 64 /* requests per group commit */

struct osv_server {
	struct osv_server_cfg cfg;
	struct osv_keybox kb;
	struct osv_store *store;
	struct event_base *base;
	struct evhttp *http;
	SSL_CTX *ssl;
	struct osv_ratelimit *rl;
	struct osv_smpp_link *smpp;
	struct event *tick;
	bool dispatch_soon; /* a command was queued: look for due work at the next tick */
	int64_t last_claim_ms;
	double tokens; /* submit_sm the throughput limit allows now */
	int64_t tokens_at;
	struct osv_outgoing *out; /* the dispatcher's batch */
	int out_n;		  /* ... built in the open group, waiting for its commit */
	struct osv_crl_watch crl;
	int64_t crl_looked_ms;
	unsigned long requests, denied;
	/* Group commit: the requests of one loop pass, answered after their shared transaction committed. */
	struct osv_req *group[OSV_GROUP_MAX];
	int group_n;
	struct event *group_ev; /* settles the group once the loop pass's other events ran */
};

/* Who may call a route. */
enum {
	W_ANON = 1 << 0,
	W_OWNER = 1 << 1,
	W_AGENT = 1 << 2,
	W_SUPER = 1 << 3,
	W_OPERATOR = W_AGENT | W_SUPER,
	W_ANYONE = W_OWNER | W_OPERATOR,
};

struct osv_req {
	struct osv_server *srv;
	struct evhttp_request *r;
	const char *method;
	char path[256];
	struct evkeyvalq query;
	char client[64];
	struct osv_actor actor;
	bool anonymous;
	const char *body;
	size_t body_len;
	int64_t now;
	/* the answer */
	int status;
	json_t *reply;
	char *raw;	      /* a non-JSON body (CSV), malloc'ed */
	const char *raw_type; /* its content type */
	int retry_after;
	bool keep_on_error; /* commit the handler's writes even with a 4xx answer */
	/* for the audit log */
	char target[80];
	char detail[256];
};

typedef void (*osv_route_fn)(struct osv_req *rq, const char *arg);

struct osv_route {
	const char *method;
	const char *pattern; /* '*' matches one path segment, handed to fn as arg */
	osv_route_fn fn;
	unsigned int who;
	const char *rate; /* rate class: "login", "command" or NULL */
};

/* Answer with a JSON error {"error": why}. */
void osv_reply_error(struct osv_req *rq, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Answer with a JSON value (reference taken). NULL value -> 500. */
void osv_reply(struct osv_req *rq, int status, json_t *v);
/* The request body as a checked JSON object, or NULL after answering 400 / 413. */
json_t *osv_req_json(struct osv_req *rq, const struct osv_jfield *fields);
/* The same with another size limit (campaigns carry long ICCID lists: the import limit applies). */
json_t *osv_req_json_max(struct osv_req *rq, const struct osv_jfield *fields, size_t max);
/* A query parameter, or NULL. */
const char *osv_req_query(struct osv_req *rq, const char *name);
/* An integer query parameter with a default; -1 after answering 400 when it is not a number in range. */
int osv_req_query_int(struct osv_req *rq, const char *name, int64_t def, int64_t min, int64_t max, int64_t *out);
/* Answer 500 for a store error (logged, not shown in detail to the client). */
void osv_reply_store_error(struct osv_req *rq, const struct sg_error *err);
/* The server should look for due commands at its next tick. */
void osv_server_poke(struct osv_server *srv);

/* The routes, in api_*.c. */
extern const struct osv_route osv_routes_cards[];
extern const struct osv_route osv_routes_people[];
extern const struct osv_route osv_routes_commands[];
extern const struct osv_route osv_routes_audit[];

/* The dispatcher (dispatcher.c): SMPP link and the tick that sends due commands. */
int osv_dispatcher_start(struct osv_server *srv);
void osv_dispatcher_stop(struct osv_server *srv);

/* Run the caller's next store work as a unit of the loop pass's group transaction (opened if none is). */
int osv_http_group_join(struct osv_server *srv, struct sg_error *err);
/* The group holding the dispatcher's batch committed (ok) or not: send the batch, or drop it (its counters and
 * claims were rolled back with it). */
void osv_dispatcher_committed(struct osv_server *srv, bool ok);

/* Start / stop serving HTTPS. */
int osv_http_start(struct osv_server *srv, struct sg_error *err);
void osv_http_stop(struct osv_server *srv);
