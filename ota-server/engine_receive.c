/* The receiving half of the OTA engine (engine.h): PoRs matched to the attempt whose counter they echo and
 * verified with sp_response_verify (unsecured error PoRs included), their status codes and the applet's result
 * turned into command states, results and device state; handset-change reports verified as the command packets
 * they are, with the card's own counter. What fails verification, and what a card reports as a security
 * failure, is also a "security" entry in the audit log - up to the per-card limit, beyond which the events are
 * counted into one summary entry (security_flood.h), so that a forger sending from a card's number cannot flood
 * the log. Called from the SMPP link's read burst, inside its transaction (each MO a nested one). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "simguard/hex.h"
#include "otasrv/antitheft.h"
#include "otasrv/engine.h"

struct por_ctx {
	struct osv_store *s;
	const struct osv_engine_cfg *cfg;
	int64_t now;
	struct osv_card card;
	struct osv_command cmd;
	struct osv_attempt att;
	struct sp_response rsp;
	uint8_t plain[SP_MAX_PACKET];
	bool authentic;
	char *what;
	size_t what_size;
};

/* A security event beyond the card's limit: counted for the summary, and the log line says so. */
static int security_suppressed(struct por_ctx *x)
{
	size_t used = strlen(x->what);

	snprintf(x->what + used, x->what_size - used,
		 " (security audit limit of %d per %d s reached for this card: counted for a summary entry)",
		 x->cfg->security_audit_count, x->cfg->security_audit_period);
	return 0;
}

/* A security event into the audit log, in the MO's transaction: an MO from one of our cards' numbers that does
 * not verify (forged or altered PoR, replayed report), or a card reporting that it refused a packet. detail is
 * the log line, which names fields and verdicts, never key or packet bytes. status: the PoR status code for a
 * card's refusal, 0 otherwise. Beyond the card's limit, counted instead (the summary may be written here). */
static int security_event(struct por_ctx *x, const char *action, int64_t cmd_id, int status, struct sg_error *err)
{
	char actor[40], target[48];
	struct osv_audit_entry e = { .at = x->now, .actor = actor, .client = "smpp", .action = action,
				     .target = target, .decision = "security", .status = status,
				     .detail = x->what };
	int rc = osv_secflood_admit(x->cfg->secflood, x->s, x->cfg->security_audit_count,
				    x->cfg->security_audit_period, x->card.msisdn, x->card.iccid, x->what, x->now, err);

	if (rc <= 0)
		return rc < 0 ? -1 : security_suppressed(x);
	snprintf(actor, sizeof(actor), "msisdn:%s", x->card.msisdn);
	if (cmd_id)
		snprintf(target, sizeof(target), "%s command %" PRId64, x->card.iccid, cmd_id);
	else
		snprintf(target, sizeof(target), "%s", x->card.iccid);
	return osv_audit_append(x->s, &e, err);
}

/* Status codes by which a card says a packet failed its security checks (TS 102 225 5.1.2). */
static bool status_is_security(uint8_t st)
{
	return (st >= SP_STATUS_CHK_FAILED && st <= SP_STATUS_UNIDENTIFIED) || st == SP_STATUS_TAR_UNKNOWN ||
	       st == SP_STATUS_INSUFFICIENT_SECURITY;
}

/* Verify the PoR as the answer to attempt a. */
static enum sp_verdict verify_as(struct por_ctx *x, const uint8_t *pkt, size_t len, enum sp_dialect d,
				 const struct osv_attempt *a, struct sg_error *err)
{
	struct osv_command cmd;
	struct osv_keyset ks;
	struct sp_cmd_hdr h;
	uint8_t tar[3];
	enum sp_verdict v;

	if (osv_cmd_get(x->s, a->command_id, &cmd, err) != 1 || osv_keyset_load(x->s, &x->card, a->kvn, &ks, err) != 1)
		return SP_VERDICT_UNSUPPORTED;
	osv_engine_cmd_tar(&x->card, &cmd, tar);
	osv_engine_cmd_hdr(&x->card, &ks, tar, a->cntr, &h);
	v = sp_response_verify(pkt, len, &h, &ks.keys, d, &x->rsp, &x->authentic, x->plain, sizeof(x->plain), err);
	osv_keyset_cleanse(&ks);
	if (v == SP_VERDICT_OK) {
		x->cmd = cmd;
		x->att = *a;
	}
	return v;
}

