/* handset-sim's own user data (contacts, notes), sealed with AES-256-GCM under a key the anti-theft applet hands
 * out at power-up (specs/antitheft-protocol.md). The key stays in memory only while the handset runs; after a
 * remote WIPE the applet has a new key, and the old file stays sealed for good. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "pcsct/antitheft_key.h"
#include "pcsct/handset.h"

static void ud_path(const struct handset *hs, char *path, size_t size)
{
	snprintf(path, size, "%s/userdata.sealed", hs->cfg.data_dir);
}

static void no_key(struct handset *hs, enum handset_userdata_state st, const char *why)
{
	hs->ud_state = st;
	snprintf(hs->ud_error, sizeof(hs->ud_error), "%s", why);
	handset_event(hs, "user data key: %s", why);
}

void handset_userdata_open(struct handset *hs)
{
	char path[300];
	struct sg_error err;
	enum pcsct_ud_result r;

	handset_userdata_close(hs);
	if (!hs->cfg.data_dir[0])
		return;
	ud_path(hs, path, sizeof(path));
	switch (pcsct_antitheft_user_key(hs->card, hs->ud_key, &err)) {
	case PCSCT_KEY_OK:
		break;
	case PCSCT_KEY_LOCKED:
		no_key(hs, HS_UD_LOCKED, err.msg);
		return;
	case PCSCT_KEY_DESTROYED:
		/* Whatever was sealed under the old key stays sealed; a handset with nothing stored yet starts anew. */
		no_key(hs, access(path, F_OK) == 0 ? HS_UD_UNREADABLE : HS_UD_NONE, err.msg);
		return;
	default:
		no_key(hs, HS_UD_NONE, err.msg);
		return;
	}
	hs->have_ud_key = true;
	r = pcsct_user_data_load(path, hs->ud_key, &hs->user_data, &err);
	switch (r) {
	case PCSCT_UD_OK:
		hs->ud_state = HS_UD_OPEN;
		break;
	case PCSCT_UD_ABSENT:
		hs->user_data = pcsct_user_data_new();
		hs->ud_state = HS_UD_OPEN;
		break;
	case PCSCT_UD_WRONG_KEY:
		hs->ud_state = HS_UD_UNREADABLE;
		snprintf(hs->ud_error, sizeof(hs->ud_error), "%s", err.msg);
		handset_event(hs, "user data unreadable: %s", err.msg);
		break;
	default:
		hs->ud_state = HS_UD_ERROR;
		snprintf(hs->ud_error, sizeof(hs->ud_error), "%s", err.msg);
		handset_event(hs, "user data: %s", err.msg);
		break;
	}
	handset_changed(hs);
}

void handset_userdata_close(struct handset *hs)
{
	OPENSSL_cleanse(hs->ud_key, sizeof(hs->ud_key));
	hs->have_ud_key = false;
	json_decref(hs->user_data);
	hs->user_data = NULL;
	hs->ud_state = HS_UD_NONE;
	hs->ud_error[0] = '\0';
}

int handset_userdata_add(struct handset *hs, const char *kind, const char *a, const char *b, struct sg_error *err)
{
	char path[300];
	json_t *list;

	if (hs->ud_state != HS_UD_OPEN)
		return sg_err(err, "user data is not open (%s)", hs->ud_error[0] ? hs->ud_error : "no key");
	if (strcmp(kind, "contact") == 0) {
		list = json_object_get(hs->user_data, "contacts");
		json_array_append_new(list, json_pack("{s:s,s:s}", "name", a, "number", b ? b : ""));
	} else if (strcmp(kind, "note") == 0) {
		list = json_object_get(hs->user_data, "notes");
		json_array_append_new(list, json_string(a));
	} else {
		return sg_err(err, "user data: '%s' is neither contact nor note", kind);
	}
	ud_path(hs, path, sizeof(path));
	if (pcsct_user_data_save(path, hs->ud_key, hs->user_data, err) < 0)
		return -1;
	handset_event(hs, "user data: %s added", kind);
	handset_changed(hs);
	return 0;
}
