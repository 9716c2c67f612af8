/* The ota-server's libosmovty configuration: nodes database, http, smpp, ota, owners and limits (see
 * ota-server.cfg), their writers for `show running-config`, and `show ota-server` / `show commands`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "simguard/hex.h"
#include "otasrv/server.h"

enum osv_vty_node {
	DB_NODE = _LAST_OSMOVTY_NODE + 1,
	HTTP_NODE,
	SMPP_NODE,
	OTA_NODE,
	OWNERS_NODE,
	LIMITS_NODE,
};

static struct osv_server_cfg *C;
static struct osv_store *show_store;

static struct cmd_node db_node = { .node = DB_NODE, .prompt = "%s(config-database)# ", .vtysh = 1 };
static struct cmd_node http_node = { .node = HTTP_NODE, .prompt = "%s(config-http)# ", .vtysh = 1 };
static struct cmd_node smpp_node = { .node = SMPP_NODE, .prompt = "%s(config-smpp)# ", .vtysh = 1 };
static struct cmd_node ota_node = { .node = OTA_NODE, .prompt = "%s(config-ota)# ", .vtysh = 1 };
static struct cmd_node owners_node = { .node = OWNERS_NODE, .prompt = "%s(config-owners)# ", .vtysh = 1 };
static struct cmd_node limits_node = { .node = LIMITS_NODE, .prompt = "%s(config-limits)# ", .vtysh = 1 };

void osv_server_cfg_defaults(struct osv_server_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->db_uri, sizeof(cfg->db_uri), "sqlite:ota-server.db");
	snprintf(cfg->instance, sizeof(cfg->instance), "ota-1");
	snprintf(cfg->http_ip, sizeof(cfg->http_ip), "127.0.0.1");
	cfg->http_port = 8443;
	cfg->max_body = 65536;
	cfg->max_import = 8 << 20;
	snprintf(cfg->smpp_host, sizeof(cfg->smpp_host), "127.0.0.1");
	cfg->smpp_port = 2776;
	snprintf(cfg->system_id, sizeof(cfg->system_id), "otasrv");
	snprintf(cfg->source_addr, sizeof(cfg->source_addr), "12345");
	cfg->window = 10;
	cfg->throughput = 50;
	cfg->deadline = 900;
	memcpy(cfg->default_tar, "\xC1\x00\x01", 3);
	memcpy(cfg->default_spi, "\x16\x39", 2);
	osv_engine_cfg_defaults(&cfg->engine);
	osv_owner_cfg_defaults(&cfg->owners);
	cfg->login_rate = (struct osv_rate){ 10, 60 };
	cfg->command_rate = (struct osv_rate){ 120, 60 };
}

static int set_str(struct vty *vty, char *dst, size_t size, const char *v, const char *what)
{
	if (strlen(v) >= size) {
		vty_out(vty, "%% %s: longer than %zu characters%s", what, size - 1, VTY_NEWLINE);
		return CMD_WARNING;
	}
	snprintf(dst, size, "%s", v);
	return CMD_SUCCESS;
}

#define NODE_CMD(fn, cmdname, str, help, node_id)                                                                  \
	DEFUN(fn, cmdname, str, help)                                                                              \
	{                                                                                                          \
		vty->node = node_id;                                                                               \
		return CMD_SUCCESS;                                                                                \
	}

NODE_CMD(cfg_db, cfg_db_cmd, "database", "Configure the store\n", DB_NODE)
NODE_CMD(cfg_http, cfg_http_cmd, "http", "Configure the HTTPS API\n", HTTP_NODE)
NODE_CMD(cfg_smpp, cfg_smpp_cmd, "smpp", "Configure the SMPP link to the SMSC\n", SMPP_NODE)
NODE_CMD(cfg_ota, cfg_ota_cmd, "ota", "Configure OTA command delivery\n", OTA_NODE)
NODE_CMD(cfg_owners, cfg_owners_cmd, "owners", "Configure owner authentication\n", OWNERS_NODE)
NODE_CMD(cfg_limits, cfg_limits_cmd, "limits", "Configure per-client rate limits\n", LIMITS_NODE)

DEFUN(cfg_db_uri, cfg_db_uri_cmd, "uri URI", "Where the store is\n" "sqlite:PATH or postgresql://...\n")
{
	return set_str(vty, C->db_uri, sizeof(C->db_uri), argv[0], "uri");
}

DEFUN(cfg_db_key, cfg_db_key_cmd, "master-key-file PATH", "Master key file (32 bytes or 64 hex digits)\n" "Path\n")
{
	return set_str(vty, C->master_key_file, sizeof(C->master_key_file), argv[0], "master-key-file");
}

DEFUN(cfg_db_inst, cfg_db_inst_cmd, "instance-id NAME", "This instance's name for command leases\n" "Name\n")
{
	return set_str(vty, C->instance, sizeof(C->instance), argv[0], "instance-id");
}

DEFUN(cfg_http_listen, cfg_http_listen_cmd, "listen A.B.C.D <1-65535>", "Where the API listens\n" "Address\n" "Port\n")
{
	C->http_port = (uint16_t)atoi(argv[1]);
	return set_str(vty, C->http_ip, sizeof(C->http_ip), argv[0], "listen");
}

DEFUN(cfg_http_cert, cfg_http_cert_cmd, "certificate PATH", "Server certificate chain (PEM)\n" "Path\n")
{
	return set_str(vty, C->cert_file, sizeof(C->cert_file), argv[0], "certificate");
}

DEFUN(cfg_http_key, cfg_http_key_cmd, "private-key PATH", "Server private key (PEM)\n" "Path\n")
{
	return set_str(vty, C->key_file, sizeof(C->key_file), argv[0], "private-key");
}

DEFUN(cfg_http_ca, cfg_http_ca_cmd, "client-ca PATH", "CA of operator client certificates (PEM)\n" "Path\n")
{
	return set_str(vty, C->client_ca_file, sizeof(C->client_ca_file), argv[0], "client-ca");
}

DEFUN(cfg_http_crl, cfg_http_crl_cmd, "crl PATH", "CRL of that CA (PEM or DER)\n" "Path\n")
{
	return set_str(vty, C->crl_file, sizeof(C->crl_file), argv[0], "crl");
}

DEFUN(cfg_http_legacy, cfg_http_legacy_cmd, "legacy-rsa-suite (enable|disable)",
      "TLS_RSA_WITH_AES_128_CBC_SHA256 (X.1127 Appendix V.2)\n" "Offer it\n" "Do not offer it (default)\n")
{
	C->legacy_rsa_suite = !strcmp(argv[0], "enable");
	return CMD_SUCCESS;
}

DEFUN(cfg_http_body, cfg_http_body_cmd, "max-body <256-1048576>", "Largest JSON body\n" "Bytes\n")
{
	C->max_body = (size_t)atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_http_import, cfg_http_import_cmd, "max-import <1024-67108864>", "Largest card CSV import\n" "Bytes\n")
{
	C->max_import = (size_t)atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_smpp_remote, cfg_smpp_remote_cmd, "remote A.B.C.D <1-65535>", "The SMSC\n" "Address\n" "Port\n")
{
	C->smpp_port = (uint16_t)atoi(argv[1]);
	return set_str(vty, C->smpp_host, sizeof(C->smpp_host), argv[0], "remote");
}

DEFUN(cfg_smpp_sysid, cfg_smpp_sysid_cmd, "system-id ID", "Our system_id\n" "At most 15 characters\n")
{
	return set_str(vty, C->system_id, sizeof(C->system_id), argv[0], "system-id");
}

DEFUN(cfg_smpp_pw, cfg_smpp_pw_cmd, "password PASSWORD", "Bind password\n" "At most 8 characters\n")
{
	return set_str(vty, C->password, sizeof(C->password), argv[0], "password");
}

DEFUN(cfg_smpp_src, cfg_smpp_src_cmd, "source-address DIGITS", "Our address (the TP-OA cards answer to)\n" "Digits\n")
{
	return set_str(vty, C->source_addr, sizeof(C->source_addr), argv[0], "source-address");
}

DEFUN(cfg_smpp_window, cfg_smpp_window_cmd, "window <1-100>", "Outstanding submit_sm\n" "PDUs\n")
{
	C->window = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_smpp_tp, cfg_smpp_tp_cmd, "throughput <1-10000>", "submit_sm per second at most\n" "PDUs per second\n")
{
	C->throughput = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ota_deadline, cfg_ota_deadline_cmd, "deadline <1-86400>", "A command expires after\n" "Seconds\n")
{
	C->deadline = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ota_retry, cfg_ota_retry_cmd, "retry-interval <1-3600>", "Resend without PoR after\n" "Seconds\n")
{
	C->engine.retry_interval = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ota_backoff, cfg_ota_backoff_cmd, "submit-backoff <1-600>", "Wait after an SMSC refusal\n" "Seconds\n")
{
	C->engine.submit_backoff = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ota_notify_tries, cfg_ota_notify_tries_cmd, "notify-sms-tries <1-100>",
      "Give an owner's notification SMS up after\n" "Sends the SMSC refused or lost\n")
{
	C->engine.notify_tries = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ota_sec_limit, cfg_ota_sec_limit_cmd, "security-audit-limit <0-100000> <1-86400>",
      "Security audit entries per card, beyond them one summary entry per window\n"
      "Entries (0: no limit, every event its own entry)\n" "Window in seconds\n")
{
	C->engine.security_audit_count = atoi(argv[0]);
	C->engine.security_audit_period = atoi(argv[1]);
	return CMD_SUCCESS;
}

DEFUN(cfg_ota_tar, cfg_ota_tar_cmd, "default-tar HEX", "TAR for imported cards without one\n" "3 bytes in hex\n")
{
	if (sg_hex_decode(argv[0], C->default_tar, 3, "tar", NULL) != 3) {
		vty_out(vty, "%% default-tar: 6 hex digits%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(cfg_ota_spi, cfg_ota_spi_cmd, "default-spi HEX", "SPI for imported cards without one\n" "2 bytes in hex\n")
{
	if (sg_hex_decode(argv[0], C->default_spi, 2, "spi", NULL) != 2) {
		vty_out(vty, "%% default-spi: 4 hex digits%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFUN(cfg_owners_argon2, cfg_owners_argon2_cmd, "argon2 time <1-100> memory <8-4194304> lanes <1-16>",
      "Argon2id cost\n" "Iterations\n" "Iterations\n" "Memory\n" "KiB\n" "Lanes\n" "Lanes\n")
{
	C->owners.argon2_t = (uint32_t)atoi(argv[0]);
	C->owners.argon2_m_kib = (uint32_t)atoi(argv[1]);
	C->owners.argon2_p = (uint32_t)atoi(argv[2]);
	return CMD_SUCCESS;
}

DEFUN(cfg_owners_lockout, cfg_owners_lockout_cmd, "lockout failures <1-100> time <1-86400>",
      "Lock an account after failed logins\n" "Consecutive failures\n" "Failures\n" "For how long\n" "Seconds\n")
{
	C->owners.max_failures = atoi(argv[0]);
	C->owners.lockout = atoi(argv[1]);
	return CMD_SUCCESS;
}

DEFUN(cfg_owners_ttl, cfg_owners_ttl_cmd, "session-ttl <60-86400>", "Owner sessions last\n" "Seconds\n")
{
	C->owners.session_ttl = atoi(argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_limits_login, cfg_limits_login_cmd, "login <0-100000> per <1-86400>",
      "Login attempts per client address\n" "Requests (0: no limit)\n" "Per\n" "Seconds\n")
{
	C->login_rate = (struct osv_rate){ atoi(argv[0]), atoi(argv[1]) };
	return CMD_SUCCESS;
}

DEFUN(cfg_limits_cmds, cfg_limits_cmds_cmd, "commands <0-100000> per <1-86400>",
      "Command requests per client\n" "Requests (0: no limit)\n" "Per\n" "Seconds\n")
{
	C->command_rate = (struct osv_rate){ atoi(argv[0]), atoi(argv[1]) };
	return CMD_SUCCESS;
}

static int write_db(struct vty *vty)
{
	vty_out(vty, "database%s uri %s%s", VTY_NEWLINE, C->db_uri, VTY_NEWLINE);
	if (C->master_key_file[0])
		vty_out(vty, " master-key-file %s%s", C->master_key_file, VTY_NEWLINE);
	vty_out(vty, " instance-id %s%s", C->instance, VTY_NEWLINE);
	return CMD_SUCCESS;
}

static int write_http(struct vty *vty)
{
	vty_out(vty, "http%s listen %s %u%s", VTY_NEWLINE, C->http_ip, C->http_port, VTY_NEWLINE);
	vty_out(vty, " certificate %s%s private-key %s%s", C->cert_file, VTY_NEWLINE, C->key_file, VTY_NEWLINE);
	if (C->client_ca_file[0])
		vty_out(vty, " client-ca %s%s", C->client_ca_file, VTY_NEWLINE);
	if (C->crl_file[0])
		vty_out(vty, " crl %s%s", C->crl_file, VTY_NEWLINE);
	vty_out(vty, " legacy-rsa-suite %s%s max-body %zu%s max-import %zu%s",
		C->legacy_rsa_suite ? "enable" : "disable", VTY_NEWLINE, C->max_body, VTY_NEWLINE, C->max_import,
		VTY_NEWLINE);
	return CMD_SUCCESS;
}

static int write_smpp(struct vty *vty)
{
	vty_out(vty, "smpp%s remote %s %u%s system-id %s%s password %s%s", VTY_NEWLINE, C->smpp_host, C->smpp_port,
		VTY_NEWLINE, C->system_id, VTY_NEWLINE, C->password, VTY_NEWLINE);
	vty_out(vty, " source-address %s%s window %d%s throughput %d%s", C->source_addr, VTY_NEWLINE, C->window,
		VTY_NEWLINE, C->throughput, VTY_NEWLINE);
	return CMD_SUCCESS;
}

static int write_ota(struct vty *vty)
{
	char tar[8], spi[8];

	vty_out(vty, "ota%s deadline %d%s retry-interval %d%s submit-backoff %d%s", VTY_NEWLINE, C->deadline,
		VTY_NEWLINE, C->engine.retry_interval, VTY_NEWLINE, C->engine.submit_backoff, VTY_NEWLINE);
	vty_out(vty, " notify-sms-tries %d%s", C->engine.notify_tries, VTY_NEWLINE);
	vty_out(vty, " security-audit-limit %d %d%s", C->engine.security_audit_count, C->engine.security_audit_period,
		VTY_NEWLINE);
	vty_out(vty, " default-tar %s%s default-spi %s%s", sg_hex_encode(C->default_tar, 3, tar, sizeof(tar)),
		VTY_NEWLINE, sg_hex_encode(C->default_spi, 2, spi, sizeof(spi)), VTY_NEWLINE);
	return CMD_SUCCESS;
}

static int write_owners(struct vty *vty)
{
	vty_out(vty, "owners%s argon2 time %u memory %u lanes %u%s", VTY_NEWLINE, C->owners.argon2_t,
		C->owners.argon2_m_kib, C->owners.argon2_p, VTY_NEWLINE);
	vty_out(vty, " lockout failures %d time %d%s session-ttl %d%s", C->owners.max_failures, C->owners.lockout,
		VTY_NEWLINE, C->owners.session_ttl, VTY_NEWLINE);
	return CMD_SUCCESS;
}

static int write_limits(struct vty *vty)
{
	vty_out(vty, "limits%s login %d per %d%s commands %d per %d%s", VTY_NEWLINE, C->login_rate.count,
		C->login_rate.period, VTY_NEWLINE, C->command_rate.count, C->command_rate.period, VTY_NEWLINE);
	return CMD_SUCCESS;
}

DEFUN(show_commands, show_commands_cmd, "show commands", SHOW_STR "Commands by state\n")
{
	int64_t counts[OSV_CMD_STATE_COUNT];
	struct sg_error err;

	if (!show_store || osv_cmd_counts(show_store, 0, counts, &err) < 0) {
		vty_out(vty, "%% store not available%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	for (int i = 0; i < OSV_CMD_STATE_COUNT; i++)
		vty_out(vty, "%-18s %lld%s", osv_cmd_state_name(i), (long long)counts[i], VTY_NEWLINE);
	return CMD_SUCCESS;
}

void osv_vty_set_store(struct osv_store *s)
{
	show_store = s;
}

#define INSTALL(node_struct, writer, enter_cmd, ...)                                                                \
	do {                                                                                                       \
		struct cmd_element *cmds[] = { __VA_ARGS__ };                                                      \
		install_node(&node_struct, writer);                                                               \
		install_element(CONFIG_NODE, &enter_cmd);                                                         \
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)                                        \
			install_element(node_struct.node, cmds[i]);                                                \
	} while (0)

void osv_vty_init(struct osv_server_cfg *cfg)
{
	C = cfg;
	install_element_ve(&show_commands_cmd);
	INSTALL(db_node, write_db, cfg_db_cmd, &cfg_db_uri_cmd, &cfg_db_key_cmd, &cfg_db_inst_cmd);
	INSTALL(http_node, write_http, cfg_http_cmd, &cfg_http_listen_cmd, &cfg_http_cert_cmd, &cfg_http_key_cmd,
		&cfg_http_ca_cmd, &cfg_http_crl_cmd, &cfg_http_legacy_cmd, &cfg_http_body_cmd, &cfg_http_import_cmd);
	INSTALL(smpp_node, write_smpp, cfg_smpp_cmd, &cfg_smpp_remote_cmd, &cfg_smpp_sysid_cmd, &cfg_smpp_pw_cmd,
		&cfg_smpp_src_cmd, &cfg_smpp_window_cmd, &cfg_smpp_tp_cmd);
	INSTALL(ota_node, write_ota, cfg_ota_cmd, &cfg_ota_deadline_cmd, &cfg_ota_retry_cmd, &cfg_ota_backoff_cmd,
		&cfg_ota_notify_tries_cmd, &cfg_ota_sec_limit_cmd, &cfg_ota_tar_cmd, &cfg_ota_spi_cmd);
	INSTALL(owners_node, write_owners, cfg_owners_cmd, &cfg_owners_argon2_cmd, &cfg_owners_lockout_cmd,
		&cfg_owners_ttl_cmd);
	INSTALL(limits_node, write_limits, cfg_limits_cmd, &cfg_limits_login_cmd, &cfg_limits_cmds_cmd);
}
