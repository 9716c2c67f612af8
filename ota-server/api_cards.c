/* API: cards - CSV import (all or nothing, per-line report), list, show (never keys), supervised counter
 * resynchronisation, and the EIR / CEIR block list of disabled devices' IMEIs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "otasrv/cards_csv.h"
#include "api_internal.h"

struct import_ctx {
	struct osv_req *rq;
	long n;
};

static int import_one(void *ctx, int line, struct osv_card_import *ci, struct sg_error *err)
{
	struct import_ctx *x = ctx;

	return osv_card_insert(x->rq->srv->store, ci, x->rq->now, err);
}

static void cards_import(struct osv_req *rq, const char *arg)
{
	struct osv_csv_defaults d = { .dialect = SP_DIALECT_SMS };
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(rq->r), "Content-Type");
	struct import_ctx x = { .rq = rq };
	json_t *errors = json_array();
	long good;

	memcpy(d.tar, rq->srv->cfg.default_tar, 3);
	memcpy(d.spi, rq->srv->cfg.default_spi, 2);
	snprintf(rq->target, sizeof(rq->target), "cards");
	if (ct && strncasecmp(ct, "text/csv", 8)) {
		json_decref(errors);
		osv_reply_error(rq, 415, "Content-Type: %.60s, want text/csv", ct);
		return;
	}
	good = osv_csv_parse(rq->body ? rq->body : "", rq->body_len, &d, import_one, &x, errors);
	if (good < 0 || json_array_size(errors) > 0) {
		snprintf(rq->detail, sizeof(rq->detail), "import refused: %zu bad lines, nothing imported",
			 json_array_size(errors));
		osv_reply(rq, 400, json_pack("{s:s, s:o}", "error", rq->detail, "errors", errors));
		return;
	}
	json_decref(errors);
	snprintf(rq->detail, sizeof(rq->detail), "%ld cards imported", good);
	osv_reply(rq, 201, json_pack("{s:I}", "imported", (json_int_t)good));
}

static void cards_list(struct osv_req *rq, const char *arg)
{
	int64_t limit;
	struct sg_error err;
	json_t *v;

	if (osv_req_query_int(rq, "limit", 64, 1, 64, &limit) < 0)
		return;
	v = osv_card_list(rq->srv->store, osv_req_query(rq, "after"), (int)limit, &err);
	if (!v)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, json_pack("{s:o}", "cards", v));
}

/* The card named in the path, or NULL after answering 404 / 500. */
static int path_card(struct osv_req *rq, const char *iccid, struct osv_card *c)
{
	struct sg_error err;
	int rc = osv_card_get(rq->srv->store, iccid, c, &err);

	snprintf(rq->target, sizeof(rq->target), "%s", iccid);
	if (rc < 0)
		osv_reply_store_error(rq, &err);
	else if (rc == 0)
		osv_reply_error(rq, 404, "%s: no such card", iccid);
	return rc == 1 ? 0 : -1;
}

static void card_show(struct osv_req *rq, const char *iccid)
{
	struct osv_card c;
	struct sg_error err;
	json_t *v;

	if (path_card(rq, iccid, &c) < 0)
		return;
	v = osv_card_json(rq->srv->store, &c, &err);
	if (!v)
		osv_reply_store_error(rq, &err);
	else
		osv_reply(rq, 200, v);
}

static const struct osv_jfield resync_fields[] = {
	{ "kvn", OSV_J_INT, true, 1, 15 },
	{ "counter", OSV_J_INT, true, 0, 0xFFFFFFFFFFLL },
	{ "reason", OSV_J_STRING, true, 3, 200 },
	{ NULL, 0, false, 0, 0 },
};

/* A card with a default error-PoR policy stays silent on a counter it refuses: then its commands expire. */
static bool last_command_expired(struct osv_req *rq, const struct osv_card *c)
{
	struct sg_error err;
	json_t *list = osv_cmd_list(rq->srv->store, c->id, 0, 0, 1, &err);
	const char *st = json_string_value(json_object_get(json_array_get(list, 0), "state"));
	bool expired = st && !strcmp(st, "expired");

	json_decref(list);
	return expired;
}

