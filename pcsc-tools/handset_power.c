/* handset-sim power-up and power-down: the order a handset talks to its card in (TERMINAL PROFILE, USIM, PIN1,
 * IMSI, user data key, network attach), and what each failure leaves the handset with. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/logging.h>

#include "pcsct/handset.h"

const char *handset_card_state_name(enum handset_card_state s)
{
	switch (s) {
	case HS_CARD_READY:
		return "ready";
	case HS_CARD_PIN_NEEDED:
		return "PIN needed";
	case HS_CARD_BLOCKED:
		return "PIN blocked";
	case HS_CARD_ERROR:
		return "card error";
	default:
		return "no card";
	}
}

static void set_service(struct handset *hs, enum pcsct_service s)
{
	if (hs->me.service == s)
		return;
	hs->me.service = s;
	handset_event(hs, "service: %s", pcsct_service_name(s));
	handset_location_event(hs);
	handset_changed(hs);
}

void handset_card_failed(struct handset *hs, const char *what, const char *why)
{
	snprintf(hs->card_error, sizeof(hs->card_error), "%s: %s", what, why);
	hs->card_state = HS_CARD_ERROR;
	handset_event(hs, "SIM failure: %s", hs->card_error);
	hs->me.service = PCSCT_SVC_NO_SERVICE;
	handset_changed(hs);
}

/* The network's SQN for this subscriber survives restarts, as the HLR's would. */
static void sqn_path(const struct handset *hs, char *path, size_t size)
{
	snprintf(path, size, "%s/network-sqn", hs->cfg.data_dir[0] ? hs->cfg.data_dir : ".");
}

static void sqn_load(struct handset *hs)
{
	char path[300], buf[32];
	FILE *f;

	sqn_path(hs, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f))
		hs->cfg.auth.sqn = strtoull(buf, NULL, 10);
	fclose(f);
}

static void sqn_save(struct handset *hs)
{
	char path[300], tmp[310];
	FILE *f;

	if (!hs->cfg.data_dir[0])
		return;
	sqn_path(hs, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%" PRIu64 "\n", hs->cfg.auth.sqn);
	if (fclose(f) == 0)
		rename(tmp, path);
}

void handset_attach(struct handset *hs)
{
	struct sg_error why;

	if (hs->card_state != HS_CARD_READY) {
		set_service(hs, hs->card_state == HS_CARD_ERROR || hs->card_state == HS_CARD_ABSENT
					? PCSCT_SVC_NO_SERVICE
					: PCSCT_SVC_LIMITED);
		return;
	}
	if (!hs->cfg.have_auth_keys) {
		snprintf(hs->auth_why, sizeof(hs->auth_why), "no K/OPc configured for the network side");
		hs->auth = PCSCT_AUTH_ERROR;
		set_service(hs, PCSCT_SVC_LIMITED);
		return;
	}
	sqn_load(hs);
	hs->auth = pcsct_network_authenticate(hs->card, &hs->cfg.auth, &why);
	sqn_save(hs);
	snprintf(hs->auth_why, sizeof(hs->auth_why), "%s", hs->auth == PCSCT_AUTH_OK ? "" : why.msg);
	if (hs->auth == PCSCT_AUTH_OK) {
		handset_event(hs, "attached (IMSI %s)", hs->usim.imsi);
		set_service(hs, PCSCT_SVC_NORMAL);
		return;
	}
	handset_event(hs, "attach failed: %s", why.msg);
	if (hs->auth == PCSCT_AUTH_ERROR && hs->card_state == HS_CARD_READY && strstr(why.msg, "does not answer")) {
		handset_card_failed(hs, "AUTHENTICATE", why.msg);
		return;
	}
	set_service(hs, PCSCT_SVC_LIMITED);
}

static int send_profile(struct handset *hs)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	struct sg_error err;
	char desc[96];

	if (apdu_terminal_profile(&a, APDU_UICC, hs->cfg.me.profile, hs->cfg.me.profile_len, &err) < 0 ||
	    pcsct_transmit_buf(hs->card, &a, &rsp, &err) < 0) {
		handset_card_failed(hs, "TERMINAL PROFILE", err.msg);
		return -1;
	}
	if (rsp.sw != APDU_SW_OK && !(rsp.sw >> 8 == 0x91)) {
		/* A card without a toolkit still works as a SIM: note it and go on. */
		handset_event(hs, "card refused TERMINAL PROFILE: %s", apdu_sw_describe(rsp.sw, desc, sizeof(desc)));
		return 0;
	}
	handset_toolkit_serve(hs, rsp.sw);
	return hs->card_state == HS_CARD_ERROR ? -1 : 0;
}

