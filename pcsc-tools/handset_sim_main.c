/* handset-sim: a mobile equipment simulator on libosmocore's select loop. It powers its card, sends TERMINAL
 * PROFILE, verifies the PIN, attaches with Milenage, runs the card's proactive commands, receives SMS and USSD
 * from sms-gateway's lab route (or injected), and shows its screen in the terminal and as a JSON state file.
 * With --once it runs the scripted actions given on the command line and exits (for tests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <talloc.h>

#include "daemon/daemon_start.h"
#include "pcsct/download.h"
#include "pcsct/handset.h"
#include "simguard/secured_packet.h"
#include "simguard/hex.h"
#include "uicc/card.h"

#define HANDSET_VTY_PORT 4279
#define MAX_ACTIONS	 64

extern int handset_logss;

enum action_kind {
	ACT_TPDU,
	ACT_USSD,
	ACT_OTA,
	ACT_POWER_CYCLE,
	ACT_MENU,
	ACT_WAIT,
	ACT_CONTACT,
	ACT_NOTE,
	ACT_CLEAR,
	ACT_DIAL,
};

struct action {
	enum action_kind kind;
	const char *arg;
};

struct options {
	const char *cfg_file;
	const char *card, *state_file, *data_dir, *answers;
	bool once, interactive, quiet, trace;
	struct action actions[MAX_ACTIONS];
	unsigned int n_actions;
};

static struct handset *g_hs;
static struct log_info_cat log_cats[16];
static struct log_info log_info = {.cat = log_cats};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: handset-sim [-c FILE] [options] [actions]\n"
		"  -c, --config-file FILE   libosmovty configuration (handset node; see specs/handset-sim.md)\n"
		"      --card SPEC          pcsc:READER-SUBSTRING, sim:PROFILE[,IMAGE] or replay:FILE\n"
		"      --state-file FILE    JSON state, rewritten atomically after every change\n"
		"      --data-dir DIR       the handset's flash: sealed user data, inbox, network SQN\n"
		"  -a, --answers FILE       answers to the card's questions, in order\n"
		"                           (text S | item N | ok | back | end | none)\n"
		"  -i, --interactive        keyboard: answers, and commands (menu N, clear, dial NUMBER,\n"
		"                           contact NAME NUMBER, note TEXT, sms HEX, power, quit)\n"
		"  -q, --quiet              do not draw the screen\n"
		"  -t, --trace              log every APDU exchanged with the card\n"
		"      --once               run the actions below after power-up, then exit (no VTY, no SMPP wait)\n"
		"actions, in order (with --once, or at start):\n"
		"      --deliver-tpdu HEX   receive an SMS-DELIVER as if from the network\n"
		"      --deliver-ota FROM:HEX   receive a secured command packet (from CPL on, as 'otactl packet\n"
		"                           encode' prints it) in the SMS-DELIVER(s) a network would build\n"
		"      --deliver-ussd FROM:HEX  receive a USSD data download string (DCS F6)\n"
		"      --power-cycle        switch off and on again\n"
		"      --menu-select N      choose SET UP MENU item N\n"
		"      --clear              the user clears the display\n"
		"      --contact NAME:NUMBER  add a contact to the sealed user data\n"
		"      --note TEXT          add a note to the sealed user data\n"
		"      --dial NUMBER        place a call (the card's call control decides; emergency numbers always)\n"
		"      --wait-ms N          let timers run for N ms\n"
		"  -V, --version            print the version\n"
		"  -h, --help               this text\n");
}

static int add_action(struct options *o, enum action_kind k, const char *arg)
{
	if (o->n_actions >= MAX_ACTIONS)
		return -1;
	o->actions[o->n_actions].kind = k;
	o->actions[o->n_actions++].arg = arg;
	return 0;
}

static const struct option longopts[] = {
	{"card", 1, 0, 'C'},
	{"state-file", 1, 0, 'S'},
	{"data-dir", 1, 0, 'D'},
	{"answers", 1, 0, 'a'},
	{"interactive", 0, 0, 'i'},
	{"quiet", 0, 0, 'q'},
	{"once", 0, 0, 'o'},
	{"trace", 0, 0, 't'},
	{"deliver-tpdu", 1, 0, 'T'},
	{"deliver-ussd", 1, 0, 'U'},
	{"power-cycle", 0, 0, 'P'},
	{"menu-select", 1, 0, 'M'},
	{"clear", 0, 0, 'L'},
	{"contact", 1, 0, 'K'},
	{"note", 1, 0, 'N'},
	{"wait-ms", 1, 0, 'W'},
	{"dial", 1, 0, 'X'},
	{"deliver-ota", 1, 0, 'O'},
	{0, 0, 0, 0},
};

/* One option besides -c/-h/-V: a setting, or an action run in order after power-up. */
static int take_option(int c, const char *arg, void *priv)
{
	static const struct {
		int opt;
		enum action_kind kind;
	} acts[] = {{'T', ACT_TPDU},	{'U', ACT_USSD}, {'P', ACT_POWER_CYCLE}, {'M', ACT_MENU}, {'L', ACT_CLEAR},
		    {'K', ACT_CONTACT}, {'N', ACT_NOTE}, {'W', ACT_WAIT},	 {'X', ACT_DIAL}, {'O', ACT_OTA}};
	struct options *o = priv;
	size_t i;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (c == acts[i].opt)
			return add_action(o, acts[i].kind, arg);
	switch (c) {
	case 'C':
		o->card = arg;
		return 0;
	case 'S':
		o->state_file = arg;
		return 0;
	case 'D':
		o->data_dir = arg;
		return 0;
	case 'a':
		o->answers = arg;
		return 0;
	case 'i':
		o->interactive = true;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case 't':
		o->trace = true;
		return 0;
	case 'o':
		o->once = true;
		return 0;
	}
	return -1;
}

