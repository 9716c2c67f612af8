/* `otactl commands`: send one (owner or operator), status, the packets sent for it (attempts), list, approve
 * (second operator), campaigns (one command for a list of cards) and watch - a live progress display until the
 * command or campaign is done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "otasrv/otactl_api.h"

static const char param_opts[] = "message= contact= duration= tone= secret-file= old-secret-file= tar= apdus= wait "
				 "timeout=";

static int add_int(json_t *body, const char *field, const char *v)
{
	char *end;
	long long x = strtoll(v, &end, 10);

	if (!*v || *end)
		return otactl_fail("--%s: '%s' is not a number", field, v);
	json_object_set_new(body, field, json_integer(x));
	return 0;
}

static int add_secret(json_t *body, const char *field, const char *file)
{
	char secret[130];

	if (otactl_read_secret(file, field, secret, sizeof(secret)) < 0)
		return -1;
	json_object_set_new(body, field, json_string(secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}

/* The request body from the options; the server checks which apply to the command. */
static json_t *command_body(const struct otactl_args *a, const char *command)
{
	static const char *const strings[] = { "message", "contact", "tar", "apdus" };
	json_t *body = json_pack("{s:s}", "command", command);
	const char *v;

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if ((v = otactl_opt(a, strings[i])))
			json_object_set_new(body, strings[i], json_string(v));
	if (((v = otactl_opt(a, "duration")) && add_int(body, "duration", v) < 0) ||
	    ((v = otactl_opt(a, "tone")) && add_int(body, "tone", v) < 0) ||
	    ((v = otactl_opt(a, "secret-file")) && add_secret(body, "secret", v) < 0) ||
	    ((v = otactl_opt(a, "old-secret-file")) && add_secret(body, "old_secret", v) < 0)) {
		json_decref(body);
		return NULL;
	}
	return body;
}

static int post(const struct otactl_args *a, const char *path, json_t *body, json_t **reply)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int status;

	json_decref(body);
	if (!text)
		return otactl_fail("out of memory");
	status = otactl_http(a, "POST", path, "application/json", text, strlen(text), reply, NULL);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return status;
}

static bool final_state(const char *st)
{
	return st && (!strcmp(st, "confirmed") || !strcmp(st, "rejected") || !strcmp(st, "expired") ||
		      !strcmp(st, "cancelled"));
}

static void show_command(json_t *c)
{
	const char *detail = json_string_value(json_object_get(c, "detail"));
	char *result = json_dumps(json_object_get(c, "result"), JSON_COMPACT | JSON_SORT_KEYS);

	printf("command %lld: %s %s by %s: %s%s%s", (long long)json_integer_value(json_object_get(c, "id")),
	       json_string_value(json_object_get(c, "command")), json_string_value(json_object_get(c, "iccid")),
	       json_string_value(json_object_get(c, "actor")), json_string_value(json_object_get(c, "state")),
	       detail ? " - " : "", detail ? detail : "");
	if (json_integer_value(json_object_get(c, "attempts")))
		printf(" (%lld sends)", (long long)json_integer_value(json_object_get(c, "attempts")));
	if (result && strcmp(result, "{}"))
		printf("\n  result %s", result);
	printf("\n");
	free(result);
}

/* Poll a command (kind "commands") or a campaign until it is finished; progress on one line. Exit 0 when every
 * command was confirmed, 1 otherwise or on timeout. */
static int watch(const struct otactl_args *a, const char *kind, long long id)
{
	const char *t = otactl_opt(a, "timeout");
	time_t end = time(NULL) + (t ? atoi(t) : 1200);
	bool tty = isatty(1) && !a->json;
	char path[64];

	snprintf(path, sizeof(path), "/v1/%s/%lld", kind, id);
	for (;;) {
		json_t *r;
		int status = otactl_http(a, "GET", path, NULL, NULL, 0, &r, NULL);
		bool done, ok;

		if (status != 200)
			return otactl_answer(a, status, r, NULL);
		if (!strcmp(kind, "commands")) {
			const char *st = json_string_value(json_object_get(r, "state"));

			done = final_state(st);
			ok = st && !strcmp(st, "confirmed");
			if (tty && !done)
				printf("\rcommand %lld: %-20s", id, st);
		} else {
			json_t *s = json_object_get(r, "states");
			long long total = json_integer_value(json_object_get(r, "total"));
			long long fin = json_integer_value(json_object_get(r, "finished"));
			long long conf = json_integer_value(json_object_get(s, "confirmed"));

			done = fin == total;
			ok = conf == total;
			if (!a->json && (tty || done))
				printf("%scampaign %lld: %lld/%lld finished - confirmed %lld, rejected %lld, expired %lld, "
				       "in flight %lld%s",
				       tty ? "\r" : "", id, fin, total, conf,
				       (long long)json_integer_value(json_object_get(s, "rejected")),
				       (long long)json_integer_value(json_object_get(s, "expired")),
				       total - fin, done || !tty ? "\n" : "");
		}
		fflush(stdout);
		if (done || time(NULL) >= end) {
			if (tty && !strcmp(kind, "commands"))
				printf("\r");
			if (a->json)
				otactl_print_json(json_incref(r));
			else if (!strcmp(kind, "commands"))
				show_command(r);
			json_decref(r);
			if (!done)
				fprintf(stderr, "otactl: not finished within the timeout\n");
			return done && ok ? OTACTL_OK : OTACTL_CHECK_FAILED;
		}
		json_decref(r);
		sleep(1);
	}
}