static int check_pin(struct handset *hs)
{
	struct sg_error err;
	int rc;

	if (pcsct_pin_state(hs->card, &hs->pin_state, &hs->pin_retries, &err) < 0) {
		handset_card_failed(hs, "PIN state", err.msg);
		return -1;
	}
	if (hs->pin_state == PCSCT_PIN_BLOCKED) {
		hs->card_state = HS_CARD_BLOCKED;
		handset_event(hs, "PIN1 blocked: PUK needed");
		return -1;
	}
	if (hs->pin_state == PCSCT_PIN_VERIFIED)
		return 0;
	if (!hs->cfg.pin[0]) {
		hs->card_state = HS_CARD_PIN_NEEDED;
		handset_event(hs, "PIN1 needed (%d tries left) and none configured", hs->pin_retries);
		return -1;
	}
	rc = pcsct_pin_verify(hs->card, hs->cfg.pin, &hs->pin_retries, &err);
	if (rc < 0) {
		handset_card_failed(hs, "VERIFY PIN", err.msg);
		return -1;
	}
	if (rc > 0) {
		hs->card_state = rc == 2 ? HS_CARD_BLOCKED : HS_CARD_PIN_NEEDED;
		handset_event(hs, "PIN1 wrong, %d tries left", hs->pin_retries);
		return -1;
	}
	hs->pin_state = PCSCT_PIN_VERIFIED;
	handset_event(hs, "PIN1 verified");
	return 0;
}

/* USIM, PIN and IMSI: what NAA initialisation (power-up or REFRESH) does. */
static int naa_init(struct handset *hs)
{
	struct sg_error err;

	if (pcsct_usim_read_iccid(hs->card, &hs->usim, &err) < 0 || pcsct_usim_select(hs->card, &hs->usim, &err) < 0) {
		handset_card_failed(hs, "USIM", err.msg);
		return -1;
	}
	if (check_pin(hs) < 0)
		return -1;
	hs->card_state = HS_CARD_READY;
	if (pcsct_usim_read_imsi(hs->card, &hs->usim, &err) < 0)
		handset_event(hs, "IMSI unreadable: %s", err.msg);
	return 0;
}

static void reset_terminal(struct handset *hs)
{
	pcsct_me_init(&hs->me, &hs->cfg.me, hs->me.ops, hs->me.ops_arg);
	hs->card_error[0] = '\0';
	hs->auth_why[0] = '\0';
	memset(&hs->usim, 0, sizeof(hs->usim));
	hs->was_idle_screen = false;
}

int handset_power_up(struct handset *hs)
{
	struct sg_error err;

	reset_terminal(hs);
	hs->powered = true;
	hs->power_ups++;
	handset_event(hs, "power on");
	if (!hs->card && pcsct_card_open(hs->ctx, hs->cfg.card, &hs->card, &err) < 0) {
		hs->card_state = HS_CARD_ABSENT;
		snprintf(hs->card_error, sizeof(hs->card_error), "%s", err.msg);
		handset_event(hs, "no SIM: %s", err.msg);
		handset_changed(hs);
		return -1;
	}
	if (hs->trace)
		handset_trace_on(hs);
	if (pcsct_card_power(hs->card, PCSCT_POWER_ON, &err) < 0) {
		handset_card_failed(hs, "power on", err.msg);
		return -1;
	}
	hs->card_state = HS_CARD_READY;
	if (send_profile(hs) < 0 || naa_init(hs) < 0) {
		handset_attach(hs);
		handset_changed(hs);
		return -1;
	}
	handset_userdata_open(hs);
	handset_attach(hs);
	handset_toolkit_rearm(hs);
	handset_changed(hs);
	return 0;
}

void handset_power_down(struct handset *hs)
{
	struct sg_error err;

	handset_event(hs, "power off");
	handset_userdata_close(hs);
	if (hs->card && hs->card->powered)
		pcsct_card_power(hs->card, PCSCT_POWER_OFF, &err);
	hs->card_state = HS_CARD_ABSENT;
	hs->me.service = PCSCT_SVC_NO_SERVICE;
	hs->powered = false;
	handset_changed(hs);
}

int handset_power_cycle(struct handset *hs)
{
	handset_power_down(hs);
	return handset_power_up(hs);
}

void handset_refresh(struct handset *hs)
{
	enum pcsct_refresh_action a = hs->me.refresh;
	struct sg_error err;

	hs->me.refresh = PCSCT_REFRESH_NONE;
	switch (a) {
	case PCSCT_REFRESH_RESET:
		handset_event(hs, "REFRESH: UICC reset");
		if (pcsct_card_power(hs->card, PCSCT_POWER_RESET, &err) < 0) {
			handset_card_failed(hs, "reset", err.msg);
			return;
		}
		handset_userdata_close(hs);
		reset_terminal(hs);
		hs->card_state = HS_CARD_READY;
		if (send_profile(hs) == 0 && naa_init(hs) == 0)
			handset_userdata_open(hs);
		handset_attach(hs);
		break;
	case PCSCT_REFRESH_NAA_INIT:
		handset_event(hs, "REFRESH: USIM initialisation");
		if (naa_init(hs) == 0)
			handset_attach(hs);
		break;
	case PCSCT_REFRESH_FILES:
		handset_event(hs, "REFRESH: files changed");
		if (pcsct_usim_read_imsi(hs->card, &hs->usim, &err) < 0)
			handset_event(hs, "IMSI unreadable: %s", err.msg);
		break;
	default:
		break;
	}
	handset_changed(hs);
}
