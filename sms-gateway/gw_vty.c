/* The gateway's libosmovty configuration (`smpp` with `esme` sub-nodes, `route NAME`, `queue`) and the VTY
 * show commands (`show esme`, `show route`, `show queue`, `show counters`). */
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/vty.h>

#include <smpp34.h>

#include "simguard/hex.h"
#include "smsgw/gw.h"

enum gw_vty_node {
	SMPP_NODE = _LAST_OSMOVTY_NODE + 1,
	ESME_NODE,
	ROUTE_NODE,
	QUEUE_NODE,
};

static struct cmd_node smpp_node = { .node = SMPP_NODE, .prompt = "%s(config-smpp)# ", .vtysh = 1 };
static struct cmd_node esme_node = { .node = ESME_NODE, .prompt = "%s(config-smpp-esme)# ", .vtysh = 1 };
static struct cmd_node route_node = { .node = ROUTE_NODE, .prompt = "%s(config-route)# ", .vtysh = 1 };
static struct cmd_node queue_node = { .node = QUEUE_NODE, .prompt = "%s(config-queue)# ", .vtysh = 1 };

void gw_cfg_defaults(struct gw_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen_ip, sizeof(cfg->listen_ip), "127.0.0.1");
	cfg->listen_port = 2776;
	snprintf(cfg->system_id, sizeof(cfg->system_id), "SIMGUARD-GW");
	cfg->window = 100;
	snprintf(cfg->db_path, sizeof(cfg->db_path), "sms-gateway-queue.db");
	cfg->max_pending = 100000;
	cfg->dup_window = 600;
	cfg->reasm_timeout = 60;
	INIT_LLIST_HEAD(&cfg->esmes);
	INIT_LLIST_HEAD(&cfg->routes);
}

struct gw_esme_cfg *gw_esme_cfg_find(struct gw *gw, const char *system_id)
{
	struct gw_esme_cfg *e;

	llist_for_each_entry(e, &gw->cfg.esmes, list)
		if (!strcmp(e->system_id, system_id))
			return e;
	return NULL;
}

struct gw_esme_cfg *gw_esme_cfg_owner(struct gw *gw, const char *addr)
{
	struct gw_esme_cfg *e;

	llist_for_each_entry(e, &gw->cfg.esmes, list)
		for (unsigned int i = 0; i < e->n_addrs; i++)
			if (!strcmp(e->addrs[i], addr))
				return e;
	return NULL;
}

struct gw_route *gw_route_for(struct gw *gw, const char *dst)
{
	struct gw_route *r, *best = NULL;

	llist_for_each_entry(r, &gw->cfg.routes, list) {
		size_t n = strlen(r->prefix);

		if (strncmp(dst, r->prefix, n))
			continue;
		if (!best || n > strlen(best->prefix))
			best = r;
	}
	return best;
}

struct gw_route *gw_route_by_name(struct gw *gw, const char *name)
{
	struct gw_route *r;

	llist_for_each_entry(r, &gw->cfg.routes, list)
		if (!strcmp(r->name, name))
			return r;
	return NULL;
}

#define GW (g_gw)

/* ---- smpp node ---- */
DEFUN(cfg_smpp, cfg_smpp_cmd, "smpp", "Configure the SMPP server side\n")
{
	vty->node = SMPP_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_smpp_local, cfg_smpp_local_cmd, "local-tcp-ip A.B.C.D <1-65535>",
      "Address ESMEs connect to\n" "IPv4 address\n" "TCP port\n")
{
	snprintf(GW->cfg.listen_ip, sizeof(GW->cfg.listen_ip), "%s", argv[0]);
	GW->cfg.listen_port = (uint16_t)atoi(argv[1]);
	return CMD_SUCCESS;
}

