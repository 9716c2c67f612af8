/* API: the audit log - entries page by page, and the server's own check of the MAC chain. */
#include <inttypes.h>
#include <stdio.h>

#include "api_internal.h"

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

static void audit_verify(struct osv_req *rq, const char *arg)
{
	struct osv_audit_problem p;
	struct sg_error err;
	int64_t count;
	int rc = osv_audit_verify(rq->srv->store, &p, &count, &err);

	snprintf(rq->target, sizeof(rq->target), "audit");
	if (rc < 0) {
		osv_reply_store_error(rq, &err);
		return;
	}
	snprintf(rq->detail, sizeof(rq->detail), "%" PRId64 " entries, %s", count, rc ? p.what : "intact");
	if (rc)
		osv_reply(rq, 200, json_pack("{s:b, s:I, s:{s:I, s:s}}", "intact", 0, "entries", (json_int_t)count,
					     "problem", "seq", (json_int_t)p.seq, "what", p.what));
	else
		osv_reply(rq, 200, json_pack("{s:b, s:I}", "intact", 1, "entries", (json_int_t)count));
}

const struct osv_route osv_routes_audit[] = {
	{ "GET", "/v1/audit", audit_list, W_SUPER, NULL },
	{ "GET", "/v1/audit/verify", audit_verify, W_SUPER, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