static struct options opts;

static const struct sg_daemon daemon_desc = {
	.name = "handset-sim",
	.version = "1.0",
	.usage = usage,
	.log_info = &log_info,
	.vty_port = HANDSET_VTY_PORT,
	.shortopts = "a:iqt",
	.longopts = longopts,
	.option = take_option,
	.priv = &opts,
};

static void wait_ms(unsigned int ms)
{
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (long)(ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			return;
		osmo_select_main_ctx(1);
		usleep(2000);
	}
}

/* FROM:HEX */
static int deliver_ussd(struct handset *hs, const char *arg, struct sg_error *err)
{
	const char *colon = strchr(arg, ':');
	char from[21];
	uint8_t data[200];
	long n;

	if (!colon || (size_t)(colon - arg) >= sizeof(from))
		return sg_err(err, "--deliver-ussd: FROM:HEX expected");
	memcpy(from, arg, (size_t)(colon - arg));
	from[colon - arg] = '\0';
	n = sg_hex_decode(colon + 1, data, sizeof(data), "ussd", err);
	if (n < 0)
		return -1;
	return handset_ussd_deliver(hs, from, 2, 0xF6, data, (size_t)n, err);
}

/* FROM:HEX, the packet from CPL on */
static int deliver_ota(struct handset *hs, const char *arg, struct sg_error *err)
{
	const char *colon = strchr(arg, ':');
	struct sms_addr from = {.npi = 1};
	uint8_t packet[SP_MAX_PACKET], (*tpdus)[SMS_TPDU_MAX];
	size_t lens[SMS_CONCAT_MAX_PARTS];
	long n;
	int parts, i, rc = 0;

	if (!colon || colon == arg || (size_t)(colon - arg) > SMS_ADDR_MAX_DIGITS)
		return sg_err(err, "--deliver-ota: FROM:HEX expected");
	from.ton = arg[0] == '+' ? 1 : 0;
	memcpy(from.digits, arg + (arg[0] == '+'), (size_t)(colon - arg) - (arg[0] == '+'));
	n = sg_hex_decode(colon + 1, packet, sizeof(packet), "packet", err);
	if (n < 0)
		return -1;
	tpdus = talloc_size(hs, (size_t)SMS_CONCAT_MAX_PARTS * SMS_TPDU_MAX);
	parts = pcsct_ota_tpdus(packet, (size_t)n, &from, false, (uint16_t)(time(NULL) & 0xFF), tpdus, lens,
				SMS_CONCAT_MAX_PARTS, err);
	for (i = 0; rc == 0 && i < parts; i++)
		rc = handset_sms_deliver(hs, tpdus[i], lens[i], err);
	talloc_free(tpdus);
	return parts < 0 ? -1 : rc;
}

