/* `otactl owners` (enrol an owner and hand out the otpauth:// URI, list, log in with password and TOTP code,
 * log out) and `otactl devices` (register a card to an owner, list, show, the owner's notifications).
 * Passwords come from files or standard input, never from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "otasrv/otactl_api.h"

static int post_json(const struct otactl_args *a, const char *path, json_t *body, void (*show)(json_t *))
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_t *reply;
	int status;

	json_decref(body);
	if (!text)
		return otactl_fail("out of memory");
	status = otactl_http(a, "POST", path, "application/json", text, strlen(text), &reply, NULL);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return otactl_answer(a, status, reply, show);
}

static int get(const struct otactl_args *a, const char *path, void (*show)(json_t *))
{
	json_t *reply;

	int status = otactl_http(a, "GET", path, NULL, NULL, 0, &reply, NULL);

	return otactl_answer(a, status, reply, show);
}

static void show_owner_added(json_t *r)
{
	printf("owner %s enrolled; TOTP enrolment URI (show it once, as a QR code):\n%s\n",
	       json_string_value(json_object_get(r, "name")), json_string_value(json_object_get(r, "otpauth")));
}

static int owners_add(const struct otactl_args *a)
{
	const char *pwfile = otactl_opt(a, "password-file"), *msisdn = otactl_opt(a, "notify-msisdn");
	char pw[258];
	json_t *body;

	if (!pwfile)
		return otactl_fail("owners add: --password-file FILE (or - for standard input) is required");
	if (otactl_read_secret(pwfile, "password", pw, sizeof(pw)) < 0)
		return OTACTL_USAGE;
	body = json_pack("{s:s, s:s}", "name", a->pos[0], "password", pw);
	OPENSSL_cleanse(pw, sizeof(pw));
	if (msisdn)
		json_object_set_new(body, "notify_msisdn", json_string(msisdn));
	return post_json(a, "/v1/owners", body, show_owner_added);
}

static void show_owners(json_t *r)
{
	json_t *o;
	size_t i;

	json_array_foreach (json_object_get(r, "owners"), i, o)
		printf("%-24s devices %lld%s\n", json_string_value(json_object_get(o, "name")),
		       (long long)json_integer_value(json_object_get(o, "devices")),
		       json_integer_value(json_object_get(o, "locked_until")) ? " (locked out)" : "");
}

static int owners_list(const struct otactl_args *a)
{
	return get(a, "/v1/owners", show_owners);
}

static void show_token(json_t *r)
{
	printf("%s\n", json_string_value(json_object_get(r, "token")));
}

static int owners_login(const struct otactl_args *a)
{
	const char *pwfile = otactl_opt(a, "password-file"), *code = otactl_opt(a, "code");
	char pw[258];
	json_t *body;

	if (!pwfile || !code)
		return otactl_fail("owners login: --password-file FILE and --code TOTP are required");
	if (otactl_read_secret(pwfile, "password", pw, sizeof(pw)) < 0)
		return OTACTL_USAGE;
	body = json_pack("{s:s, s:s, s:s}", "name", a->pos[0], "password", pw, "code", code);
	OPENSSL_cleanse(pw, sizeof(pw));
	return post_json(a, "/v1/login", body, show_token);
}

static void show_logout(json_t *r)
{
	printf("logged out\n");
}

static int owners_logout(const struct otactl_args *a)
{
	return post_json(a, "/v1/logout", json_object(), show_logout);
}

static const struct otactl_sub owner_subs[] = {
	{ "add", "NAME --password-file FILE [--notify-msisdn DIGITS]   (operator; prints the otpauth:// URI)",
	  "password-file= notify-msisdn=", 1, 1, owners_add },
	{ "list", "", "", 0, 0, owners_list },
	{ "login", "NAME --password-file FILE --code TOTP   (prints the session token for --token)",
	  "password-file= code=", 1, 1, owners_login },
	{ "logout", "--token TOKEN", "", 0, 0, owners_logout },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

int otactl_owners(int argc, char **argv, const struct otactl_global *global)
{
	return otactl_run_sub("owners", owner_subs, argc, argv, global);
}

static void show_registered(json_t *r)
{
	printf("%s registered to %s\n", json_string_value(json_object_get(r, "iccid")),
	       json_string_value(json_object_get(r, "owner")));
}

static int devices_add(const struct otactl_args *a)
{
	const char *owner = otactl_opt(a, "owner"), *label = otactl_opt(a, "label"), *imei = otactl_opt(a, "imei");
	json_t *body;

	if (!owner)
		return otactl_fail("devices add: --owner NAME is required");
	body = json_pack("{s:s, s:s}", "iccid", a->pos[0], "owner", owner);
	if (label)
		json_object_set_new(body, "label", json_string(label));
	if (imei)
		json_object_set_new(body, "imei", json_string(imei));
	return post_json(a, "/v1/devices", body, show_registered);
}

static void show_device(json_t *d)
{
	printf("%-20s %-15s owner %-16s imei %-15s lock %-8s%s%s\n", json_string_value(json_object_get(d, "iccid")),
	       json_string_value(json_object_get(d, "msisdn")), json_string_value(json_object_get(d, "owner")),
	       json_string_value(json_object_get(d, "imei"))[0] ? json_string_value(json_object_get(d, "imei")) : "-",
	       json_string_value(json_object_get(d, "lock")),
	       json_is_true(json_object_get(d, "disabled")) ? " DISABLED" : "",
	       json_is_true(json_object_get(d, "opted_out")) ? " opted-out" : "");
}

static void show_devices(json_t *r)
{
	json_t *d;
	size_t i;

	json_array_foreach (json_object_get(r, "devices"), i, d)
		show_device(d);
}

static int devices_list(const struct otactl_args *a)
{
	return get(a, "/v1/devices", show_devices);
}

static void show_device_full(json_t *d)
{
	char *last = json_dumps(json_object_get(d, "last"), JSON_INDENT(2) | JSON_SORT_KEYS);

	show_device(d);
	printf("last results: %s\n", last ? last : "{}");
	free(last);
}

static int devices_show(const struct otactl_args *a)
{
	char path[64];

	if (strspn(a->pos[0], "0123456789") != strlen(a->pos[0]) || strlen(a->pos[0]) > 20)
		return otactl_fail("%s: an ICCID is 18 to 20 digits", a->pos[0]);
	snprintf(path, sizeof(path), "/v1/devices/%s", a->pos[0]);
	return get(a, path, show_device_full);
}

static void show_notifications(json_t *r)
{
	json_t *n;
	size_t i;

	json_array_foreach (json_object_get(r, "notifications"), i, n) {
		const char *sms = json_string_value(json_object_get(n, "sms"));

		printf("%lld %s%s%s%s\n", (long long)json_integer_value(json_object_get(n, "id")),
		       json_string_value(json_object_get(n, "text")), sms ? " (SMS: " : "", sms ? sms : "",
		       sms ? ")" : "");
	}
}

static int devices_notifications(const struct otactl_args *a)
{
	return get(a, "/v1/notifications", show_notifications);
}

static const struct otactl_sub device_subs[] = {
	{ "add", "ICCID --owner NAME [--label TEXT] [--imei DIGITS]   (operator)", "owner= label= imei=", 1, 1,
	  devices_add },
	{ "list", "   (operators: all; owners: their own)", "", 0, 0, devices_list },
	{ "show", "ICCID", "", 1, 1, devices_show },
	{ "notifications", "   (owner: what was done to your devices)", "", 0, 0, devices_notifications },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

int otactl_devices(int argc, char **argv, const struct otactl_global *global)
{
	return otactl_run_sub("devices", device_subs, argc, argv, global);
}