static int iccid_ok(const char *iccid)
{
	size_t n = strspn(iccid, "0123456789");

	if (n < 18 || n > 20 || iccid[n])
		return otactl_fail("%s: an ICCID is 18 to 20 digits", iccid);
	return 0;
}

static void show_accepted(json_t *r)
{
	printf("command %lld %s\n", (long long)json_integer_value(json_object_get(r, "id")),
	       json_string_value(json_object_get(r, "state")));
}

static int commands_send(const struct otactl_args *a)
{
	json_t *body, *reply;
	char path[80];
	long long id;
	int status;

	if (iccid_ok(a->pos[0]) < 0)
		return OTACTL_USAGE;
	body = command_body(a, a->pos[1]);
	if (!body)
		return OTACTL_USAGE;
	snprintf(path, sizeof(path), "/v1/devices/%s/commands", a->pos[0]);
	status = post(a, path, body, &reply);
	if (status != 202 || !otactl_opt(a, "wait"))
		return otactl_answer(a, status, reply, show_accepted);
	id = json_integer_value(json_object_get(reply, "id"));
	json_decref(reply);
	return watch(a, "commands", id);
}

static long long id_arg(const char *v, const char *what)
{
	char *end;
	long long id = strtoll(v, &end, 10);

	if (!*v || *end || id <= 0) {
		otactl_fail("%s: '%s' is not an id", what, v);
		return -1;
	}
	return id;
}

/* GET /v1/commands/ID[suffix] for the command ID given, shown by show. */
static int command_get(const struct otactl_args *a, const char *suffix, void (*show)(json_t *reply))
{
	long long id = id_arg(a->pos[0], "command");
	char path[80];
	json_t *reply;
	int status;

	if (id < 0)
		return OTACTL_USAGE;
	snprintf(path, sizeof(path), "/v1/commands/%lld%s", id, suffix);
	status = otactl_http(a, "GET", path, NULL, NULL, 0, &reply, NULL);
	return otactl_answer(a, status, reply, show);
}

static int commands_status(const struct otactl_args *a)
{
	return command_get(a, "", show_command);
}

static void show_attempts(json_t *r)
{
	json_t *t;
	size_t i;

	printf("command %lld to %s: %zu attempts\n", (long long)json_integer_value(json_object_get(r, "id")),
	       json_string_value(json_object_get(r, "iccid")), json_array_size(json_object_get(r, "attempts")));
	json_array_foreach (json_object_get(r, "attempts"), i, t) {
		time_t at = (time_t)json_integer_value(json_object_get(t, "sent_at"));
		const char *msgid = json_string_value(json_object_get(t, "msgid"));
		char when[32];

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&at));
		printf("attempt %zu: keyset %lld, counter %lld, sent %s UTC, SMSC message id %s\n  packet %s\n", i + 1,
		       (long long)json_integer_value(json_object_get(t, "kvn")),
		       (long long)json_integer_value(json_object_get(t, "cntr")), when,
		       msgid && *msgid ? msgid : "(none yet)", json_string_value(json_object_get(t, "packet")));
	}
}

static int commands_attempts(const struct otactl_args *a)
{
	return command_get(a, "/attempts", show_attempts);
}

static int commands_watch(const struct otactl_args *a)
{
	const char *campaign = otactl_opt(a, "campaign");
	long long id = id_arg(campaign ? campaign : a->npos ? a->pos[0] : "", campaign ? "--campaign" : "command");

	return id < 0 ? OTACTL_USAGE : watch(a, campaign ? "campaigns" : "commands", id);
}

static void show_list(json_t *r)
{
	json_t *c;
	size_t i;

	json_array_foreach (json_object_get(r, "commands"), i, c)
		show_command(c);
}

static int commands_list(const struct otactl_args *a)
{
	const char *iccid = otactl_opt(a, "iccid"), *campaign = otactl_opt(a, "campaign");
	char path[128];
	json_t *reply;
	int status;

	if ((iccid && iccid_ok(iccid) < 0) || (campaign && id_arg(campaign, "--campaign") < 0))
		return OTACTL_USAGE;
	snprintf(path, sizeof(path), "/v1/commands?limit=100%s%s%s%s", iccid ? "&iccid=" : "", iccid ? iccid : "",
		 campaign ? "&campaign=" : "", campaign ? campaign : "");
	status = otactl_http(a, "GET", path, NULL, NULL, 0, &reply, NULL);
	return otactl_answer(a, status, reply, show_list);
}