static int run_action(struct handset *hs, const struct action *a)
{
	uint8_t tpdu[SMS_TPDU_MAX];
	struct sg_error err;
	char *sep;
	long n;

	switch (a->kind) {
	case ACT_TPDU:
		n = sg_hex_decode(a->arg, tpdu, sizeof(tpdu), "tpdu", &err);
		if (n < 0 || handset_sms_deliver(hs, tpdu, (size_t)n, &err) < 0)
			goto fail;
		return 0;
	case ACT_OTA:
		if (deliver_ota(hs, a->arg, &err) < 0)
			goto fail;
		return 0;
	case ACT_USSD:
		if (deliver_ussd(hs, a->arg, &err) < 0)
			goto fail;
		return 0;
	case ACT_POWER_CYCLE:
		handset_power_cycle(hs);
		return 0;
	case ACT_MENU:
		handset_user_activity(hs);
		return handset_menu_select(hs, (uint8_t)atoi(a->arg)) < 0 ? -1 : 0;
	case ACT_CLEAR:
		handset_user_activity(hs);
		pcsct_me_user_clear(&hs->me);
		return 0;
	case ACT_CONTACT:
		sep = strchr(a->arg, ':');
		if (!sep) {
			sg_err(&err, "--contact: NAME:NUMBER expected");
			goto fail;
		}
		*sep = '\0';
		if (handset_userdata_add(hs, "contact", a->arg, sep + 1, &err) < 0)
			goto fail;
		return 0;
	case ACT_NOTE:
		if (handset_userdata_add(hs, "note", a->arg, NULL, &err) < 0)
			goto fail;
		return 0;
	case ACT_WAIT:
		wait_ms((unsigned int)atoi(a->arg));
		return 0;
	case ACT_DIAL:
		handset_user_activity(hs);
		return handset_dial(hs, a->arg);
	}
	return 0;
fail:
	fprintf(stderr, "handset-sim: %s\n", err.msg);
	return -1;
}

/* Keyboard commands when interactive. */
static int stdin_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct action a = {0};
	char line[600];
	size_t l;

	if (!fgets(line, sizeof(line), stdin)) {
		osmo_fd_unregister(ofd);
		return 0;
	}
	l = strcspn(line, "\r\n");
	line[l] = '\0';
	if (strncmp(line, "menu ", 5) == 0)
		a = (struct action){ACT_MENU, line + 5};
	else if (strcmp(line, "clear") == 0 || l == 0)
		a = (struct action){ACT_CLEAR, NULL};
	else if (strncmp(line, "contact ", 8) == 0 && strchr(line + 8, ' ')) {
		*strchr(line + 8, ' ') = ':'; /* NAME NUMBER -> NAME:NUMBER, as --contact takes it */
		a = (struct action){ACT_CONTACT, line + 8};
	} else if (strncmp(line, "note ", 5) == 0)
		a = (struct action){ACT_NOTE, line + 5};
	else if (strncmp(line, "sms ", 4) == 0)
		a = (struct action){ACT_TPDU, line + 4};
	else if (strncmp(line, "dial ", 5) == 0)
		a = (struct action){ACT_DIAL, line + 5};
	else if (strcmp(line, "power") == 0)
		a = (struct action){ACT_POWER_CYCLE, NULL};
	else if (strcmp(line, "quit") == 0) {
		osmo_select_shutdown_request();
		return 0;
	} else {
		printf("commands: menu N, clear, dial NUMBER, contact NAME NUMBER, note TEXT, sms HEX, power, quit\n");
		return 0;
	}
	run_action(g_hs, &a);
	return 0;
}

/* The card library's logging categories first (it logs with their numbers), then the handset's own. */
static void *logging_setup(void)
{
	void *ctx;
	size_t n = uicc_log_info.num_cat;

	memcpy(log_cats, uicc_log_info.cat, n * sizeof(log_cats[0]));
	log_cats[n] = (struct log_info_cat){
		.name = "DHANDSET", .description = "Handset simulator", .enabled = 1, .loglevel = LOGL_NOTICE};
	log_info.num_cat = n + 1;
	handset_logss = (int)n;
	ctx = sg_daemon_init(&daemon_desc);
	log_set_use_color(osmo_stderr_target, 0);
	log_set_print_filename2(osmo_stderr_target, LOG_FILENAME_NONE);
	return ctx;
}

