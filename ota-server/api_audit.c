/* API: the audit log - entries page by page, the latest entry as an anchor to keep off-box, and the server's own
 * check of the MAC chain (against anchors given as ?anchor=SEQ:HASH, repeatable). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include "api_internal.h"
#include "simguard/hex.h"

static void audit_list(struct osv_req *rq, const char *arg)
{
	int64_t after, limit;
	struct sg_error err;
	json_t *v;

	if (osv_req_query_int(rq, "after", 0, 0, INT64_MAX, &after) < 0 ||
	    osv_req_query_int(rq, "limit", 1000, 1, 1000, &limit) < 0)
		return;
	v = osv_audit_list(rq->srv->store, after, (int)limit, &err);
	if (!v)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, json_pack("{s:o}", "entries", v));
}

static void audit_head(struct osv_req *rq, const char *arg)
{
	char hex[2 * OSV_AUDIT_HASH_LEN + 1], text[OSV_AUDIT_ANCHOR_STRLEN];
	struct osv_audit_anchor head;
	struct sg_error err;
	int64_t at;
	int rc = osv_audit_head(rq->srv->store, &head, &at, &err);

	snprintf(rq->target, sizeof(rq->target), "audit");
	if (rc < 0) {
		osv_reply_store_error(rq, &err);
		return;
	}
	if (rc == 0) {
		osv_reply_error(rq, 404, "the audit log is empty");
		return;
	}
	osv_audit_anchor_format(&head, text);
	snprintf(rq->detail, sizeof(rq->detail), "head %s", text);
	osv_reply(rq, 200,
		  json_pack("{s:I, s:s, s:I}", "seq", (json_int_t)head.seq, "hash",
			    sg_hex_encode(head.hash, OSV_AUDIT_HASH_LEN, hex, sizeof(hex)), "at", (json_int_t)at));
}

#define MAX_ANCHORS 32 /* per request: they ride in the query string */

/* The ?anchor= parameters; their count, or -1 after answering 400. */
static int query_anchors(struct osv_req *rq, struct osv_audit_anchor *anchors)
{
	struct evkeyval *kv;
	struct sg_error err;
	int n = 0;

	TAILQ_FOREACH(kv, &rq->query, next) {
		if (strcmp(kv->key, "anchor"))
			continue;
		if (n == MAX_ANCHORS) {
			osv_reply_error(rq, 400, "more than %d anchors in one request", MAX_ANCHORS);
			return -1;
		}
		if (osv_audit_anchor_parse(kv->value, &anchors[n++], &err) < 0) {
			osv_reply_error(rq, 400, "%s", err.msg);
			return -1;
		}
	}
	return n;
}

static void audit_verify(struct osv_req *rq, const char *arg)
{
	struct osv_audit_anchor anchors[MAX_ANCHORS];
	struct osv_audit_problem p;
	struct sg_error err;
	int64_t count;
	int n = query_anchors(rq, anchors), rc;

	snprintf(rq->target, sizeof(rq->target), "audit");
	if (n < 0)
		return;
	rc = osv_audit_verify_anchored(rq->srv->store, anchors, (size_t)n, &p, &count, &err);
	if (rc < 0) {
		osv_reply_store_error(rq, &err);
		return;
	}
	snprintf(rq->detail, sizeof(rq->detail), "%" PRId64 " entries, %d anchors, %s", count, n,
		 rc ? p.what : "intact");
	if (rc)
		osv_reply(rq, 200,
			  json_pack("{s:b, s:I, s:i, s:{s:I, s:s}}", "intact", 0, "entries", (json_int_t)count,
				    "anchors", n, "problem", "seq", (json_int_t)p.seq, "what", p.what));
	else
		osv_reply(rq, 200,
			  json_pack("{s:b, s:I, s:i}", "intact", 1, "entries", (json_int_t)count, "anchors", n));
}

const struct osv_route osv_routes_audit[] = {
	{ "GET", "/v1/audit", audit_list, W_SUPER, NULL },
	{ "GET", "/v1/audit/head", audit_head, W_SUPER, NULL },
	{ "GET", "/v1/audit/verify", audit_verify, W_SUPER, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
