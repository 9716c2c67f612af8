/* The HTTPS JSON API's frame: libevent evhttp over OpenSSL bufferevents; for every request: who is asking
 * (client certificate or owner session), rate limits, the route table, the handler inside one store
 * transaction, and one audit entry - allowed, denied or invalid alike - committed with what the request did. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>
#include <osmocom/core/logging.h>

#include "api_internal.h"

static const struct osv_route *const route_tables[] = { osv_routes_cards, osv_routes_people, osv_routes_commands,
							 osv_routes_audit };

void osv_reply(struct osv_req *rq, int status, json_t *v)
{
	json_decref(rq->reply);
	rq->reply = v;
	rq->status = v ? status : 500;
	if (!v)
		rq->reply = json_pack("{s:s}", "error", "internal error");
}

void osv_reply_error(struct osv_req *rq, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rq->detail, sizeof(rq->detail), fmt, ap);
	va_end(ap);
	osv_text_clean(rq->detail);
	osv_reply(rq, status, json_pack("{s:s}", "error", rq->detail));
}

void osv_reply_store_error(struct osv_req *rq, const struct sg_error *err)
{
	LOGP(DHTTP, LOGL_ERROR, "%s %s: store: %s\n", rq->method, rq->path, err->msg);
	osv_reply_error(rq, 500, "internal error (store)");
}

json_t *osv_req_json(struct osv_req *rq, const struct osv_jfield *fields)
{
	return osv_req_json_max(rq, fields, rq->srv->cfg.max_body);
}

json_t *osv_req_json_max(struct osv_req *rq, const struct osv_jfield *fields, size_t max)
{
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(rq->r), "Content-Type");
	char why[200];
	json_t *v;

	if (rq->body_len > max) {
		osv_reply_error(rq, 413, "body: %zu bytes, the limit is %zu", rq->body_len, max);
		return NULL;
	}
	if (ct && strncasecmp(ct, "application/json", 16)) {
		osv_reply_error(rq, 415, "Content-Type: %.60s, want application/json", ct);
		return NULL;
	}
	v = osv_json_body(rq->body, rq->body_len, max, why, sizeof(why));
	if (v && osv_json_check(v, fields, why, sizeof(why)) < 0) {
		json_decref(v);
		v = NULL;
	}
	if (!v)
		osv_reply_error(rq, 400, "%s", why);
	return v;
}

const char *osv_req_query(struct osv_req *rq, const char *name)
{
	return evhttp_find_header(&rq->query, name);
}

int osv_req_query_int(struct osv_req *rq, const char *name, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	const char *v = osv_req_query(rq, name);
	char *end;
	long long x;

	*out = def;
	if (!v)
		return 0;
	x = strtoll(v, &end, 10);
	if (!*v || *end || x < min || x > max) {
		osv_reply_error(rq, 400, "%s: '%.32s' is not a number in %lld..%lld", name, v, (long long)min,
				(long long)max);
		return -1;
	}
	*out = x;
	return 0;
}

void osv_server_poke(struct osv_server *srv)
{
	srv->dispatch_soon = true;
}

/* '*' matches one non-empty segment. */
static bool match(const char *pattern, const char *path, char *arg, size_t arg_size)
{
	arg[0] = '\0';
	while (*pattern && *path) {
		if (*pattern == '*') {
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= arg_size)
				return false;
			memcpy(arg, path, n);
			arg[n] = '\0';
			path += n;
			pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	return !*pattern && !*path;
}

static const struct osv_route *find_route(struct osv_req *rq, char *arg, size_t arg_size, bool *path_known)
{
	*path_known = false;
	for (size_t t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]); t++)
		for (const struct osv_route *r = route_tables[t]; r->pattern; r++) {
			if (!match(r->pattern, rq->path, arg, arg_size))
				continue;
			*path_known = true;
			if (!strcmp(r->method, rq->method))
				return r;
		}
	return NULL;
}

static unsigned int who_bit(const struct osv_req *rq)
{
	if (rq->anonymous)
		return W_ANON;
	return rq->actor.kind == OSV_ACTOR_OWNER ? W_OWNER : rq->actor.kind == OSV_ACTOR_AGENT ? W_AGENT : W_SUPER;
}

static int owner_actor(struct osv_req *rq)
{
	struct osv_owner o;
	struct sg_error err;
	int rc = osv_owner_get_by_id(rq->srv->store, rq->actor.owner_id, &o, &err);

	if (rc <= 0) {
		if (rc < 0)
			osv_reply_store_error(rq, &err);
		else
			osv_reply_error(rq, 401, "session: the owner is gone");
		return -1;
	}
	rq->actor.kind = OSV_ACTOR_OWNER;
	snprintf(rq->actor.name, sizeof(rq->actor.name), "owner:%s", o.name);
	osv_owner_cleanse(&o);
	return 0;
}

