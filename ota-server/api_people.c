/* API: people - owner login (password + TOTP) and logout, owner enrolment by an operator (answers the
 * otpauth:// URI once), devices (a card registered to an owner), the owner's notifications. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api_internal.h"

static const struct osv_jfield login_fields[] = {
	{ "name", OSV_J_STRING, true, 1, OSV_NAME_MAX - 1 },
	{ "password", OSV_J_STRING, true, 1, 256 },
	{ "code", OSV_J_STRING, true, 1, 10 },
	{ NULL, 0, false, 0, 0 },
};

static void login(struct osv_req *rq, const char *arg)
{
	json_t *body = osv_req_json(rq, login_fields);
	char token[OSV_TOKEN_HEX_LEN + 1];
	int64_t owner_id, retry;
	struct sg_error err;
	enum osv_login_result r;
	const char *name;

	if (!body)
		return;
	name = json_string_value(json_object_get(body, "name"));
	snprintf(rq->target, sizeof(rq->target), "owner:%.60s", name);
	r = osv_owner_login(rq->srv->store, &rq->srv->cfg.owners, name,
			    json_string_value(json_object_get(body, "password")),
			    json_string_value(json_object_get(body, "code")), rq->now, token, &owner_id, &retry, &err);
	json_decref(body);
	rq->keep_on_error = true; /* the failure count must stick */
	switch (r) {
	case OSV_LOGIN_OK:
		snprintf(rq->detail, sizeof(rq->detail), "session opened");
		osv_reply(rq, 200, json_pack("{s:s, s:I}", "token", token, "expires",
					     (json_int_t)(rq->now + rq->srv->cfg.owners.session_ttl)));
		break;
	case OSV_LOGIN_BAD:
		osv_reply_error(rq, 401, "login: name, password or code wrong");
		break;
	case OSV_LOGIN_LOCKED:
		rq->retry_after = (int)retry;
		osv_reply_error(rq, 429, "login: too many failures, account locked for %" PRId64 " s", retry);
		break;
	default:
		osv_reply_store_error(rq, &err);
	}
}

static void logout(struct osv_req *rq, const char *arg)
{
	const char *auth = evhttp_find_header(evhttp_request_get_input_headers(rq->r), "Authorization");
	struct sg_error err;

	if (osv_owner_logout(rq->srv->store, auth + 7, &err) < 0)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, json_pack("{s:b}", "logged_out", 1));
}

static void me(struct osv_req *rq, const char *arg)
{
	osv_reply(rq, 200, json_pack("{s:s, s:s}", "name", rq->actor.name, "role", osv_actor_kind_name(rq->actor.kind)));
}

static const struct osv_jfield owner_fields[] = {
	{ "name", OSV_J_STRING, true, 1, OSV_NAME_MAX - 1 },
	{ "password", OSV_J_STRING, true, 10, 256 },
	{ "notify_msisdn", OSV_J_STRING, false, 0, 20 },
	{ NULL, 0, false, 0, 0 },
};

static void owner_create(struct osv_req *rq, const char *arg)
{
	json_t *body = osv_req_json(rq, owner_fields);
	char uri[OSV_OTPAUTH_MAX], why[128];
	struct sg_error err;
	const char *name;
	int rc;

	if (!body)
		return;
	name = json_string_value(json_object_get(body, "name"));
	snprintf(rq->target, sizeof(rq->target), "owner:%.60s", name);
	rc = osv_owner_create(rq->srv->store, &rq->srv->cfg.owners, name,
			      json_string_value(json_object_get(body, "password")),
			      json_string_value(json_object_get(body, "notify_msisdn")), rq->now, uri, why, sizeof(why),
			      &err);
	if (rc < 0)
		osv_reply_store_error(rq, &err);
	else if (rc > 0)
		osv_reply_error(rq, strstr(why, "exists") ? 409 : 400, "%s", why);
	else
		osv_reply(rq, 201, json_pack("{s:s, s:s}", "name", name, "otpauth", uri));
	json_decref(body);
}

static void owner_list(struct osv_req *rq, const char *arg)
{
	struct sg_error err;
	json_t *v = osv_owner_list(rq->srv->store, &err);

	if (!v)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, json_pack("{s:o}", "owners", v));
}

static const struct osv_jfield device_fields[] = {
	{ "iccid", OSV_J_STRING, true, 18, 20 },
	{ "owner", OSV_J_STRING, true, 1, OSV_NAME_MAX - 1 },
	{ "label", OSV_J_STRING, false, 0, OSV_NAME_MAX - 1 },
	{ "imei", OSV_J_STRING, false, 14, 16 },
	{ NULL, 0, false, 0, 0 },
};

