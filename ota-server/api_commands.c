/* API: commands - request one for a device, approve (second operator), status, the packets sent (attempts), list,
 * campaigns (one command for a list of cards, throttled to the SMSC window by the dispatcher like any other
 * command). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

static void answer_outcome(struct osv_req *rq, const struct osv_outcome *o)
{
	if (o->status >= 400) {
		osv_reply_error(rq, o->status, "%s", o->why);
		return;
	}
	snprintf(rq->detail, sizeof(rq->detail), "command %" PRId64 " %s", o->command_id, o->why);
	osv_reply(rq, o->status, json_pack("{s:I, s:s}", "id", (json_int_t)o->command_id, "state",
					   osv_cmd_state_name(o->state)));
	osv_server_poke(rq->srv);
}

static void command_send(struct osv_req *rq, const char *iccid)
{
	json_t *body = osv_req_json(rq, osv_command_fields);
	struct osv_outcome o;
	struct sg_error err;

	snprintf(rq->target, sizeof(rq->target), "%s", iccid);
	if (!body)
		return;
	if (osv_command_request(rq->srv->store, &rq->actor, iccid, body, rq->now, rq->srv->cfg.deadline, 0, &o,
				&err) < 0)
		osv_reply_store_error(rq, &err);
	else
		answer_outcome(rq, &o);
	json_decref(body);
}

/* The command in the path, if this actor may see it; -1 after answering. */
static int path_command(struct osv_req *rq, const char *arg, struct osv_command *c)
{
	struct sg_error err;
	char *end;
	long long id = strtoll(arg, &end, 10);
	int rc;

	snprintf(rq->target, sizeof(rq->target), "command:%.40s", arg);
	if (*end || id <= 0) {
		osv_reply_error(rq, 400, "command id: '%.20s' is not a number", arg);
		return -1;
	}
	rc = osv_cmd_get(rq->srv->store, id, c, &err);
	if (rc < 0) {
		osv_reply_store_error(rq, &err);
		return -1;
	}
	if (rc == 0 || !osv_actor_may_see(rq->srv->store, &rq->actor, c->card_id)) {
		osv_reply_error(rq, 404, "command %lld: no such command of yours", id);
		return -1;
	}
	return 0;
}

static void command_show(struct osv_req *rq, const char *arg)
{
	struct osv_command c;
	struct sg_error err;
	json_t *v;

	if (path_command(rq, arg, &c) < 0)
		return;
	v = osv_cmd_json(rq->srv->store, &c, &err);
	if (!v)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, v);
}

/* The secured packets sent for the command, one per attempt: who may see the command may see them (they are
 * ciphered; no key is in them). */
static void command_attempts(struct osv_req *rq, const char *arg)
{
	struct osv_command c;
	struct osv_card card;
	struct sg_error err;
	json_t *list;
	int rc;

	if (path_command(rq, arg, &c) < 0)
		return;
	rc = osv_card_get_by_id(rq->srv->store, c.card_id, &card, &err);
	list = rc == 1 ? osv_attempt_list(rq->srv->store, c.id, &err) : NULL;
	if (!list) {
		if (rc == 0)
			sg_err(&err, "command %" PRId64 ": card %" PRId64 " vanished", c.id, c.card_id);
		osv_reply_store_error(rq, &err);
		return;
	}
	snprintf(rq->detail, sizeof(rq->detail), "command %" PRId64 ": %zu attempts", c.id, json_array_size(list));
	osv_reply(rq, 200, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)c.id, "iccid", card.iccid, "attempts", list));
}

static void command_approve(struct osv_req *rq, const char *arg)
{
	struct osv_command c;
	struct osv_outcome o;
	struct sg_error err;

	if (path_command(rq, arg, &c) < 0)
		return;
	if (osv_command_approve(rq->srv->store, &rq->actor, c.id, rq->now, &o, &err) < 0)
		osv_reply_store_error(rq, &err);
	else
		answer_outcome(rq, &o);
}

static void command_list(struct osv_req *rq, const char *arg)
{
	const char *iccid = osv_req_query(rq, "iccid");
	int64_t limit, campaign, card_id = 0;
	struct osv_card c;
	struct sg_error err;
	json_t *v;

	if (osv_req_query_int(rq, "limit", 100, 1, 500, &limit) < 0 ||
	    osv_req_query_int(rq, "campaign", 0, 0, INT64_MAX, &campaign) < 0)
		return;
	if (iccid) {
		int rc = osv_card_get(rq->srv->store, iccid, &c, &err);

		if (rc <= 0) {
			rc < 0 ? osv_reply_store_error(rq, &err) : osv_reply_error(rq, 404, "iccid: no such card");
			return;
		}
		card_id = c.id;
	}
	v = osv_cmd_list(rq->srv->store, card_id, campaign,
			 rq->actor.kind == OSV_ACTOR_OWNER ? rq->actor.owner_id : 0, (int)limit, &err);
	if (!v)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, json_pack("{s:o}", "commands", v));
}