/* Client certificate first; else a bearer token of an owner session; else anonymous. -1 after answering. */
static int identify(struct osv_req *rq)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(rq->r);
	SSL *ssl = bufferevent_openssl_get_ssl(evhttp_connection_get_bufferevent(conn));
	const char *auth = evhttp_find_header(evhttp_request_get_input_headers(rq->r), "Authorization");
	struct sg_error err;
	char why[160];
	int rc = ssl ? osv_tls_operator(ssl, &rq->actor, why, sizeof(why)) : 0;

	if (rc != 1)
		snprintf(rq->actor.name, sizeof(rq->actor.name), "anonymous");
	if (rc < 0) {
		osv_reply_error(rq, 403, "%s", why);
		return -1;
	}
	if (rc == 1)
		return 0;
	if (!auth) {
		rq->anonymous = true;
		return 0;
	}
	if (strncmp(auth, "Bearer ", 7)) {
		osv_reply_error(rq, 401, "Authorization: only Bearer tokens are accepted");
		return -1;
	}
	rc = osv_owner_session(rq->srv->store, auth + 7, rq->now, &rq->actor.owner_id, &err);
	if (rc <= 0) {
		if (rc < 0)
			osv_reply_store_error(rq, &err);
		else
			osv_reply_error(rq, 401, "session: unknown or expired, log in again");
		return -1;
	}
	return owner_actor(rq);
}

static void rate_limit(struct osv_req *rq, const struct osv_route *route)
{
	const struct osv_rate *r = !strcmp(route->rate, "login") ? &rq->srv->cfg.login_rate : &rq->srv->cfg.command_rate;
	/* Logins count per client address: the name is what an attacker varies. */
	const char *key = !strcmp(route->rate, "login") ? rq->client : rq->actor.name;
	char host[96];

	snprintf(host, sizeof(host), "%s", key);
	if (!strcmp(route->rate, "login"))
		host[strcspn(host, " ")] = '\0';
	rq->retry_after = osv_ratelimit_take(rq->srv->rl, route->rate, host, r, rq->now);
	if (rq->retry_after)
		osv_reply_error(rq, 429, "too many %s requests: try again in %d s", route->rate, rq->retry_after);
}

static void dispatch(struct osv_req *rq)
{
	char arg[80];
	bool known;
	const struct osv_route *route;

	if (identify(rq) < 0)
		return;
	route = find_route(rq, arg, sizeof(arg), &known);
	if (!route) {
		osv_reply_error(rq, known ? 405 : 404, known ? "%s: method not allowed here" : "%s: no such resource",
				known ? rq->method : rq->path);
		return;
	}
	if (!(route->who & who_bit(rq))) {
		osv_reply_error(rq, rq->anonymous ? 401 : 403, rq->anonymous ? "authentication required"
									   : "not allowed for this role");
		return;
	}
	if (route->rate) {
		rate_limit(rq, route);
		if (rq->retry_after)
			return;
	}
	route->fn(rq, arg);
	if (!rq->reply && !rq->raw)
		osv_reply_error(rq, 500, "no answer");
}

static const char *decision(int status)
{
	if (status < 400)
		return "allowed";
	if (status == 401 || status == 403)
		return "denied";
	if (status == 429)
		return "limited";
	return status >= 500 ? "error" : "invalid";
}

static void audit_entry(struct osv_req *rq, char *action, size_t size, struct osv_audit_entry *e)
{
	snprintf(action, size, "%s %s", rq->method, rq->path);
	*e = (struct osv_audit_entry){ .at = rq->now, .actor = rq->actor.name, .client = rq->client,
				       .action = action, .target = rq->target, .status = rq->status,
				       .detail = rq->detail, .decision = decision(rq->status) };
}

/* A request that failed in the store is answered 500 and audited as such in a transaction of its own. */
static void audit_failure(struct osv_req *rq, const char *what)
{
	char action[300];
	struct osv_audit_entry e;
	struct sg_error err;

	osv_reply_error(rq, 500, "%s", what);
	audit_entry(rq, action, sizeof(action), &e);
	if (osv_audit_append(rq->srv->store, &e, &err) < 0)
		LOGP(DHTTP, LOGL_FATAL, "audit: cannot record a failed request: %s\n", err.msg);
}

