/* handset-sim's libosmovty configuration (the `handset` node) and VTY commands: `show handset`, `show inbox`, and
 * the user's hands on the phone (`handset menu-select`, `handset sms-deliver`, `handset dial`,
 * `handset power-cycle`, adding contacts and notes). */
#include <stdlib.h>
#include <string.h>

#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "pcsct/handset.h"
#include "pcsct/sgs.h"
#include "simguard/hex.h"

enum handset_vty_node {
	HANDSET_NODE = _LAST_OSMOVTY_NODE + 1,
};

static struct cmd_node handset_node = {.node = HANDSET_NODE, .prompt = "%s(config-handset)# ", .vtysh = 1};
static struct handset *g_hs;

#define CFG (&g_hs->cfg)

void handset_cfg_default(struct handset_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->msisdn, sizeof(cfg->msisdn), "1001");
	snprintf(cfg->card, sizeof(cfg->card), "pcsc:");
	pcsct_me_cfg_default(&cfg->me);
	cfg->auth.amf[0] = 0x80;
	cfg->auth.ind_bitlen = 5;
	snprintf(cfg->smpp_host, sizeof(cfg->smpp_host), "127.0.0.1");
	snprintf(cfg->smpp_password, sizeof(cfg->smpp_password), "labpw");
	cfg->reauth_after_download = true;
	cfg->status_interval_ms = 30000;
}

static int copy_arg(struct vty *vty, char *dst, size_t size, const char *src, const char *what)
{
	if (strlen(src) >= size) {
		vty_out(vty, "%% %s: longer than %zu characters%s", what, size - 1, VTY_NEWLINE);
		return CMD_WARNING;
	}
	strcpy(dst, src);
	return CMD_SUCCESS;
}

static int digits_arg(struct vty *vty, char *dst, size_t size, const char *src, const char *what, size_t min)
{
	if (strspn(src, "0123456789") != strlen(src) || strlen(src) < min) {
		vty_out(vty, "%% %s: %zu or more digits expected%s", what, min, VTY_NEWLINE);
		return CMD_WARNING;
	}
	return copy_arg(vty, dst, size, src, what);
}