static int install_vty(void *hs)
{
	return handset_vty_init(hs);
}

static int configure(void *ctx, struct handset *hs, const struct options *o)
{
	struct sg_error err;

	handset_cfg_default(&hs->cfg);
	if (sg_daemon_vty_config(ctx, &daemon_desc, o->cfg_file, install_vty, hs) < 0)
		return -1;
	if (o->card)
		snprintf(hs->cfg.card, sizeof(hs->cfg.card), "%s", o->card);
	if (o->state_file)
		snprintf(hs->cfg.state_file, sizeof(hs->cfg.state_file), "%s", o->state_file);
	if (o->data_dir)
		snprintf(hs->cfg.data_dir, sizeof(hs->cfg.data_dir), "%s", o->data_dir);
	if (hs->cfg.data_dir[0])
		mkdir(hs->cfg.data_dir, 0700);
	if (o->answers && pcsct_answers_load(hs->ctx, o->answers, &hs->answers, &err) < 0) {
		fprintf(stderr, "handset-sim: %s\n", err.msg);
		return -1;
	}
	hs->interactive = o->interactive;
	if (o->interactive && !hs->cfg.user_timeout_ms)
		hs->cfg.user_timeout_ms = 30000;
	hs->quiet = o->quiet;
	hs->trace = o->trace;
	return 0;
}

static struct handset *handset_alloc(void *ctx)
{
	struct handset *hs = talloc_zero(ctx, struct handset);
	struct sms_reasm_cfg rc = {.max_groups = 16, .max_bytes = 4096, .timeout = 60};

	hs->ctx = hs;
	hs->smpp_ofd.fd = -1;
	hs->inbox = json_array();
	hs->mo_log = json_array();
	hs->log = json_array();
	hs->reasm = sms_reasm_alloc(hs, &rc);
	return hs;
}

/* Switching off: the card is powered down and the state file says so. With --once the process ends with the
 * phone still on, so the state file keeps what the run left on the screen. */
static void shutdown_handset(struct handset *hs, bool power_off)
{
	hs->shutdown = true;
	handset_smpp_stop(hs);
	handset_sgs_stop(hs);
	osmo_timer_del(&hs->tick_timer);
	osmo_timer_del(&hs->poll_timer);
	osmo_timer_del(&hs->reauth_timer);
	if (power_off)
		handset_power_down(hs);
	pcsct_card_close(hs->card);
	hs->card = NULL;
	if (power_off)
		handset_state_write(hs);
	handset_userdata_close(hs);
	OPENSSL_cleanse(&hs->cfg.auth, sizeof(hs->cfg.auth));
	json_decref(hs->inbox);
	json_decref(hs->mo_log);
	json_decref(hs->log);
	hs->inbox = hs->mo_log = hs->log = NULL;
}

int main(int argc, char **argv)
{
	struct options *o = &opts;
	struct osmo_fd kbd;
	void *ctx;
	struct handset *hs;
	unsigned int i;
	int rc = 0;

	o->cfg_file = sg_daemon_parse_args(&daemon_desc, argc, argv);
	ctx = logging_setup();
	hs = g_hs = handset_alloc(ctx);
	if (configure(ctx, hs, o) < 0) {
		talloc_free(ctx);
		return 2;
	}
	handset_inbox_load(hs);
	handset_toolkit_init(hs);
	if (!o->once && sg_daemon_vty_listen(ctx, &daemon_desc, hs) < 0)
		return 1;
	sg_daemon_signals_init();
	if (!o->once) {
		handset_smpp_start(hs);
		handset_sgs_start(hs);
	}
	handset_power_up(hs);
	for (i = 0; i < o->n_actions; i++)
		if (run_action(hs, &o->actions[i]) < 0)
			rc = 1;
	if (!o->once) {
		if (o->interactive) {
			osmo_fd_setup(&kbd, 0, OSMO_FD_READ, stdin_cb, NULL, 0);
			osmo_fd_register(&kbd);
		}
		sg_daemon_run();
	}
	shutdown_handset(hs, !o->once);
	log_fini();
	talloc_free(ctx);
	return rc;
}