static void device_register(struct osv_req *rq, const char *arg)
{
	json_t *body = osv_req_json(rq, device_fields);
	const char *v, *iccid;
	struct osv_device d = { 0 };
	struct osv_owner o;
	struct osv_card c;
	struct sg_error err;
	int rc;

	if (!body)
		return;
	iccid = json_string_value(json_object_get(body, "iccid"));
	snprintf(rq->target, sizeof(rq->target), "%s", iccid);
	rc = osv_card_get(rq->srv->store, iccid, &c, &err);
	if (rc <= 0) {
		rc < 0 ? osv_reply_store_error(rq, &err) : osv_reply_error(rq, 404, "iccid: %s is not an imported card", iccid);
		goto out;
	}
	rc = osv_owner_get(rq->srv->store, json_string_value(json_object_get(body, "owner")), &o, &err);
	if (rc <= 0) {
		rc < 0 ? osv_reply_store_error(rq, &err) : osv_reply_error(rq, 404, "owner: no such owner");
		goto out;
	}
	d.card_id = c.id;
	d.owner_id = o.id;
	osv_owner_cleanse(&o);
	if ((v = json_string_value(json_object_get(body, "label"))))
		snprintf(d.label, sizeof(d.label), "%s", v);
	if ((v = json_string_value(json_object_get(body, "imei"))))
		snprintf(d.imei, sizeof(d.imei), "%s", v);
	if (osv_device_register(rq->srv->store, &d, rq->now, &err) < 0)
		osv_reply_error(rq, 409, "%s: %s", iccid, err.msg);
	else
		osv_reply(rq, 201, json_pack("{s:s, s:s}", "iccid", iccid, "owner",
					     json_string_value(json_object_get(body, "owner"))));
out:
	json_decref(body);
}

static void device_list(struct osv_req *rq, const char *arg)
{
	struct sg_error err;
	json_t *v = osv_device_list(rq->srv->store, rq->actor.kind == OSV_ACTOR_OWNER ? rq->actor.owner_id : -1, &err);

	if (!v)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, json_pack("{s:o}", "devices", v));
}

static void device_show(struct osv_req *rq, const char *iccid)
{
	struct osv_card c;
	struct sg_error err;
	json_t *all, *item;
	size_t i;
	int rc = osv_card_get(rq->srv->store, iccid, &c, &err);

	snprintf(rq->target, sizeof(rq->target), "%s", iccid);
	if (rc < 0) {
		osv_reply_store_error(rq, &err);
		return;
	}
	if (rc == 0 || !osv_actor_may_see(rq->srv->store, &rq->actor, c.id)) {
		osv_reply_error(rq, rq->actor.kind == OSV_ACTOR_OWNER ? 403 : 404, "%s: no such device of yours", iccid);
		return;
	}
	all = osv_device_list(rq->srv->store, rq->actor.kind == OSV_ACTOR_OWNER ? rq->actor.owner_id : -1, &err);
	if (!all) {
		osv_reply_store_error(rq, &err);
		return;
	}
	json_array_foreach (all, i, item)
		if (!strcmp(json_string_value(json_object_get(item, "iccid")), iccid)) {
			osv_reply(rq, 200, json_incref(item));
			break;
		}
	json_decref(all);
	if (!rq->reply)
		osv_reply_error(rq, 404, "%s: card without an owner (register the device first)", iccid);
}

static void notifications(struct osv_req *rq, const char *arg)
{
	int64_t after;
	struct sg_error err;
	json_t *v;

	if (osv_req_query_int(rq, "after", 0, 0, INT64_MAX, &after) < 0)
		return;
	v = osv_notifications(rq->srv->store, rq->actor.owner_id, after, &err);
	if (!v)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, json_pack("{s:o}", "notifications", v));
}

static void health(struct osv_req *rq, const char *arg)
{
	osv_reply(rq, 200, json_pack("{s:s}", "status", "ok"));
}

const struct osv_route osv_routes_people[] = {
	{ "POST", "/v1/login", login, W_ANON | W_OWNER, "login" },
	{ "POST", "/v1/logout", logout, W_OWNER, NULL },
	{ "GET", "/v1/me", me, W_ANYONE, NULL },
	{ "GET", "/v1/health", health, W_ANON | W_ANYONE, NULL },
	{ "POST", "/v1/owners", owner_create, W_OPERATOR, NULL },
	{ "GET", "/v1/owners", owner_list, W_OPERATOR, NULL },
	{ "POST", "/v1/devices", device_register, W_OPERATOR, NULL },
	{ "GET", "/v1/devices", device_list, W_ANYONE, NULL },
	{ "GET", "/v1/devices/*", device_show, W_ANYONE, NULL },
	{ "GET", "/v1/notifications", notifications, W_OWNER, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
