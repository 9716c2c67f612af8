/* `otactl cards`: import a card-data CSV (nothing is imported unless every line is good; bad lines are listed
 * with their numbers), list, show, supervised counter resynchronisation, and the EIR block list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otasrv/otactl_api.h"

#define MAX_CSV (64 << 20)

static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 65536, n = 0;
	char *buf;

	if (!f) {
		otactl_fail("%s: cannot open", path);
		return NULL;
	}
	buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			char *more = cap < MAX_CSV ? realloc(buf, cap * 2) : NULL;

			if (!more) {
				otactl_fail("%s: larger than %d bytes", path, MAX_CSV);
				free(buf);
				buf = NULL;
				break;
			}
			buf = more;
			cap *= 2;
		}
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static void show_import(json_t *r)
{
	printf("%lld cards imported\n", (long long)json_integer_value(json_object_get(r, "imported")));
}

static int cards_import(const struct otactl_args *a)
{
	json_t *reply;
	size_t len;
	char *csv = read_file(a->pos[0], &len);
	int status;

	if (!csv)
		return OTACTL_USAGE;
	status = otactl_http(a, "POST", "/v1/cards/import", "text/csv", csv, len, &reply, NULL);
	free(csv);
	return otactl_answer(a, status, reply, show_import);
}

static void show_card_line(json_t *c)
{
	printf("%-20s %-16s %-15s tar %s spi %s kvn %lld %-4s counter %s owner %s\n",
	       json_string_value(json_object_get(c, "iccid")), json_string_value(json_object_get(c, "imsi")),
	       json_string_value(json_object_get(c, "msisdn")), json_string_value(json_object_get(c, "tar")),
	       json_string_value(json_object_get(c, "spi")), (long long)json_integer_value(json_object_get(c, "kvn")),
	       json_string_value(json_object_get(c, "dialect")), json_string_value(json_object_get(c, "counter_state")),
	       json_is_string(json_object_get(c, "owner")) ? json_string_value(json_object_get(c, "owner")) : "-");
}

static void show_cards(json_t *r)
{
	json_t *c;
	size_t i;

	json_array_foreach (json_object_get(r, "cards"), i, c)
		show_card_line(c);
}

static int cards_list(const struct otactl_args *a)
{
	char path[128];
	json_t *reply;
	const char *after = otactl_opt(a, "after");

	snprintf(path, sizeof(path), "/v1/cards?limit=64%s%.40s", after ? "&after=" : "", after ? after : "");
	int status = otactl_http(a, "GET", path, NULL, NULL, 0, &reply, NULL);

	return otactl_answer(a, status, reply, show_cards);
}

static void show_card(json_t *c)
{
	json_t *k;
	size_t i;

	show_card_line(c);
	json_array_foreach (json_object_get(c, "keysets"), i, k)
		printf("  keyset %lld: KIc %s KID %s, last counter %lld\n",
		       (long long)json_integer_value(json_object_get(k, "kvn")),
		       json_string_value(json_object_get(k, "kic")), json_string_value(json_object_get(k, "kid")),
		       (long long)json_integer_value(json_object_get(k, "counter")));
}

/* ICCIDs are digits: nothing in them needs escaping in a path, and anything else is refused here. */
static int iccid_ok(const char *iccid)
{
	size_t n = strspn(iccid, "0123456789");

	if (n < 18 || n > 20 || iccid[n])
		return otactl_fail("%s: an ICCID is 18 to 20 digits", iccid);
	return 0;
}

static int cards_show(const struct otactl_args *a)
{
	char path[64];
	json_t *reply;

	if (iccid_ok(a->pos[0]) < 0)
		return OTACTL_USAGE;
	snprintf(path, sizeof(path), "/v1/cards/%s", a->pos[0]);
	int status = otactl_http(a, "GET", path, NULL, NULL, 0, &reply, NULL);

	return otactl_answer(a, status, reply, show_card);
}

static void show_resync(json_t *r)
{
	printf("%s keyset %lld: counter %lld -> %lld\n", json_string_value(json_object_get(r, "iccid")),
	       (long long)json_integer_value(json_object_get(r, "kvn")),
	       (long long)json_integer_value(json_object_get(r, "previous")),
	       (long long)json_integer_value(json_object_get(r, "counter")));
}

static int cards_resync(const struct otactl_args *a)
{
	const char *kvn = otactl_opt(a, "kvn"), *cntr = otactl_opt(a, "counter"), *reason = otactl_opt(a, "reason");
	char path[64], *end;
	json_t *body, *reply;
	char *text;
	long long k, c;
	int status;

	if (iccid_ok(a->pos[0]) < 0)
		return OTACTL_USAGE;
	if (!kvn || !cntr || !reason)
		return otactl_fail("cards resync: --kvn, --counter and --reason are required");
	k = strtoll(kvn, &end, 10);
	if (*end || k < 1 || k > 15)
		return otactl_fail("--kvn: '%s' is not a key version 1..15", kvn);
	c = strtoll(cntr, &end, 10);
	if (*end || c < 0 || c > 0xFFFFFFFFFFLL)
		return otactl_fail("--counter: '%s' is not a 40-bit counter", cntr);
	snprintf(path, sizeof(path), "/v1/cards/%s/resync", a->pos[0]);
	body = json_pack("{s:I, s:I, s:s}", "kvn", (json_int_t)k, "counter", (json_int_t)c, "reason", reason);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	status = otactl_http(a, "POST", path, "application/json", text, strlen(text), &reply, NULL);
	free(text);
	return otactl_answer(a, status, reply, show_resync);
}

static int cards_blocklist(const struct otactl_args *a)
{
	bool csv = otactl_opt(a, "csv") != NULL;
	json_t *reply;
	char *raw;
	int status = otactl_http(a, "GET", csv ? "/v1/blocklist?format=csv" : "/v1/blocklist", NULL, NULL, 0, &reply,
				 &raw);

	if (csv && status == 200) {
		fputs(raw, stdout);
		free(raw);
		json_decref(reply);
		return OTACTL_OK;
	}
	free(raw);
	return otactl_answer(a, status, reply, NULL);
}

static const struct otactl_sub subs[] = {
	{ "import", "FILE.csv   (ICCID,IMSI,MSISDN,KIC1,KID1,KIK1,ALGO1,CNTR1,...,TAR,SPI,KVN,DIALECT; - = stdin)", "",
	  1, 1, cards_import },
	{ "list", "[--after ICCID]", "after=", 0, 0, cards_list },
	{ "show", "ICCID", "", 1, 1, cards_show },
	{ "resync", "ICCID --kvn N --counter N --reason TEXT   (supervisor, after a counter drift)",
	  "kvn= counter= reason=", 1, 1, cards_resync },
	{ "blocklist", "[--csv]   IMEIs of disabled devices for an EIR / CEIR", "csv", 0, 0, cards_blocklist },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

int otactl_cards(int argc, char **argv, const struct otactl_global *global)
{
	return otactl_run_sub("cards", subs, argc, argv, global);
}