/* A PoR while no command of ours waits. Read as an unsecured PoR (the form a card's error PoR has): one with a
 * security status means the card refused a packet that was not ours (a replay, a forgery): audited. Anything
 * else (a late PoR, an unreadable one) is only logged. Returns 0, or -1 on a store error. */
static int unsolicited_por(struct por_ctx *x, const uint8_t *pkt, size_t len, enum sp_dialect d, struct sg_error *err)
{
	struct osv_keyset ks;
	struct sp_cmd_hdr h;
	struct sg_error why;
	enum sp_verdict v;
	int rc = osv_keyset_load(x->s, &x->card, x->card.kvn, &ks, err);

	if (rc <= 0)
		return rc;
	osv_engine_cmd_hdr(&x->card, &ks, x->card.tar, 0, &h);
	v = sp_response_verify(pkt, len, &h, &ks.keys, d, &x->rsp, &x->authentic, x->plain, sizeof(x->plain), &why);
	osv_keyset_cleanse(&ks);
	if (v != SP_VERDICT_OK || x->authentic || !status_is_security(x->rsp.status))
		return 0;
	snprintf(x->what, x->what_size,
		 "PoR from %s with no command of ours waiting: the card refused a packet, status %02X: %s (unsecured PoR)",
		 x->card.msisdn, x->rsp.status, sp_status_name(x->rsp.status));
	return security_event(x, "MO PoR", 0, x->rsp.status, err) < 0 ? -1 : 0;
}

/* Find the attempt a PoR answers: the card's latest open one, or the one whose counter the PoR echoes. A
 * ciphered counter is only readable after deciphering, so the latest attempt's keys open it first. */
static int match_por(struct por_ctx *x, const uint8_t *pkt, size_t len, enum sp_dialect d, struct sg_error *err)
{
	struct osv_attempt a;
	struct sg_error why;
	enum sp_verdict v;
	int rc = osv_attempt_latest_open(x->s, x->card.id, &a, err);

	if (rc <= 0) {
		snprintf(x->what, x->what_size, "PoR from %s: no command waiting for one", x->card.msisdn);
		return rc < 0 ? -1 : unsolicited_por(x, pkt, len, d, err);
	}
	v = verify_as(x, pkt, len, d, &a, &why);
	if (v == SP_VERDICT_CHK_FAILED && x->rsp.cntr != a.cntr) {
		rc = osv_attempt_by_cntr(x->s, x->card.id, x->rsp.cntr, &a, err);
		if (rc < 0)
			return -1;
		v = rc ? verify_as(x, pkt, len, d, &a, &why) : v;
	}
	if (v != SP_VERDICT_OK) {
		snprintf(x->what, x->what_size, "PoR from %s ignored: %s", x->card.msisdn, why.msg);
		return security_event(x, "MO PoR", a.command_id, 0, err) < 0 ? -1 : 0;
	}
	/* An unsecured PoR whose counter is readable and names another attempt (cards zero it, then the
	 * latest one stands). */
	if (!x->authentic && x->rsp.cntr && x->rsp.cntr != x->att.cntr) {
		struct osv_attempt b;

		rc = osv_attempt_by_cntr(x->s, x->card.id, x->rsp.cntr, &b, err);
		if (rc < 0)
			return -1;
		if (rc == 1 && osv_cmd_get(x->s, b.command_id, &x->cmd, err) == 1)
			x->att = b;
	}
	return 1;
}

static bool spi_wants_por_chk(const struct osv_card *c)
{
	return (c->spi[1] & SP_SPI2_POR_CHK_MASK) != 0;
}