static void show_approved(json_t *r)
{
	if (json_object_get(r, "approved"))
		printf("campaign %lld: %lld commands approved\n", (long long)json_integer_value(json_object_get(r, "id")),
		       (long long)json_integer_value(json_object_get(r, "approved")));
	else
		show_accepted(r);
}

static int commands_approve(const struct otactl_args *a)
{
	const char *campaign = otactl_opt(a, "campaign");
	long long id = id_arg(campaign ? campaign : a->npos ? a->pos[0] : "", campaign ? "--campaign" : "command");
	char path[64];
	json_t *reply;
	int status;

	if (id < 0)
		return OTACTL_USAGE;
	snprintf(path, sizeof(path), "/v1/%s/%lld/approve", campaign ? "campaigns" : "commands", id);
	status = post(a, path, json_object(), &reply);
	return otactl_answer(a, status, reply, show_approved);
}

/* ICCIDs one per line (blank lines and # comments skipped). */
static json_t *read_iccids(const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	json_t *list = json_array();
	char line[128];
	int n = 0;

	if (!f) {
		otactl_fail("%s: cannot open", file);
		json_decref(list);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		n++;
		p[strcspn(p, " \t\r\n#")] = '\0';
		if (!*p)
			continue;
		if (iccid_ok(p) < 0) {
			fprintf(stderr, "otactl: %s line %d\n", file, n);
			json_decref(list);
			list = NULL;
			break;
		}
		json_array_append_new(list, json_string(p));
	}
	if (f != stdin)
		fclose(f);
	if (list && !json_array_size(list)) {
		otactl_fail("%s: no ICCIDs in it", file);
		json_decref(list);
		return NULL;
	}
	return list;
}

static void show_campaign(json_t *r)
{
	json_t *x;
	size_t i;

	printf("campaign %lld: %lld commands accepted, %zu refused\n", (long long)json_integer_value(json_object_get(r, "id")),
	       (long long)json_integer_value(json_object_get(r, "accepted")), json_array_size(json_object_get(r, "refused")));
	json_array_foreach (json_object_get(r, "refused"), i, x)
		printf("  %s: %s\n", json_string_value(json_object_get(x, "iccid")),
		       json_string_value(json_object_get(x, "error")));
}

static int commands_campaign(const struct otactl_args *a)
{
	const char *file = otactl_opt(a, "iccids-file");
	json_t *body, *iccids, *reply;
	long long id;
	int status;

	if (!file)
		return otactl_fail("commands campaign: --iccids-file FILE is required");
	iccids = read_iccids(file);
	body = iccids ? command_body(a, a->pos[0]) : NULL;
	if (!body) {
		json_decref(iccids);
		return OTACTL_USAGE;
	}
	json_object_set_new(body, "iccids", iccids);
	status = post(a, "/v1/campaigns", body, &reply);
	if (status != 202 || !otactl_opt(a, "watch"))
		return otactl_answer(a, status, reply, show_campaign);
	if (!a->json)
		show_campaign(reply);
	id = json_integer_value(json_object_get(reply, "id"));
	json_decref(reply);
	return watch(a, "campaigns", id);
}

static const struct otactl_sub subs[] = {
	{ "send",
	  "ICCID COMMAND [--message TEXT] [--contact NUMBER] [--duration S] [--tone N] [--secret-file F]\n"
	  "       [--old-secret-file F] [--tar HEX --apdus HEX] [--wait [--timeout S]]\n"
	  "       COMMAND: lock disable unlock wipe locate ring message status opt-out opt-in enrol rfm",
	  param_opts, 2, 2, commands_send },
	{ "status", "ID", "", 1, 1, commands_status },
	{ "attempts", "ID   (the secured packets sent for it: keyset, counter, packet hex, SMSC message id)", "", 1, 1,
	  commands_attempts },
	{ "watch", "ID | --campaign ID [--timeout S]   (live progress until done)", "campaign= timeout=", 0, 1,
	  commands_watch },
	{ "list", "[--iccid ICCID] [--campaign ID]", "iccid= campaign=", 0, 0, commands_list },
	{ "approve", "ID | --campaign ID   (a second operator approves DISABLE / WIPE)", "campaign=", 0, 1,
	  commands_approve },
	{ "campaign", "COMMAND --iccids-file FILE [--message TEXT ...] [--watch [--timeout S]]   (supervisor)",
	  "iccids-file= watch message= contact= duration= tone= timeout=", 1, 1, commands_campaign },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

int otactl_commands(int argc, char **argv, const struct otactl_global *global)
{
	return otactl_run_sub("commands", subs, argc, argv, global);
}