/* One audit entry per request, in the request's transaction; a store failure rolls the request back and is
 * itself audited in a fresh transaction. */
static void audit(struct osv_req *rq)
{
	char action[300];
	struct osv_audit_entry e;
	struct sg_error err;

	audit_entry(rq, action, sizeof(action), &e);
	if (osv_audit_append(rq->srv->store, &e, &err) == 0 && osv_store_commit(rq->srv->store, &err) == 0)
		return;
	LOGP(DHTTP, LOGL_ERROR, "audit: %s\n", err.msg);
	osv_store_rollback(rq->srv->store);
	audit_failure(rq, "internal error (audit log)");
}

static void send_reply(struct osv_req *rq)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(rq->r);
	struct evkeyvalq *h = evhttp_request_get_output_headers(rq->r);
	char num[16];

	if (rq->raw) {
		evhttp_add_header(h, "Content-Type", rq->raw_type);
		evbuffer_add(out, rq->raw, strlen(rq->raw));
	} else {
		char *text = json_dumps(rq->reply, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		evhttp_add_header(h, "Content-Type", "application/json");
		if (text) {
			evbuffer_add(out, text, strlen(text));
			evbuffer_add(out, "\n", 1);
		}
		free(text);
	}
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (rq->retry_after) {
		snprintf(num, sizeof(num), "%d", rq->retry_after);
		evhttp_add_header(h, "Retry-After", num);
	}
	evhttp_send_reply(rq->r, rq->status, NULL, NULL);
}

static const char *method_name(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	default:
		return "OTHER";
	}
}

static int request_start(struct osv_req *rq, struct evhttp_request *r)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r);
	struct evbuffer *in = evhttp_request_get_input_buffer(r);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
	char *addr = NULL;
	uint16_t port = 0;
	struct timeval tv;

	gettimeofday(&tv, NULL);
	rq->now = tv.tv_sec;
	rq->r = r;
	rq->method = method_name(evhttp_request_get_command(r));
	snprintf(rq->path, sizeof(rq->path), "%s", path ? path : "?");
	osv_text_clean(rq->path);
	evhttp_connection_get_peer(evhttp_request_get_connection(r), &addr, &port);
	snprintf(rq->client, sizeof(rq->client), "%s port %u", addr ? addr : "?", port);
	TAILQ_INIT(&rq->query);
	if (q && evhttp_parse_query_str(q, &rq->query) < 0)
		return -1;
	rq->body_len = evbuffer_get_length(in);
	rq->body = (const char *)evbuffer_pullup(in, -1);
	return 0;
}

static void request_free(struct osv_req *rq)
{
	json_decref(rq->reply);
	free(rq->raw);
	evhttp_clear_headers(&rq->query);
	free(rq);
}

static void log_request(const struct osv_req *rq)
{
	LOGP(DHTTP, rq->status >= 400 ? LOGL_NOTICE : LOGL_INFO, "%s %s %s by %s: %d %s\n", rq->client, rq->method,
	     rq->path, rq->actor.name, rq->status, rq->status >= 400 ? rq->detail : "");
}

/* Commit the open group, then send the dispatcher's packets built in it and answer its requests: no packet
 * leaves before its counter is on disk, no answer (nor the audit entry behind it) reaches a client before. When
 * the commit fails, nothing is sent and every request of the group, having lost its work, is answered 500. The
 * list is taken first: answering may run the next request at once (pipelining), which opens a new group. */
static void settle(void *arg)
{
	struct osv_server *srv = arg;
	struct osv_req *group[OSV_GROUP_MAX];
	int n = srv->group_n;
	struct sg_error err;
	bool ok;

	if (!osv_store_group_open(srv->store))
		return;
	memcpy(group, srv->group, (size_t)n * sizeof(group[0]));
	srv->group_n = 0;
	ok = osv_store_group_commit(srv->store, &err) == 0;
	if (!ok)
		LOGP(DHTTP, LOGL_ERROR, "group commit of %d requests: %s\n", n, err.msg);
	osv_dispatcher_committed(srv, ok);
	for (int i = 0; i < n && !ok; i++) {
		if (group[i]->status < 400)
			srv->denied++;
		audit_failure(group[i], "internal error (store)");
		log_request(group[i]);
	}
	for (int i = 0; i < n; i++) {
		send_reply(group[i]);
		request_free(group[i]);
	}
}

static void on_group_ev(evutil_socket_t fd, short what, void *arg)
{
	settle(arg);
}

/* A request's work (or the dispatcher's batch) runs as one unit (savepoint) of the loop pass's group
 * transaction; the first unit of a pass opens the group and has it settled after the pass's other events. */