static void update_device(struct por_ctx *x, json_t *result, struct sg_error *err)
{
	const char *imei = json_string_value(json_object_get(result, "imei"));
	const char *state = json_string_value(json_object_get(result, "state"));
	json_t *flags = json_object_get(result, "flags");
	struct osv_device d;

	if (osv_device_get(x->s, x->card.id, &d, err) != 1)
		return;
	if (imei)
		snprintf(d.imei, sizeof(d.imei), "%s", imei);
	if (state)
		d.disabled = !strcmp(state, "disabled");
	if (flags) {
		d.lock_origin = (json_is_true(json_object_get(flags, "locked_by_owner")) ? 1 : 0) |
				(json_is_true(json_object_get(flags, "locked_by_operator")) ? 2 : 0);
		d.opted_out = json_is_true(json_object_get(flags, "opted_out"));
	}
	if (!strcmp(x->cmd.kind, "disable"))
		d.disabled = true;
	if (!strcmp(x->cmd.kind, "opt-out"))
		d.opted_out = true;
	if (!strcmp(x->cmd.kind, "opt-in"))
		d.opted_out = false;
	if (!strcmp(x->cmd.kind, "unlock") && !flags)
		d.lock_origin = OSV_LOCK_NONE;
	osv_device_update(x->s, &d, x->now, err);
}

/* TS 102 226 compact response: number of commands executed, SW of the last, its data. */
static json_t *rfm_result(const uint8_t *data, size_t len, bool *ok)
{
	char sw[5], hex[2 * SP_MAX_PACKET + 1];

	if (len < 3) {
		*ok = false;
		return json_pack("{s:s}", "error", "response shorter than the 3 bytes of a TS 102 226 result");
	}
	snprintf(sw, sizeof(sw), "%02X%02X", data[1], data[2]);
	*ok = data[1] == 0x90 || data[1] == 0x91 || data[1] == 0x61;
	return json_pack("{s:i, s:s, s:s}", "executed", data[0], "sw", sw, "data",
			 sg_hex_encode(data + 3, len - 3, hex, sizeof(hex)));
}

/* Status 00 from an authentic PoR: the applet's own verdict decides. */
static int por_performed(struct por_ctx *x, struct sg_error *err)
{
	struct sg_error why;
	json_t *result;
	bool ok;
	char detail[160];

	if (!strcmp(x->cmd.kind, "rfm")) {
		result = rfm_result(x->rsp.data, x->rsp.data_len, &ok);
	} else {
		result = osv_at_result_decode(x->rsp.data, x->rsp.data_len, &why);
		if (!result)
			result = json_pack("{s:s}", "error", why.msg);
		ok = json_object_get(result, "result") &&
		     osv_at_result_ok(json_string_value(json_object_get(result, "result")));
	}
	if (osv_cmd_set_result(x->s, x->cmd.id, result, err) < 0) {
		json_decref(result);
		return -1;
	}
	if (ok) {
		osv_device_record_result(x->s, x->card.id, x->cmd.kind, result, x->now, err);
		update_device(x, result, err);
	}
	if (json_object_get(result, "meaning"))
		snprintf(detail, sizeof(detail), "card: %s (%s)", json_string_value(json_object_get(result, "result")),
			 json_string_value(json_object_get(result, "meaning")));
	else
		snprintf(detail, sizeof(detail), "card: %s",
			 json_string_value(json_object_get(result, ok ? "sw" : "error")) ?: "unreadable result");
	json_decref(result);
	if (osv_cmd_update(x->s, x->cmd.id, ok ? OSV_CMD_CONFIRMED : OSV_CMD_REJECTED, 0, detail, 0, err) < 0)
		return -1;
	x->cmd.state = ok ? OSV_CMD_CONFIRMED : OSV_CMD_REJECTED;
	snprintf(x->what, x->what_size, "command %" PRId64 " %s: %s", x->cmd.id, osv_cmd_state_name(x->cmd.state),
		 detail);
	return osv_engine_notify(x->s, &x->cmd, ok ? "confirmed by the card" : detail, x->now, err);
}

/* The card will answer later (more time, response by SMS-SUBMIT / USSD): delivered, keep waiting. */
static int por_later(struct por_ctx *x, struct sg_error *err)
{
	int64_t next = x->now + x->cfg->retry_interval;

	snprintf(x->what, x->what_size, "command %" PRId64 ": card accepted it, result follows (%s)", x->cmd.id,
		 sp_status_name(x->rsp.status));
	return osv_cmd_update(x->s, x->cmd.id, OSV_CMD_DELIVERED, x->rsp.status, NULL,
			      next < x->cmd.deadline ? next : x->cmd.deadline, err);
}