static const struct osv_jfield campaign_fields[] = {
	{ "command", OSV_J_STRING, true, 1, 16 },  { "iccids", OSV_J_STRINGS, true, 1, 100000 },
	{ "message", OSV_J_STRING, false, 1, 120 }, { "contact", OSV_J_STRING, false, 3, 21 },
	{ "duration", OSV_J_INT, false, 30, 180 }, { "tone", OSV_J_INT, false, 0, 255 },
	{ NULL, 0, false, 0, 0 },
};

/* One command per card, all in the request's transaction; cards that refuse are listed, the rest go. */
static void campaign_create(struct osv_req *rq, const char *arg)
{
	json_t *body = osv_req_json_max(rq, campaign_fields, rq->srv->cfg.max_import), *iccids, *refused, *item;
	struct sg_error err;
	int64_t id;
	size_t i, accepted = 0;

	if (!body)
		return;
	iccids = json_incref(json_object_get(body, "iccids"));
	json_object_del(body, "iccids");
	if (osv_campaign_insert(rq->srv->store, json_string_value(json_object_get(body, "command")), rq->actor.name,
				rq->now, &id, &err) < 0) {
		osv_reply_store_error(rq, &err);
		goto out;
	}
	snprintf(rq->target, sizeof(rq->target), "campaign:%" PRId64, id);
	refused = json_array();
	json_array_foreach (iccids, i, item) {
		struct osv_outcome o;

		if (osv_command_request(rq->srv->store, &rq->actor, json_string_value(item), body, rq->now,
					rq->srv->cfg.deadline, id, &o, &err) < 0) {
			json_decref(refused);
			osv_reply_store_error(rq, &err);
			goto out;
		}
		if (o.status >= 400)
			json_array_append_new(refused, json_pack("{s:O, s:i, s:s}", "iccid", item, "status", o.status,
								 "error", o.why));
		else
			accepted++;
	}
	snprintf(rq->detail, sizeof(rq->detail), "campaign %" PRId64 ": %zu commands, %zu refused", id, accepted,
		 json_array_size(refused));
	osv_reply(rq, accepted ? 202 : 400, json_pack("{s:I, s:I, s:o}", "id", (json_int_t)id, "accepted",
						      (json_int_t)accepted, "refused", refused));
	osv_server_poke(rq->srv);
out:
	json_decref(iccids);
	json_decref(body);
}

static int64_t campaign_id(struct osv_req *rq, const char *arg)
{
	char *end;
	long long id = strtoll(arg, &end, 10);

	snprintf(rq->target, sizeof(rq->target), "campaign:%.40s", arg);
	if (*end || id <= 0) {
		osv_reply_error(rq, 400, "campaign id: '%.20s' is not a number", arg);
		return -1;
	}
	return id;
}

static void campaign_show(struct osv_req *rq, const char *arg)
{
	int64_t id = campaign_id(rq, arg);
	struct sg_error err;
	json_t *v;

	if (id < 0)
		return;
	v = osv_campaign_json(rq->srv->store, id, &err);
	if (!v)
		osv_reply_error(rq, strstr(err.msg, "no such") ? 404 : 500, "%s", err.msg);
	else
		osv_reply(rq, 200, v);
}

/* Approve every command of the campaign that waits for approval. */
static void campaign_approve(struct osv_req *rq, const char *arg)
{
	int64_t id = campaign_id(rq, arg);
	struct sg_error err;
	json_t *list, *item;
	size_t i, n = 0;

	if (id < 0)
		return;
	list = osv_cmd_list(rq->srv->store, 0, id, 0, 500, &err);
	if (!list) {
		osv_reply_store_error(rq, &err);
		return;
	}
	json_array_foreach (list, i, item) {
		struct osv_outcome o;

		if (strcmp(json_string_value(json_object_get(item, "state")), "awaiting_approval"))
			continue;
		if (osv_command_approve(rq->srv->store, &rq->actor, json_integer_value(json_object_get(item, "id")),
					rq->now, &o, &err) < 0) {
			json_decref(list);
			osv_reply_store_error(rq, &err);
			return;
		}
		if (o.status >= 400) {
			json_decref(list);
			osv_reply_error(rq, o.status, "%s", o.why);
			return;
		}
		n++;
	}
	json_decref(list);
	snprintf(rq->detail, sizeof(rq->detail), "campaign %" PRId64 ": %zu commands approved", id, n);
	osv_reply(rq, 200, json_pack("{s:I, s:I}", "id", (json_int_t)id, "approved", (json_int_t)n));
	osv_server_poke(rq->srv);
}

const struct osv_route osv_routes_commands[] = {
	{ "POST", "/v1/devices/*/commands", command_send, W_ANYONE, "command" },
	{ "GET", "/v1/commands", command_list, W_ANYONE, NULL },
	{ "GET", "/v1/commands/*", command_show, W_ANYONE, NULL },
	{ "GET", "/v1/commands/*/attempts", command_attempts, W_ANYONE, NULL },
	{ "POST", "/v1/commands/*/approve", command_approve, W_OPERATOR, "command" },
	{ "POST", "/v1/campaigns", campaign_create, W_SUPER, "command" },
	{ "GET", "/v1/campaigns/*", campaign_show, W_OPERATOR, NULL },
	{ "POST", "/v1/campaigns/*/approve", campaign_approve, W_SUPER, "command" },
	{ NULL, NULL, NULL, 0, NULL },
};