DEFUN(cfg_smpp_sysid, cfg_smpp_sysid_cmd, "system-id ID", "system_id in our bind responses\n" "Identifier\n")
{
	if (strlen(argv[0]) > 15) {
		vty_out(vty, "%% system-id longer than 15 characters%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	snprintf(GW->cfg.system_id, sizeof(GW->cfg.system_id), "%s", argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_smpp_window, cfg_smpp_window_cmd, "window <1-10000>",
      "Outstanding deliver_sm per bound ESME\n" "Number of PDUs\n")
{
	GW->cfg.window = (unsigned int)atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_smpp_labpw, cfg_smpp_labpw_cmd, "lab-password PASSWORD",
      "Password lab handsets bind with (system_id = their MSISDN)\n" "Password, at most 8 characters\n")
{
	if (strlen(argv[0]) > 8) {
		vty_out(vty, "%% SMPP passwords have at most 8 characters%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	snprintf(GW->cfg.lab_password, sizeof(GW->cfg.lab_password), "%s", argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_esme, cfg_esme_cmd, "esme NAME", "Configure an ESME account\n" "system_id it binds with\n")
{
	struct gw_esme_cfg *e = gw_esme_cfg_find(GW, argv[0]);

	if (strlen(argv[0]) > 15) {
		vty_out(vty, "%% system_id longer than 15 characters%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (!e) {
		e = talloc_zero(GW, struct gw_esme_cfg);
		snprintf(e->system_id, sizeof(e->system_id), "%s", argv[0]);
		llist_add_tail(&e->list, &GW->cfg.esmes);
	}
	vty->index = e;
	vty->node = ESME_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_esme_pw, cfg_esme_pw_cmd, "password PASSWORD", "Bind password\n" "Password, at most 8 characters\n")
{
	struct gw_esme_cfg *e = vty->index;

	if (strlen(argv[0]) > 8) {
		vty_out(vty, "%% SMPP passwords have at most 8 characters%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	snprintf(e->password, sizeof(e->password), "%s", argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_esme_addr, cfg_esme_addr_cmd, "address ADDR",
      "An address this ESME owns: MO and receipts to it are delivered to this ESME\n" "Digits\n")
{
	struct gw_esme_cfg *e = vty->index;

	if (e->n_addrs == GW_MAX_ADDRS || strlen(argv[0]) > 20) {
		vty_out(vty, "%% at most %d addresses of up to 20 digits%s", GW_MAX_ADDRS, VTY_NEWLINE);
		return CMD_WARNING;
	}
	snprintf(e->addrs[e->n_addrs++], sizeof(e->addrs[0]), "%s", argv[0]);
	return CMD_SUCCESS;
}

#define SRC_ALLOW_STR "A source address this peer may use (none configured: any)\n"
#define SRC_PATTERN_STR "An address (exact), or an address prefix followed by '*'\n"

static int src_allow_cmd(struct vty *vty, struct gw_src_allow *a, bool add, const char *pat)
{
	char why[128];

	if ((add ? gw_src_allow_add(a, pat, why, sizeof(why)) : gw_src_allow_del(a, pat, why, sizeof(why))) < 0) {
		vty_out(vty, "%% %s%s", why, VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

static void src_allow_write(struct vty *vty, const char *indent, const struct gw_src_allow *a)
{
	for (unsigned int i = 0; i < a->n; i++)
		vty_out(vty, "%sallowed-source-address %s%s", indent, a->pat[i], VTY_NEWLINE);
}

DEFUN(cfg_esme_src, cfg_esme_src_cmd, "allowed-source-address PATTERN", SRC_ALLOW_STR SRC_PATTERN_STR)
{
	return src_allow_cmd(vty, &((struct gw_esme_cfg *)vty->index)->src_allow, true, argv[0]);
}

DEFUN(cfg_esme_no_src, cfg_esme_no_src_cmd, "no allowed-source-address PATTERN", NO_STR SRC_ALLOW_STR SRC_PATTERN_STR)
{
	return src_allow_cmd(vty, &((struct gw_esme_cfg *)vty->index)->src_allow, false, argv[0]);
}

/* ---- route node ---- */
DEFUN(cfg_route, cfg_route_cmd, "route NAME", "Configure a route\n" "Route name\n")
{
	struct gw_route *r = gw_route_by_name(GW, argv[0]);

	if (strlen(argv[0]) > 15) {
		vty_out(vty, "%% route names have at most 15 characters%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	if (!r) {
		r = talloc_zero(GW, struct gw_route);
		snprintf(r->name, sizeof(r->name), "%s", argv[0]);
		r->window = 10;
		llist_add_tail(&r->list, &GW->cfg.routes);
	}
	vty->index = r;
	vty->node = ROUTE_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_route_prefix, cfg_route_prefix_cmd, "prefix [DIGITS]",
      "Destination addresses starting with these digits take this route (longest prefix wins)\n" "Digits\n")
{
	struct gw_route *r = vty->index;

	snprintf(r->prefix, sizeof(r->prefix), "%s", argc ? argv[0] : "");
	return CMD_SUCCESS;
}

DEFUN(cfg_route_type, cfg_route_type_cmd, "type (lab|upstream|pcsc)",
      "Kind of next hop\n" "Lab handsets bound with their MSISDN\n" "An SMSC we bind to as an ESME\n"
      "A card in a PC/SC reader (ENVELOPE SMS-PP DATA DOWNLOAD)\n")
{
	struct gw_route *r = vty->index;

	r->type = !strcmp(argv[0], "lab") ? GW_ROUTE_LAB : !strcmp(argv[0], "pcsc") ? GW_ROUTE_PCSC : GW_ROUTE_UPSTREAM;
	if (r->type == GW_ROUTE_PCSC && !r->profile_len) {
		memcpy(r->profile, "\xff\xff\xff\xff\x7f", 5);
		r->profile_len = 5;
	}
	return CMD_SUCCESS;
}

DEFUN(cfg_route_reader, cfg_route_reader_cmd, "reader .NAME", "PC/SC reader of the card\n" "Reader name\n")
{
	struct gw_route *r = vty->index;
	char *name = argv_concat(argv, argc, 0);

	snprintf(r->reader, sizeof(r->reader), "%s", name);
	talloc_free(name);
	return CMD_SUCCESS;
}

DEFUN(cfg_route_profile, cfg_route_profile_cmd, "terminal-profile HEX",
      "TERMINAL PROFILE sent when the card is connected\n" "Profile bytes in hex\n")
{
	struct gw_route *r = vty->index;
	struct sg_error err;
	long n = sg_hex_decode(argv[0], r->profile, sizeof(r->profile), "terminal-profile", &err);

	if (n < 1) {
		vty_out(vty, "%% %s%s", n < 0 ? err.msg : "empty profile", VTY_NEWLINE);
		return CMD_WARNING;
	}
	r->profile_len = (size_t)n;
	return CMD_SUCCESS;
}

DEFUN(cfg_route_sc, cfg_route_sc_cmd, "sc-address DIGITS",
      "Service centre address put in the envelope's Address TLV (international, E.164)\n" "Digits\n")
{
	struct gw_route *r = vty->index;
	struct sms_addr a = { .ton = 1, .npi = 1 };
	uint8_t tmp[12];
	struct sg_error err;
	int n;

	snprintf(a.digits, sizeof(a.digits), "%s", argv[0]);
	n = sms_addr_encode(&a, tmp, sizeof(tmp), "sc-address", &err);
	if (n < 0) {
		vty_out(vty, "%% %s%s", err.msg, VTY_NEWLINE);
		return CMD_WARNING;
	}
	/* the CAT Address TLV counts bytes and has no length-in-digits octet */
	memcpy(r->sc_addr, tmp + 1, (size_t)n - 1);
	r->sc_addr_len = (size_t)n - 1;
	snprintf(r->sc_digits, sizeof(r->sc_digits), "%s", a.digits);
	return CMD_SUCCESS;
}

DEFUN(cfg_route_remote, cfg_route_remote_cmd, "remote A.B.C.D <1-65535>",
      "Upstream SMSC address\n" "IPv4 address\n" "TCP port\n")
{
	struct gw_route *r = vty->index;

	snprintf(r->host, sizeof(r->host), "%s", argv[0]);
	r->port = (uint16_t)atoi(argv[1]);
	return CMD_SUCCESS;
}

DEFUN(cfg_route_sysid, cfg_route_sysid_cmd, "system-id ID", "system_id we bind upstream with\n" "Identifier\n")
{
	struct gw_route *r = vty->index;

	snprintf(r->system_id, sizeof(r->system_id), "%s", argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_route_pw, cfg_route_pw_cmd, "password PASSWORD", "Upstream bind password\n" "Password\n")
{
	struct gw_route *r = vty->index;

	snprintf(r->password, sizeof(r->password), "%s", argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_route_window, cfg_route_window_cmd, "window <1-10000>", "Outstanding submit_sm upstream\n" "PDUs\n")
{
	struct gw_route *r = vty->index;

	r->window = (unsigned int)atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_route_src, cfg_route_src_cmd, "allowed-source-address PATTERN",
      "A source address the upstream SMSC's MO may have (none configured: any)\n" SRC_PATTERN_STR)
{
	return src_allow_cmd(vty, &((struct gw_route *)vty->index)->src_allow, true, argv[0]);
}

DEFUN(cfg_route_no_src, cfg_route_no_src_cmd, "no allowed-source-address PATTERN",
      NO_STR "A source address the upstream SMSC's MO may have\n" SRC_PATTERN_STR)
{
	return src_allow_cmd(vty, &((struct gw_route *)vty->index)->src_allow, false, argv[0]);
}

/* ---- queue node ---- */
DEFUN(cfg_queue, cfg_queue_cmd, "queue", "Configure the message queue\n")
{
	vty->node = QUEUE_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_queue_db, cfg_queue_db_cmd, "database PATH", "SQLite file of the queue\n" "Path\n")
{
	snprintf(GW->cfg.db_path, sizeof(GW->cfg.db_path), "%s", argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_queue_max, cfg_queue_max_cmd, "max-pending <1-10000000>",
      "Messages held before submitters get ESME_RMSGQFUL\n" "Count\n")
{
	GW->cfg.max_pending = (unsigned int)atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_queue_dup, cfg_queue_dup_cmd, "duplicate-window <0-86400>",
      "Seconds during which an identical submit from the same ESME is a duplicate (0: off)\n" "Seconds\n")
{
	GW->cfg.dup_window = (unsigned int)atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_queue_reasm, cfg_queue_reasm_cmd, "reassembly-timeout <1-3600>",
      "Seconds to wait for the missing parts of a concatenated MO\n" "Seconds\n")
{
	GW->cfg.reasm_timeout = (unsigned int)atoi(argv[0]);
	return CMD_SUCCESS;
}

/* ---- writers ---- */
static int write_smpp(struct vty *vty)
{
	struct gw_esme_cfg *e;

	vty_out(vty, "smpp%s", VTY_NEWLINE);
	vty_out(vty, " local-tcp-ip %s %u%s", GW->cfg.listen_ip, GW->cfg.listen_port, VTY_NEWLINE);
	vty_out(vty, " system-id %s%s", GW->cfg.system_id, VTY_NEWLINE);
	vty_out(vty, " window %u%s", GW->cfg.window, VTY_NEWLINE);
	if (GW->cfg.lab_password[0])
		vty_out(vty, " lab-password %s%s", GW->cfg.lab_password, VTY_NEWLINE);
	llist_for_each_entry(e, &GW->cfg.esmes, list) {
		vty_out(vty, " esme %s%s", e->system_id, VTY_NEWLINE);
		vty_out(vty, "  password %s%s", e->password, VTY_NEWLINE);
		for (unsigned int i = 0; i < e->n_addrs; i++)
			vty_out(vty, "  address %s%s", e->addrs[i], VTY_NEWLINE);
		src_allow_write(vty, "  ", &e->src_allow);
	}
	return CMD_SUCCESS;
}

static int write_routes(struct vty *vty)
{
	struct gw_route *r;

	llist_for_each_entry(r, &GW->cfg.routes, list) {
		vty_out(vty, "route %s%s", r->name, VTY_NEWLINE);
		vty_out(vty, " prefix %s%s", r->prefix, VTY_NEWLINE);
		vty_out(vty, " type %s%s", r->type == GW_ROUTE_LAB ? "lab" : r->type == GW_ROUTE_PCSC ? "pcsc" : "upstream",
			VTY_NEWLINE);
		if (r->type == GW_ROUTE_PCSC) {
			char hex[80];

			vty_out(vty, " reader %s%s", r->reader, VTY_NEWLINE);
			vty_out(vty, " terminal-profile %s%s", sg_hex_encode(r->profile, r->profile_len, hex, sizeof(hex)),
				VTY_NEWLINE);
			if (r->sc_digits[0])
				vty_out(vty, " sc-address %s%s", r->sc_digits, VTY_NEWLINE);
		}
		if (r->type == GW_ROUTE_UPSTREAM) {
			vty_out(vty, " remote %s %u%s", r->host, r->port, VTY_NEWLINE);
			vty_out(vty, " system-id %s%s", r->system_id, VTY_NEWLINE);
			vty_out(vty, " password %s%s", r->password, VTY_NEWLINE);
			vty_out(vty, " window %u%s", r->window, VTY_NEWLINE);
		}
		/* only upstream routes hand us MO, but what was configured is written back whatever the type */
		src_allow_write(vty, " ", &r->src_allow);
	}
	return CMD_SUCCESS;
}

static int write_queue(struct vty *vty)
{
	vty_out(vty, "queue%s database %s%s max-pending %u%s duplicate-window %u%s reassembly-timeout %u%s",
		VTY_NEWLINE, GW->cfg.db_path, VTY_NEWLINE, GW->cfg.max_pending, VTY_NEWLINE, GW->cfg.dup_window,
		VTY_NEWLINE, GW->cfg.reasm_timeout, VTY_NEWLINE);
	return CMD_SUCCESS;
}

static int write_nothing(struct vty *vty)
{
	return CMD_SUCCESS;
}

/* ---- show ---- */
DEFUN(show_esme, show_esme_cmd, "show esme", SHOW_STR "Bound ESMEs and lab handsets\n")
{
	struct gw_conn *c;

	vty_out(vty, "%-16s %-22s %-18s %8s %10s %10s %6s%s", "system_id", "peer", "bind", "inflight", "rx_pdus",
		"tx_pdus", "nacks", VTY_NEWLINE);
	llist_for_each_entry(c, &GW->conns, list) {
		if (c->role != GW_CONN_ESME)
			continue;
		vty_out(vty, "%-16s %-22s %-18s %8u %10lu %10lu %6lu%s", c->bound ? c->system_id : "-", c->peer,
			c->bound ? smpp_cmd_name(c->bind_cmd) : "unbound", c->n_inflight, c->rx_pdus, c->tx_pdus,
			c->nacks, VTY_NEWLINE);
	}
	return CMD_SUCCESS;
}

DEFUN(show_route, show_route_cmd, "show route", SHOW_STR "Routes and the state of upstream links\n")
{
	struct gw_route *r;

	vty_out(vty, "%-12s %-12s %-9s %-22s %-8s %8s%s", "name", "prefix", "type", "remote", "state", "inflight",
		VTY_NEWLINE);
	llist_for_each_entry(r, &GW->cfg.routes, list) {
		char remote[80] = "-";

		if (r->type == GW_ROUTE_UPSTREAM)
			snprintf(remote, sizeof(remote), "%s:%u", r->host, r->port);
		vty_out(vty, "%-12s %-12s %-9s %-22s %-8s %8u%s", r->name, r->prefix[0] ? r->prefix : "*",
			r->type == GW_ROUTE_LAB ? "lab" : r->type == GW_ROUTE_PCSC ? "pcsc" : "upstream",
			r->type == GW_ROUTE_PCSC ? r->reader : remote,
			r->type != GW_ROUTE_UPSTREAM ? "-" : (r->conn && r->conn->bound ? "bound" : "down"),
			r->conn ? r->conn->n_inflight : 0, VTY_NEWLINE);
	}
	return CMD_SUCCESS;
}

DEFUN(show_queue, show_queue_cmd, "show queue", SHOW_STR "Messages not yet through their next hop\n")
{
	vty_out(vty, "queued %u, in flight %u, waiting for receipt %u, reassembling %u, limit %u%s", GW->n_pending,
		GW->n_inflight, GW->n_waiting, sms_reasm_pending(GW->reasm), GW->cfg.max_pending, VTY_NEWLINE);
	return CMD_SUCCESS;
}

DEFUN(show_counters, show_counters_cmd, "show counters", SHOW_STR "Gateway counters\n")
{
	vty_out_rate_ctr_group(vty, " ", GW->ctrs);
	return CMD_SUCCESS;
}

int gw_vty_init(struct gw *gw)
{
	install_element_ve(&show_esme_cmd);
	install_element_ve(&show_route_cmd);
	install_element_ve(&show_queue_cmd);
	install_element_ve(&show_counters_cmd);

	install_node(&smpp_node, write_smpp);
	install_element(CONFIG_NODE, &cfg_smpp_cmd);
	install_element(SMPP_NODE, &cfg_smpp_local_cmd);
	install_element(SMPP_NODE, &cfg_smpp_sysid_cmd);
	install_element(SMPP_NODE, &cfg_smpp_window_cmd);
	install_element(SMPP_NODE, &cfg_smpp_labpw_cmd);
	install_element(SMPP_NODE, &cfg_esme_cmd);
	install_node(&esme_node, write_nothing);
	install_element(ESME_NODE, &cfg_esme_pw_cmd);
	install_element(ESME_NODE, &cfg_esme_addr_cmd);
	install_element(ESME_NODE, &cfg_esme_src_cmd);
	install_element(ESME_NODE, &cfg_esme_no_src_cmd);

	install_node(&route_node, write_routes);
	install_element(CONFIG_NODE, &cfg_route_cmd);
	install_element(ROUTE_NODE, &cfg_route_prefix_cmd);
	install_element(ROUTE_NODE, &cfg_route_type_cmd);
	install_element(ROUTE_NODE, &cfg_route_remote_cmd);
	install_element(ROUTE_NODE, &cfg_route_sysid_cmd);
	install_element(ROUTE_NODE, &cfg_route_pw_cmd);
	install_element(ROUTE_NODE, &cfg_route_window_cmd);
	install_element(ROUTE_NODE, &cfg_route_reader_cmd);
	install_element(ROUTE_NODE, &cfg_route_profile_cmd);
	install_element(ROUTE_NODE, &cfg_route_sc_cmd);
	install_element(ROUTE_NODE, &cfg_route_src_cmd);
	install_element(ROUTE_NODE, &cfg_route_no_src_cmd);

	install_node(&queue_node, write_queue);
	install_element(CONFIG_NODE, &cfg_queue_cmd);
	install_element(QUEUE_NODE, &cfg_queue_db_cmd);
	install_element(QUEUE_NODE, &cfg_queue_max_cmd);
	install_element(QUEUE_NODE, &cfg_queue_dup_cmd);
	install_element(QUEUE_NODE, &cfg_queue_reasm_cmd);
	return 0;
}