static int por_refused(struct por_ctx *x, struct sg_error *err)
{
	uint8_t st = x->rsp.status;
	char detail[160];

	snprintf(detail, sizeof(detail), "PoR status %02X: %s%s", st, sp_status_name(st),
		 x->authentic ? "" : " (unsecured PoR)");
	if (st == SP_STATUS_CNTR_LOW || st == SP_STATUS_CNTR_HIGH) {
		if (osv_card_set_counter_state(x->s, x->card.id, OSV_CNTR_DRIFT, err) < 0)
			return -1;
		strncat(detail, "; counter resynchronisation needed", sizeof(detail) - strlen(detail) - 1);
	}
	if (st == SP_STATUS_CNTR_BLOCKED && osv_card_set_counter_state(x->s, x->card.id, OSV_CNTR_BLOCKED, err) < 0)
		return -1;
	if (osv_cmd_update(x->s, x->cmd.id, OSV_CMD_REJECTED, st, detail, 0, err) < 0)
		return -1;
	x->cmd.state = OSV_CMD_REJECTED;
	snprintf(x->what, x->what_size, "command %" PRId64 " rejected: %s", x->cmd.id, detail);
	if (status_is_security(st) && security_event(x, "MO PoR", x->cmd.id, st, err) < 0)
		return -1;
	return osv_engine_notify(x->s, &x->cmd, detail, x->now, err);
}

static int handle_por(struct por_ctx *x, const uint8_t *pkt, size_t len, enum sp_dialect d, struct sg_error *err)
{
	int rc = match_por(x, pkt, len, d, err);

	if (rc <= 0)
		return rc;
	if (osv_cmd_state_final(x->cmd.state)) {
		snprintf(x->what, x->what_size, "PoR for command %" PRId64 " which is %s already: ignored", x->cmd.id,
			 osv_cmd_state_name(x->cmd.state));
		return 0;
	}
	/* After a resend the card may get the older copy last and refuse it as "counter low" while it took the
	 * newer one: an unsecured refusal of that kind says nothing about the command, which waits on for the
	 * newer copy's PoR or its deadline. Audited, since a forger could send it too. */
	if (!x->authentic && x->rsp.status == SP_STATUS_CNTR_LOW && x->cmd.attempts > 1) {
		snprintf(x->what, x->what_size,
			 "command %" PRId64 ": unsecured PoR status 02 (counter low) after %d attempts: an older copy"
			 " refused, the command waits for its latest one",
			 x->cmd.id, x->cmd.attempts);
		return security_event(x, "MO PoR", x->cmd.id, x->rsp.status, err) < 0 ? -1 : 1;
	}
	/* "Performed" and "result follows" need proof; anyone can claim an error (and gain nothing by it but a
	 * resend the owner sees). */
	if ((x->rsp.status == SP_STATUS_OK || x->rsp.status == SP_STATUS_MORE_TIME ||
	     x->rsp.status == SP_STATUS_RESP_BY_SUBMIT || x->rsp.status == SP_STATUS_RESP_BY_USSD) &&
	    !x->authentic && spi_wants_por_chk(&x->card)) {
		snprintf(x->what, x->what_size, "PoR for command %" PRId64 " ignored: status %02X without checksum",
			 x->cmd.id, x->rsp.status);
		return security_event(x, "MO PoR", x->cmd.id, 0, err) < 0 ? -1 : 0;
	}
	switch (x->rsp.status) {
	case SP_STATUS_OK:
		rc = por_performed(x, err);
		break;
	case SP_STATUS_MORE_TIME:
	case SP_STATUS_RESP_BY_SUBMIT:
	case SP_STATUS_RESP_BY_USSD:
		rc = por_later(x, err);
		break;
	default:
		rc = por_refused(x, err);
	}
	return rc < 0 ? -1 : 1;
}

/* Keep the report with the device's results and take the new IMEI as the device's. */
static int record_report(struct por_ctx *x, json_t *report, struct sg_error *err)
{
	struct osv_device dev;
	int rc = osv_device_record_result(x->s, x->card.id, "handset_change", report, x->now, err);

	if (rc < 0)
		return -1;
	rc = osv_device_get(x->s, x->card.id, &dev, err);
	if (rc <= 0)
		return rc;
	snprintf(dev.imei, sizeof(dev.imei), "%s", json_string_value(json_object_get(report, "imei")));
	return osv_device_update(x->s, &dev, x->now, err);
}