/* Supervised: only after the card reported a drift (counter low / high) or stopped answering (its last command
 * expired), only forward, with a reason for the audit log. */
static void card_resync(struct osv_req *rq, const char *iccid)
{
	json_t *body = osv_req_json(rq, resync_fields);
	struct osv_card c;
	struct sg_error err;
	uint64_t value, old;
	int kvn, rc;

	if (!body || path_card(rq, iccid, &c) < 0)
		goto out;
	kvn = (int)json_integer_value(json_object_get(body, "kvn"));
	value = (uint64_t)json_integer_value(json_object_get(body, "counter"));
	if (c.counter_state != OSV_CNTR_DRIFT && !last_command_expired(rq, &c)) {
		osv_reply_error(rq, 409,
				"%s: counter state is %s; resynchronise only after the card reported a drift or its last "
				"command expired",
				iccid, osv_counter_state_name(c.counter_state));
		goto out;
	}
	rc = osv_counter_resync(rq->srv->store, c.id, (uint8_t)kvn, value, &old, &err);
	if (rc == 1) {
		osv_reply_error(rq, 409, "counter: %" PRIu64 " is below the last one used (%" PRIu64 "); counters never go back",
				value, old);
	} else if (rc < 0) {
		osv_reply_error(rq, 400, "%s", err.msg);
	} else if (osv_card_set_counter_state(rq->srv->store, c.id, OSV_CNTR_OK, &err) < 0) {
		osv_reply_store_error(rq, &err);
	} else {
		snprintf(rq->detail, sizeof(rq->detail), "keyset %d counter %" PRIu64 " -> %" PRIu64 ": %.120s", kvn,
			 old, value, json_string_value(json_object_get(body, "reason")));
		osv_reply(rq, 200, json_pack("{s:s, s:i, s:I, s:I}", "iccid", c.iccid, "kvn", kvn, "previous",
					     (json_int_t)old, "counter", (json_int_t)value));
	}
out:
	json_decref(body);
}

static void blocklist(struct osv_req *rq, const char *arg)
{
	const char *format = osv_req_query(rq, "format");
	struct sg_error err;
	json_t *list = osv_device_blocklist(rq->srv->store, &err), *item;
	size_t i, size;
	char *csv;

	snprintf(rq->target, sizeof(rq->target), "blocklist");
	if (!list) {
		osv_reply_store_error(rq, &err);
		return;
	}
	if (!format || !strcmp(format, "json")) {
		osv_reply(rq, 200, json_pack("{s:o}", "devices", list));
		return;
	}
	if (strcmp(format, "csv")) {
		json_decref(list);
		osv_reply_error(rq, 400, "format: '%.20s' is neither json nor csv", format);
		return;
	}
	size = 32 + json_array_size(list) * 80;
	csv = malloc(size);
	if (!csv) {
		json_decref(list);
		osv_reply_error(rq, 500, "out of memory");
		return;
	}
	snprintf(csv, size, "IMEI,ICCID,MSISDN,SINCE\n");
	json_array_foreach (list, i, item)
		snprintf(csv + strlen(csv), size - strlen(csv), "%s,%s,%s,%" JSON_INTEGER_FORMAT "\n",
			 json_string_value(json_object_get(item, "imei")),
			 json_string_value(json_object_get(item, "iccid")),
			 json_string_value(json_object_get(item, "msisdn")),
			 json_integer_value(json_object_get(item, "since")));
	json_decref(list);
	rq->raw = csv;
	rq->raw_type = "text/csv";
	rq->status = 200;
}

const struct osv_route osv_routes_cards[] = {
	{ "POST", "/v1/cards/import", cards_import, W_SUPER, NULL },
	{ "GET", "/v1/cards", cards_list, W_OPERATOR, NULL },
	{ "GET", "/v1/cards/*", card_show, W_OPERATOR, NULL },
	{ "POST", "/v1/cards/*/resync", card_resync, W_SUPER, NULL },
	{ "GET", "/v1/blocklist", blocklist, W_SUPER, NULL },
	{ NULL, NULL, NULL, 0, NULL },
};