int osv_http_group_join(struct osv_server *srv, struct sg_error *err)
{
	if (osv_store_group_open(srv->store))
		return 0;
	if (osv_store_group_begin(srv->store, err) < 0)
		return -1;
	event_active(srv->group_ev, EV_TIMEOUT, 0);
	return 0;
}

/* Handle the request inside its unit: dispatch, keep or undo its writes, its audit entry. */
static void handle(struct osv_req *rq)
{
	struct osv_server *srv = rq->srv;
	struct sg_error err;

	if (!rq->status)
		dispatch(rq);
	/* Nothing half-written: a refused request keeps no change, except what it must (failed logins). */
	if (rq->status >= 400 && !rq->keep_on_error) {
		osv_store_rollback(srv->store);
		if (osv_store_begin(srv->store, &err) < 0)
			LOGP(DHTTP, LOGL_ERROR, "store: %s\n", err.msg);
	}
	if (rq->status >= 400)
		srv->denied++;
	audit(rq);
}

static void on_request(struct evhttp_request *r, void *arg)
{
	struct osv_server *srv = arg;
	struct osv_req *rq = calloc(1, sizeof(*rq));
	struct sg_error err;
	int rc;

	if (!rq) {
		evhttp_send_error(r, 500, NULL);
		return;
	}
	rq->srv = srv;
	srv->requests++;
	if (request_start(rq, r) < 0)
		osv_reply_error(rq, 400, "query string: malformed");
	osv_store_group_unit(srv->store, true);
	rc = osv_http_group_join(srv, &err) < 0 ? -1 : osv_store_begin(srv->store, &err);
	if (rc == 0)
		handle(rq);
	osv_store_group_unit(srv->store, false);
	if (rc < 0) {
		/* nothing done, nothing to wait for */
		osv_reply_store_error(rq, &err);
		send_reply(rq);
		request_free(rq);
		return;
	}
	log_request(rq);
	srv->group[srv->group_n++] = rq;
	if (srv->group_n == OSV_GROUP_MAX)
		settle(srv);
}

static struct bufferevent *tls_bev(struct event_base *base, void *arg)
{
	struct osv_server *srv = arg;
	SSL *ssl = SSL_new(srv->ssl);

	return ssl ? bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE)
		   : NULL;
}

int osv_http_start(struct osv_server *srv, struct sg_error *err)
{
	struct evhttp_bound_socket *bound;
	int one = 1;

	srv->ssl = osv_tls_server_ctx(&srv->cfg, err);
	if (!srv->ssl)
		return -1;
	srv->http = evhttp_new(srv->base);
	srv->group_ev = event_new(srv->base, -1, 0, on_group_ev, srv);
	if (!srv->http || !srv->group_ev)
		return sg_err(err, "http: cannot make the server");
	osv_store_group_settler(srv->store, settle, srv);
	evhttp_set_bevcb(srv->http, tls_bev, srv);
	evhttp_set_gencb(srv->http, on_request, srv);
	/* Bodies up to the import limit reach the handlers, which apply their own (smaller) limits and audit a
	 * refusal; only what is larger still is cut off by libevent. */
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)srv->cfg.max_import);
	evhttp_set_max_headers_size(srv->http, 16384);
	evhttp_set_timeout(srv->http, 30);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						      EVHTTP_REQ_PATCH);
	bound = evhttp_bind_socket_with_handle(srv->http, srv->cfg.http_ip, srv->cfg.http_port);
	if (!bound)
		return sg_err(err, "http: cannot listen on %s port %u", srv->cfg.http_ip, srv->cfg.http_port);
	/* Accepted sockets inherit it: an answer leaves at once instead of waiting up to 40 ms for the client's
	 * delayed ACK of the previous TLS record (Nagle), which made every kept-alive request cost 40 ms. Without it
	 * the server still works, only slower: a warning, not a failure. */
	if (setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		LOGP(DHTTP, LOGL_NOTICE,
		     "http: warning: no TCP_NODELAY on %s port %u (%s): answers may wait for ACKs\n", srv->cfg.http_ip,
		     srv->cfg.http_port, strerror(errno));
	return 0;
}

void osv_http_stop(struct osv_server *srv)
{
	settle(srv);
	if (srv->group_ev)
		event_free(srv->group_ev);
	srv->group_ev = NULL;
	if (srv->http)
		evhttp_free(srv->http);
	srv->http = NULL;
	SSL_CTX_free(srv->ssl);
	srv->ssl = NULL;
}
