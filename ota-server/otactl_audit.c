/* `otactl audit`: verify the hash chain - through the server (supervisor), or offline on the database with the
 * master key (an auditor's copy) - list entries, and print the head as an anchor (SEQ:HASH) to keep off-box. A
 * changed, removed, reordered or cut-off entry makes verify exit 1 naming the first bad entry; so does an anchor
 * the chain no longer holds (rewritten or cut off by someone with the database and the master key). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "otasrv/keybox.h"
#include "otasrv/otactl_api.h"
#include "otasrv/store.h"

static void show_verdict(json_t *r)
{
	json_t *p = json_object_get(r, "problem");

	if (json_is_true(json_object_get(r, "intact")))
		printf("audit log intact: %lld entries, %lld anchors held\n",
		       (long long)json_integer_value(json_object_get(r, "entries")),
		       (long long)json_integer_value(json_object_get(r, "anchors")));
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

struct anchors {
	struct osv_audit_anchor *v;
	size_t n, cap;
};

static int anchors_add(struct anchors *l, const char *text, const char *where)
{
	struct sg_error err;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct osv_audit_anchor *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return otactl_fail("out of memory reading the anchors");
		l->v = v;
		l->cap = cap;
	}
	if (osv_audit_anchor_parse(text, &l->v[l->n], &err) < 0)
		return otactl_fail("%s%s", where, err.msg);
	l->n++;
	return 0;
}

/* One anchor a line; blank lines and '#' comments skipped. */
static int anchors_read(struct anchors *l, const char *file)
{
	FILE *f = fopen(file, "r");
	char line[256], where[300];
	int rc = 0;

	if (!f)
		return otactl_fail("--anchors: cannot open %s: %s", file, strerror(errno));
	for (int no = 1; rc == 0 && fgets(line, sizeof(line), f); no++) {
		char *t = line + strspn(line, " \t");

		t[strcspn(t, " \t\r\n")] = '\0';
		snprintf(where, sizeof(where), "%s line %d: ", file, no);
		if (*t && *t != '#')
			rc = anchors_add(l, t, where);
	}
	fclose(f);
	return rc;
}

/* --anchor SEQ:HASH (repeatable) and --anchors FILE. */
static int anchors_collect(const struct otactl_args *a, struct anchors *l)
{
	const char *file = otactl_opt(a, "anchors");

	for (int i = 0; i < a->nopt; i++)
		if (!strcmp(a->names[i], "anchor") && anchors_add(l, a->vals[i], "--anchor: ") != 0)
			return OTACTL_USAGE;
	return file ? anchors_read(l, file) : 0;
}

static json_t *verdict(int rc, const struct osv_audit_problem *p, int64_t n, size_t anchors)
{
	if (rc)
		return json_pack("{s:b, s:I, s:I, s:{s:I, s:s}}", "intact", 0, "entries", (json_int_t)n, "anchors",
				 (json_int_t)anchors, "problem", "seq", (json_int_t)p->seq, "what", p->what);
	return json_pack("{s:b, s:I, s:I}", "intact", 1, "entries", (json_int_t)n, "anchors", (json_int_t)anchors);
}

static int verify_offline(const struct otactl_args *a, const char *db, const char *keyfile, const struct anchors *l)
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
	rc = osv_audit_verify_anchored(s, l->v, l->n, &p, &n, &err);
	osv_store_close(s);
	osv_keybox_cleanse(&kb);
	if (rc < 0)
		return otactl_fail("%s", err.msg);
	return verdict_exit(a, verdict(rc, &p, n, l->n));
}

/* As many as the server takes in one query string (api_audit.c: MAX_ANCHORS). */
#define ANCHORS_PER_REQUEST 32

/* The server checks the chain and the anchors, ANCHORS_PER_REQUEST a request; the first problem wins. */
static int verify_online(const struct otactl_args *a, const struct anchors *l)
{
	char path[64 + ANCHORS_PER_REQUEST * (8 + OSV_AUDIT_ANCHOR_STRLEN)], text[OSV_AUDIT_ANCHOR_STRLEN];
	json_t *reply = NULL;
	size_t i = 0;

	do {
		size_t len = (size_t)snprintf(path, sizeof(path), "/v1/audit/verify");
		int status;

		for (size_t k = 0; k < ANCHORS_PER_REQUEST && i < l->n; k++, i++) {
			osv_audit_anchor_format(&l->v[i], text);
			len += (size_t)snprintf(path + len, sizeof(path) - len, "%canchor=%s", k ? '&' : '?', text);
		}
		json_decref(reply);
		status = otactl_http(a, "GET", path, NULL, NULL, 0, &reply, NULL);
		if (status != 200)
			return otactl_answer(a, status, reply, NULL);
	} while (json_is_true(json_object_get(reply, "intact")) && i < l->n);
	json_object_set_new(reply, "anchors", json_integer((json_int_t)l->n));
	return verdict_exit(a, reply);
}

static int audit_verify(const struct otactl_args *a)
{
	const char *db = otactl_opt(a, "db");
	struct anchors l = { 0 };
	int rc = anchors_collect(a, &l);

	if (rc == 0)
		rc = db ? verify_offline(a, db, otactl_opt(a, "master-key"), &l) : verify_online(a, &l);
	free(l.v);
	return rc;
}

static void show_head(json_t *r)
{
	printf("%lld:%s\n", (long long)json_integer_value(json_object_get(r, "seq")),
	       json_string_value(json_object_get(r, "hash")));
}

static int audit_head(const struct otactl_args *a)
{
	json_t *reply;
	int status = otactl_http(a, "GET", "/v1/audit/head", NULL, NULL, 0, &reply, NULL);

	return otactl_answer(a, status, reply, show_head);
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
	{ "verify",
	  "[--db URI --master-key FILE] [--anchor SEQ:HASH]... [--anchors FILE]   (exit 1 when an entry was changed,"
	  " removed or reordered, or an anchor is not in the chain: rewritten or cut off)",
	  "db= master-key= anchor= anchors=", 0, 0, audit_verify },
	{ "head", "   (the latest entry as SEQ:HASH, an anchor to keep where the database holder cannot rewrite it)", "",
	  0, 0, audit_head },
	{ "list", "[--after SEQ]", "after=", 0, 0, audit_list },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

int otactl_audit(int argc, char **argv, const struct otactl_global *global)
{
	return otactl_run_sub("audit", subs, argc, argv, global);
}
