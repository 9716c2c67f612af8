/* `otactl audit`: verify the hash chain - through the server (supervisor), or offline on the database with the
 * master key (an auditor's copy) - and list entries. A changed, removed, reordered or cut-off entry makes verify
 * exit 1 naming the first bad entry. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "otasrv/keybox.h"
#include "otasrv/otactl_api.h"
#include "otasrv/store.h"

static void show_verdict(json_t *r)
{
	json_t *p = json_object_get(r, "problem");

	if (json_is_true(json_object_get(r, "intact")))
		printf("audit log intact: %lld entries\n", (long long)json_integer_value(json_object_get(r, "entries")));
	else
		printf("audit log NOT intact: entry %lld: %s\n", (long long)json_integer_value(json_object_get(p, "seq")),
		       json_string_value(json_object_get(p, "what")));
}

static int verdict_exit(const struct otactl_args *a, json_t *r)
{
	bool intact = json_is_true(json_object_get(r, "intact"));

	if (a->json)
		otactl_print_json(json_incref(r));
	else
		show_verdict(r);
	json_decref(r);
	return intact ? OTACTL_OK : OTACTL_CHECK_FAILED;
}

static int verify_offline(const struct otactl_args *a, const char *db, const char *keyfile)
{
	struct osv_audit_problem p;
	struct osv_keybox kb;
	struct osv_store *s;
	struct sg_error err;
	int64_t n;
	int rc;

	if (!keyfile)
		return otactl_fail("audit verify --db: --master-key FILE is required (the chain is keyed)");
	if (osv_keybox_load(&kb, keyfile, &err) < 0)
		return otactl_fail("%s", err.msg);
	s = osv_store_open(db, &kb, "otactl-audit", &err);
	if (!s) {
		osv_keybox_cleanse(&kb);
		return otactl_fail("%s", err.msg);
	}
	rc = osv_audit_verify(s, &p, &n, &err);
	osv_store_close(s);
	osv_keybox_cleanse(&kb);
	if (rc < 0)
		return otactl_fail("%s", err.msg);
	if (rc)
		return verdict_exit(a, json_pack("{s:b, s:I, s:{s:I, s:s}}", "intact", 0, "entries", (json_int_t)n,
						 "problem", "seq", (json_int_t)p.seq, "what", p.what));
	return verdict_exit(a, json_pack("{s:b, s:I}", "intact", 1, "entries", (json_int_t)n));
}

static int audit_verify(const struct otactl_args *a)
{
	const char *db = otactl_opt(a, "db");
	json_t *reply;
	int status;

	if (db)
		return verify_offline(a, db, otactl_opt(a, "master-key"));
	status = otactl_http(a, "GET", "/v1/audit/verify", NULL, NULL, 0, &reply, NULL);
	if (status != 200)
		return otactl_answer(a, status, reply, NULL);
	return verdict_exit(a, reply);
}

static void show_entries(json_t *r)
{
	json_t *e;
	size_t i;

	json_array_foreach (json_object_get(r, "entries"), i, e)
		printf("%6lld %lld %-24s %-8s %3lld %s %s%s%s\n", (long long)json_integer_value(json_object_get(e, "seq")),
		       (long long)json_integer_value(json_object_get(e, "at")),
		       json_string_value(json_object_get(e, "actor")), json_string_value(json_object_get(e, "decision")),
		       (long long)json_integer_value(json_object_get(e, "status")),
		       json_string_value(json_object_get(e, "action")), json_string_value(json_object_get(e, "target")),
		       *json_string_value(json_object_get(e, "detail")) ? ": " : "",
		       json_string_value(json_object_get(e, "detail")));
}

static int audit_list(const struct otactl_args *a)
{
	const char *after = otactl_opt(a, "after");
	char path[96];
	json_t *reply;
	int status;

	if (after && strspn(after, "0123456789") != strlen(after))
		return otactl_fail("--after: '%s' is not a sequence number", after);
	snprintf(path, sizeof(path), "/v1/audit?after=%.20s", after ? after : "0");
	status = otactl_http(a, "GET", path, NULL, NULL, 0, &reply, NULL);
	return otactl_answer(a, status, reply, show_entries);
}

static const struct otactl_sub subs[] = {
	{ "verify", "[--db URI --master-key FILE]   (exit 1 when an entry was changed, removed or reordered)",
	  "db= master-key=", 0, 0, audit_verify },
	{ "list", "[--after SEQ]", "after=", 0, 0, audit_list },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

int otactl_audit(int argc, char **argv, const struct otactl_global *global)
{
	return otactl_run_sub("audit", subs, argc, argv, global);
}