static int hex_arg(struct vty *vty, uint8_t *dst, size_t want, const char *src, const char *what)
{
	struct sg_error err;

	if (sg_hex_decode(src, dst, want, what, &err) != (long)want) {
		vty_out(vty, "%% %s: %zu bytes of hex expected%s", what, want, VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(cfg_handset, cfg_handset_cmd, "handset", "Configure the simulated handset\n")
{
	vty->node = HANDSET_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_msisdn, cfg_msisdn_cmd, "msisdn NUMBER", "Own number (the SMPP system_id on the lab route)\nDigits\n")
{
	return digits_arg(vty, CFG->msisdn, sizeof(CFG->msisdn), argv[0], "msisdn", 1);
}

DEFUN(cfg_imei, cfg_imei_cmd, "imei IMEI", "IMEI reported by PROVIDE LOCAL INFORMATION\n15 digits\n")
{
	if (strlen(argv[0]) != 15) {
		vty_out(vty, "%% imei: 15 digits expected%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return digits_arg(vty, CFG->me.imei, sizeof(CFG->me.imei), argv[0], "imei", 15);
}

DEFUN(cfg_imeisv, cfg_imeisv_cmd, "imeisv IMEISV", "IMEISV reported by PROVIDE LOCAL INFORMATION\n16 digits\n")
{
	if (strlen(argv[0]) != 16) {
		vty_out(vty, "%% imeisv: 16 digits expected%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return digits_arg(vty, CFG->me.imeisv, sizeof(CFG->me.imeisv), argv[0], "imeisv", 16);
}

DEFUN(cfg_card, cfg_card_cmd, "card SPEC", "The card\npcsc:READER-SUBSTRING, sim:PROFILE[,IMAGE] or replay:FILE\n")
{
	return copy_arg(vty, CFG->card, sizeof(CFG->card), argv[0], "card");
}

DEFUN(cfg_pin, cfg_pin_cmd, "pin PIN", "PIN1 entered at power-up when the card asks\n4 to 8 digits\n")
{
	if (strlen(argv[0]) < 4 || strlen(argv[0]) > 8)
		return digits_arg(vty, CFG->pin, sizeof(CFG->pin), "", "pin", 4);
	return digits_arg(vty, CFG->pin, sizeof(CFG->pin), argv[0], "pin", 4);
}

DEFUN(cfg_no_pin, cfg_no_pin_cmd, "no pin", NO_STR "Enter no PIN\n")
{
	CFG->pin[0] = '\0';
	return CMD_SUCCESS;
}

DEFUN(cfg_location, cfg_location_cmd, "location mcc <0-999> mnc <0-999> lac <0-65535> cell-id <0-65535>",
      "Serving cell\nMobile country code\nMCC\nMobile network code\nMNC\nLocation area code\nLAC\nCell identity\n"
      "Cell id\n")
{
	CFG->me.loc.mcc = (uint16_t)atoi(argv[0]);
	CFG->me.loc.mnc = (uint16_t)atoi(argv[1]);
	CFG->me.loc.mnc_3_digits = strlen(argv[1]) == 3;
	CFG->me.loc.lac = (uint16_t)atoi(argv[2]);
	CFG->me.loc.cell_id = (uint32_t)atoi(argv[3]);
	return CMD_SUCCESS;
}

DEFUN(cfg_language, cfg_language_cmd, "language LANG", "Language (ISO 639 two letters)\nLanguage code\n")
{
	if (strlen(argv[0]) != 2) {
		vty_out(vty, "%% language: two letters expected%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return copy_arg(vty, CFG->me.language, sizeof(CFG->me.language), argv[0], "language");
}

DEFUN(cfg_profile, cfg_profile_cmd, "terminal-profile HEX", "TERMINAL PROFILE sent at power-up\nProfile bytes\n")
{
	struct sg_error err;
	long n = sg_hex_decode(argv[0], CFG->me.profile, sizeof(CFG->me.profile), "terminal-profile", &err);

	if (n <= 0) {
		vty_out(vty, "%% %s%s", n < 0 ? err.msg : "terminal-profile: empty", VTY_NEWLINE);
		return CMD_WARNING;
	}
	CFG->me.profile_len = (size_t)n;
	return CMD_SUCCESS;
}

DEFUN(cfg_auth, cfg_auth_cmd, "auth k HEX (opc|op) HEX",
      "Subscriber keys the network side uses for Milenage\nSubscriber key K\n16 bytes of hex\nOPc follows\n"
      "OP follows\n16 bytes of hex\n")
{
	if (hex_arg(vty, CFG->auth.k, 16, argv[0], "k") != CMD_SUCCESS ||
	    hex_arg(vty, CFG->auth.opc, 16, argv[2], argv[1]) != CMD_SUCCESS)
		return CMD_WARNING;
	CFG->auth.opc_is_op = strcmp(argv[1], "op") == 0;
	CFG->have_auth_keys = true;
	return CMD_SUCCESS;
}

DEFUN(cfg_amf, cfg_amf_cmd, "auth amf HEX", "Subscriber keys\nAuthentication management field\n2 bytes of hex\n")
{
	return hex_arg(vty, CFG->auth.amf, 2, argv[0], "amf");
}

DEFUN(cfg_smpp, cfg_smpp_cmd, "smpp-link HOST <1-65535> PASSWORD",
      "The sms-gateway's lab route (SMPP, bind with the msisdn)\nGateway address\nGateway port\nLab password\n")
{
	if (copy_arg(vty, CFG->smpp_host, sizeof(CFG->smpp_host), argv[0], "host") != CMD_SUCCESS ||
	    copy_arg(vty, CFG->smpp_password, sizeof(CFG->smpp_password), argv[2], "password") != CMD_SUCCESS)
		return CMD_WARNING;
	CFG->smpp_port = (uint16_t)atoi(argv[1]);
	return CMD_SUCCESS;
}

DEFUN(cfg_no_smpp, cfg_no_smpp_cmd, "no smpp-link", NO_STR "No link to a gateway\n")
{
	CFG->smpp_port = 0;
	return CMD_SUCCESS;
}

DEFUN(cfg_sgs, cfg_sgs_cmd, "sgs-link HOST <1-65535> [(tcp|sctp)]",
      "An MSC's SGs interface (handset-sim plays the MME; the card's IMSI attaches)\nMSC address\nSGs port\n"
      "TCP (an MSC behind an SCTP-to-TCP shim)\nSCTP (default where the kernel has it)\n")
{
	if (copy_arg(vty, CFG->sgs_host, sizeof(CFG->sgs_host), argv[0], "host") != CMD_SUCCESS)
		return CMD_WARNING;
	CFG->sgs_port = (uint16_t)atoi(argv[1]);
	CFG->sgs_proto = argc > 2 && argv[2] ? (strcmp(argv[2], "tcp") == 0 ? "tcp" : "sctp") : NULL;
	return CMD_SUCCESS;
}

DEFUN(cfg_no_sgs, cfg_no_sgs_cmd, "no sgs-link", NO_STR "No SGs link\n")
{
	CFG->sgs_port = 0;
	return CMD_SUCCESS;
}

DEFUN(cfg_sgs_mme, cfg_sgs_mme_cmd, "sgs-mme-name NAME",
      "The MME name sent on SGs (default mmec01.mmegi0001.mme.epc.mncMNC.mccMCC.3gppnetwork.org)\nDNS name\n")
{
	return copy_arg(vty, CFG->sgs_mme_name, sizeof(CFG->sgs_mme_name), argv[0], "sgs-mme-name");
}

DEFUN(cfg_sgs_smsc, cfg_sgs_smsc_cmd, "sgs-smsc DIGITS",
      "The service centre address (RP-Destination Address) of MO SMS on SGs (default 1999)\n"
      "International number, 1 to 20 digits\n")
{
	struct sg_error err;

	if (sms_rp_addr_check(argv[0], "sgs-smsc", &err) < 0) {
		vty_out(vty, "%% %s%s", err.msg, VTY_NEWLINE);
		return CMD_WARNING;
	}
	return copy_arg(vty, CFG->smsc, sizeof(CFG->smsc), argv[0], "sgs-smsc");
}

DEFUN(cfg_state_file, cfg_state_file_cmd, "state-file PATH", "JSON state rewritten after every change\nPath\n")
{
	return copy_arg(vty, CFG->state_file, sizeof(CFG->state_file), argv[0], "state-file");
}

DEFUN(cfg_data_dir, cfg_data_dir_cmd, "data-dir PATH",
      "Directory for the handset's flash (sealed user data, inbox, network SQN)\nPath\n")
{
	return copy_arg(vty, CFG->data_dir, sizeof(CFG->data_dir), argv[0], "data-dir");
}

DEFUN(cfg_user_timeout, cfg_user_timeout_cmd, "user-timeout <0-600000>",
      "How long a question waits for the keyboard (0: nobody is there)\nMilliseconds\n")
{
	CFG->user_timeout_ms = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_display_clear, cfg_display_clear_cmd, "display-clear <100-600000>",
      "How long a DISPLAY TEXT that does not wait for the user stays\nMilliseconds\n")
{
	CFG->me.display_clear_ms = (uint32_t)atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_reauth, cfg_reauth_cmd, "reauth-interval <0-86400>",
      "Authenticate again periodically, as a network does on location updates (0: off)\nSeconds\n")
{
	CFG->reauth_s = (unsigned int)atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_reauth_dl, cfg_reauth_dl_cmd, "reauth-after-download (on|off)",
      "Authenticate again when an OTA transaction is over\nYes\nNo\n")
{
	CFG->reauth_after_download = strcmp(argv[0], "on") == 0;
	return CMD_SUCCESS;
}

DEFUN(cfg_status, cfg_status_cmd, "status-interval <0-600000>",
      "STATUS to check the card is there when it asked for no POLL INTERVAL (0: never)\nMilliseconds\n")
{
	CFG->status_interval_ms = (uint32_t)atoi(argv[0]);
	return CMD_SUCCESS;
}

static int config_write_handset(struct vty *vty)
{
	char hex[2 * PCSCT_PROFILE_MAX + 1];

	vty_out(vty, "handset%s", VTY_NEWLINE);
	vty_out(vty, " msisdn %s%s", CFG->msisdn, VTY_NEWLINE);
	vty_out(vty, " imei %s%s", CFG->me.imei, VTY_NEWLINE);
	vty_out(vty, " imeisv %s%s", CFG->me.imeisv, VTY_NEWLINE);
	vty_out(vty, " card %s%s", CFG->card, VTY_NEWLINE);
	if (CFG->pin[0])
		vty_out(vty, " pin %s%s", CFG->pin, VTY_NEWLINE);
	vty_out(vty, " location mcc %u mnc %u lac %u cell-id %u%s", CFG->me.loc.mcc, CFG->me.loc.mnc, CFG->me.loc.lac,
		CFG->me.loc.cell_id, VTY_NEWLINE);
	vty_out(vty, " language %s%s", CFG->me.language, VTY_NEWLINE);
	vty_out(vty, " terminal-profile %s%s", sg_hex_encode(CFG->me.profile, CFG->me.profile_len, hex, sizeof(hex)),
		VTY_NEWLINE);
	/* the subscriber keys are secrets: never written back or shown */
	if (CFG->smpp_port)
		vty_out(vty, " smpp-link %s %u %s%s", CFG->smpp_host, CFG->smpp_port, CFG->smpp_password, VTY_NEWLINE);
	if (CFG->sgs_port)
		vty_out(vty, " sgs-link %s %u%s%s%s", CFG->sgs_host, CFG->sgs_port, CFG->sgs_proto ? " " : "",
			CFG->sgs_proto ? CFG->sgs_proto : "", VTY_NEWLINE);
	if (CFG->sgs_mme_name[0])
		vty_out(vty, " sgs-mme-name %s%s", CFG->sgs_mme_name, VTY_NEWLINE);
	if (CFG->smsc[0])
		vty_out(vty, " sgs-smsc %s%s", CFG->smsc, VTY_NEWLINE);
	if (CFG->state_file[0])
		vty_out(vty, " state-file %s%s", CFG->state_file, VTY_NEWLINE);
	if (CFG->data_dir[0])
		vty_out(vty, " data-dir %s%s", CFG->data_dir, VTY_NEWLINE);
	vty_out(vty, " user-timeout %d%s", CFG->user_timeout_ms, VTY_NEWLINE);
	vty_out(vty, " display-clear %u%s", CFG->me.display_clear_ms, VTY_NEWLINE);
	vty_out(vty, " reauth-interval %u%s", CFG->reauth_s, VTY_NEWLINE);
	vty_out(vty, " reauth-after-download %s%s", CFG->reauth_after_download ? "on" : "off", VTY_NEWLINE);
	vty_out(vty, " status-interval %u%s", CFG->status_interval_ms, VTY_NEWLINE);
	return CMD_SUCCESS;
}

static void json_out(struct vty *vty, json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2));

	vty_out(vty, "%s%s", s ? s : "{}", VTY_NEWLINE);
	free(s);
	json_decref(j);
}

DEFUN(show_handset, show_handset_cmd, "show handset",
      SHOW_STR "The handset's screen, card, service and toolkit state\n")
{
	json_out(vty, handset_state_json(g_hs));
	return CMD_SUCCESS;
}

DEFUN(show_inbox, show_inbox_cmd, "show inbox", SHOW_STR "Stored short messages\n")
{
	json_out(vty, json_incref(g_hs->inbox));
	return CMD_SUCCESS;
}

DEFUN(hs_menu, hs_menu_cmd, "handset menu-select <1-255>", "Act on the handset\nChoose a SET UP MENU item\nItem\n")
{
	handset_user_activity(g_hs);
	if (handset_menu_select(g_hs, (uint8_t)atoi(argv[0])) < 0) {
		vty_out(vty, "%% no such menu item%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(hs_sms, hs_sms_cmd, "handset sms-deliver HEX", "Act on the handset\nReceive an SMS-DELIVER TPDU\nTPDU\n")
{
	uint8_t tpdu[SMS_TPDU_MAX];
	struct sg_error err;
	long n = sg_hex_decode(argv[0], tpdu, sizeof(tpdu), "tpdu", &err);

	if (n < 0 || handset_sms_deliver(g_hs, tpdu, (size_t)n, &err) < 0) {
		vty_out(vty, "%% %s%s", err.msg, VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(hs_dial, hs_dial_cmd, "handset dial NUMBER", "Act on the handset\nPlace a call\nNumber\n")
{
	handset_user_activity(g_hs);
	if (handset_dial(g_hs, argv[0]) < 0) {
		vty_out(vty, "%% %s%s", g_hs->call.text, VTY_NEWLINE);
		return CMD_WARNING;
	}
	vty_out(vty, "%s%s%s%s", g_hs->call.result, g_hs->call.text[0] ? ": " : "", g_hs->call.text, VTY_NEWLINE);
	return CMD_SUCCESS;
}

DEFUN(hs_power, hs_power_cmd, "handset power-cycle", "Act on the handset\nSwitch off and on again\n")
{
	handset_power_cycle(g_hs);
	return CMD_SUCCESS;
}

DEFUN(hs_clear, hs_clear_cmd, "handset clear", "Act on the handset\nClear the displayed text\n")
{
	handset_user_activity(g_hs);
	pcsct_me_user_clear(&g_hs->me);
	return CMD_SUCCESS;
}

DEFUN(hs_contact, hs_contact_cmd, "handset contact NAME NUMBER",
      "Act on the handset\nAdd a contact to the user data\nName\nNumber\n")
{
	struct sg_error err;

	if (handset_userdata_add(g_hs, "contact", argv[0], argv[1], &err) < 0) {
		vty_out(vty, "%% %s%s", err.msg, VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(hs_note, hs_note_cmd, "handset note .TEXT", "Act on the handset\nAdd a note to the user data\nText\n")
{
	struct sg_error err;
	char *text = argv_concat(argv, argc, 0);
	int rc = handset_userdata_add(g_hs, "note", text, NULL, &err);

	talloc_free(text);
	if (rc < 0) {
		vty_out(vty, "%% %s%s", err.msg, VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

int handset_vty_init(struct handset *hs)
{
	static struct cmd_element *cfg_cmds[] = {
		&cfg_msisdn_cmd,	&cfg_imei_cmd,	     &cfg_imeisv_cmd,	 &cfg_card_cmd,
		&cfg_pin_cmd,		&cfg_no_pin_cmd,     &cfg_location_cmd,	 &cfg_language_cmd,
		&cfg_profile_cmd,	&cfg_auth_cmd,	     &cfg_amf_cmd,	 &cfg_smpp_cmd,
		&cfg_no_smpp_cmd,	&cfg_sgs_cmd,	     &cfg_no_sgs_cmd,	 &cfg_sgs_mme_cmd,
		&cfg_sgs_smsc_cmd,	&cfg_state_file_cmd, &cfg_data_dir_cmd,	 &cfg_user_timeout_cmd,
		&cfg_display_clear_cmd, &cfg_reauth_cmd,     &cfg_reauth_dl_cmd, &cfg_status_cmd,
	};
	static struct cmd_element *act_cmds[] = {
		&hs_menu_cmd, &hs_sms_cmd, &hs_dial_cmd, &hs_power_cmd, &hs_clear_cmd, &hs_contact_cmd, &hs_note_cmd,
	};
	size_t i;

	g_hs = hs;
	install_element(CONFIG_NODE, &cfg_handset_cmd);
	install_node(&handset_node, config_write_handset);
	for (i = 0; i < sizeof(cfg_cmds) / sizeof(cfg_cmds[0]); i++)
		install_element(HANDSET_NODE, cfg_cmds[i]);
	install_element_ve(&show_handset_cmd);
	install_element_ve(&show_inbox_cmd);
	for (i = 0; i < sizeof(act_cmds) / sizeof(act_cmds[0]); i++)
		install_element(ENABLE_NODE, act_cmds[i]);
	return 0;
}