/* A handset-change report that does not verify, or replays an old counter: logged and audited, not used. */
static int report_ignored(struct por_ctx *x, const char *why, struct sg_error *err)
{
	snprintf(x->what, x->what_size, "report from %s ignored: %s", x->card.msisdn, why);
	return security_event(x, "MO report", 0, 0, err) < 0 ? -1 : 0;
}

/* A handset-change report: a command packet from the card to us (SPI 16 00), its counter above every one seen. */
static int handle_report(struct por_ctx *x, const uint8_t *pkt, size_t len, enum sp_dialect d, struct sg_error *err)
{
	struct sp_cmd_hdr h;
	struct sp_command c;
	struct osv_keyset ks;
	struct sg_error why;
	enum sp_verdict v;
	json_t *report;
	int rc;

	if (sp_command_peek(pkt, len, d, &h, &why) < 0 || osv_keyset_load(x->s, &x->card, h.kic >> 4, &ks, &why) != 1)
		return report_ignored(x, why.msg, err);
	v = sp_command_verify(pkt, len, d, &ks.keys, &c, x->plain, sizeof(x->plain), &why);
	osv_keyset_cleanse(&ks);
	if (v != SP_VERDICT_OK || (h.spi[0] & SP_SPI1_CHK_MASK) != SP_SPI1_CHK_CC)
		return report_ignored(x, v != SP_VERDICT_OK ? why.msg : "no cryptographic checksum", err);
	report = osv_at_report_decode(c.data, c.data_len, &why);
	if (!report)
		return report_ignored(x, why.msg, err);
	rc = osv_card_report_cntr(x->s, x->card.id, c.hdr.cntr, err);
	if (rc == 1 && record_report(x, report, err) < 0)
		rc = -1;
	json_decref(report);
	if (rc == 0) {
		snprintf(why.msg, sizeof(why.msg), "replayed or old counter %" PRIu64, (uint64_t)c.hdr.cntr);
		return report_ignored(x, why.msg, err);
	}
	snprintf(x->what, x->what_size, "handset-change report from %s (counter %" PRIu64 ")", x->card.msisdn,
		 (uint64_t)c.hdr.cntr);
	return rc < 0 ? -1 : rc;
}

int osv_engine_mo(struct osv_store *s, const struct osv_engine_cfg *cfg, const char *from, const uint8_t *ud,
		  size_t len, bool ussd, int64_t now, char *what, size_t what_size, struct sg_error *err)
{
	struct por_ctx *x = calloc(1, sizeof(*x));
	enum sp_dialect d = ussd ? SP_DIALECT_USSD : SP_DIALECT_SMS;
	int rc;

	if (!x)
		return sg_err(err, "out of memory");
	x->s = s;
	x->cfg = cfg;
	x->now = now;
	x->what = what;
	x->what_size = what_size;
	snprintf(what, what_size, "MO from %s ignored", from);
	osv_secflood_begin(cfg->secflood);
	if (osv_store_begin(s, err) < 0) {
		osv_secflood_end(cfg->secflood, false);
		free(x);
		return -1;
	}
	rc = osv_card_get_by_msisdn(s, from, &x->card, err);
	if (rc == 0)
		snprintf(what, what_size, "MO from %s: not a card of ours", from);
	else if (rc == 1 && !ussd && len >= 3 && !memcmp(ud, "\x02\x71\x00", 3))
		rc = handle_por(x, ud + 3, len - 3, d, err);
	else if (rc == 1 && !ussd && len >= 3 && !memcmp(ud, "\x02\x70\x00", 3))
		rc = handle_report(x, ud + 3, len - 3, d, err);
	else if (rc == 1 && ussd)
		rc = handle_por(x, ud, len, d, err);
	else if (rc == 1) {
		snprintf(what, what_size, "MO from %s: no OTA header (02 70 00 / 02 71 00)", from);
		rc = 0;
	}
	OPENSSL_cleanse(x->plain, sizeof(x->plain));
	free(x);
	if (rc < 0 || osv_store_commit(s, err) < 0) {
		osv_store_rollback(s);
		osv_secflood_end(cfg->secflood, false);
		return -1;
	}
	osv_secflood_end(cfg->secflood, true);
	return rc;
}
