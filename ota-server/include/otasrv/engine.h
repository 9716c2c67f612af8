/* The OTA command engine, without I/O: turns due commands into secured packets (a fresh counter each, committed
 * with the packet before anything leaves), follows the SMSC's answers and delivery receipts, and reads what
 * cards send back (PoRs, handset-change reports) into command states, results and device state.
 *
 * Lifecycle: queued -> submitted (SMSC accepted) -> delivered (receipt, or an authentic "more time" /
 * "response follows" PoR) -> confirmed (authentic PoR, applet performed) / rejected (PoR status or applet
 * refusal) / expired (no PoR by the deadline). No PoR by the retry interval -> sent again with a fresh counter. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/secured_packet.h"
#include "otasrv/security_flood.h"
#include "otasrv/store.h"

struct osv_engine_cfg {
	int retry_interval; /* s without PoR before the packet goes again with a fresh counter */
	int submit_backoff; /* s before trying again when the SMSC refused or was unreachable */
	int lease;	    /* s a claimed command stays with this instance */
	int notify_tries;   /* sends of an owner's notification SMS before it is given up */
	/* Security audit entries per card (MSISDN) and window of security_audit_period s; more events in the window
	 * are counted into one summary entry (security_flood.h). 0: every event its own entry. */
	int security_audit_count, security_audit_period;
	struct osv_secflood *secflood; /* this instance's counts, not configuration; NULL: every event audited */
};

void osv_engine_cfg_defaults(struct osv_engine_cfg *cfg);

/* A packet ready to leave. ud is the SMS user data (02 70 00 || packet) or, for USSD, the packet. Or, when
 * notification_id is set, one SMS of an owner's notification (notify_sms.h): ud is text in data_coding dcs -
 * GSM 7-bit default alphabet one septet per octet (what SMPP data_coding 0 carries to osmo-msc), or UCS-2 -
 * after a concatenation header when udhi. */
struct osv_outgoing {
	int64_t command_id;
	int64_t attempt_id;
	int64_t notification_id;
	int64_t sms_id;	 /* the notification's SMS part */
	int part, parts; /* part number of parts */
	uint8_t dcs;
	bool udhi;
	int tries; /* of the notification's part, this send included */
	char msisdn[21];
	enum sp_dialect dialect;
	uint8_t ud[SP_MAX_PACKET + 3];
	size_t ud_len;
};

/* Work on claimed commands: expire those past their deadline, build a packet for each of the others. All of it
 * in one transaction, committed before returning: only then may the packets leave. Commands that cannot be
 * built (keyset missing, counter exhausted) are rejected with the reason. Returns how many packets are in out,
 * or -1 (nothing committed). */
int osv_engine_prepare(struct osv_store *s, const struct osv_engine_cfg *cfg, const int64_t *ids, int n,
		       int64_t now, struct osv_outgoing *out, struct sg_error *err);

/* Claim up to max due commands and prepare them, claim and counters in one transaction (one disk sync); room
 * left goes to owner notifications waiting for their SMS. */
int osv_engine_next(struct osv_store *s, const struct osv_engine_cfg *cfg, int max, int64_t now,
		    struct osv_outgoing *out, struct sg_error *err);

/* The SMSC's answer to a submit: accepted (msgid) -> submitted, or refused / lost -> tried again after the
 * backoff, with a fresh counter. For a notification SMS: sent, or tried again after a growing backoff. */
int osv_engine_submitted(struct osv_store *s, const struct osv_engine_cfg *cfg, const struct osv_outgoing *o,
			 bool accepted, const char *msgid, const char *why, int64_t now, struct sg_error *err);

/* A delivery receipt for msgid, message_state as SMPP's TLV: 2 delivered moves a submitted command on; for an
 * owner notification's SMS part 2 is delivered, 3 expired, 4 deleted, 5 undeliverable and 8 rejected are
 * undelivered, the others (en route, accepted, unknown) change nothing. */
int osv_engine_receipt(struct osv_store *s, const char *msgid, int message_state, int64_t now, struct sg_error *err);

/* A mobile-originated message from a card (PoR or handset-change report). what gets one line for the log.
 * Returns 1 when it was used, 0 when it was ignored (unknown card, not authentic, no matching command),
 * -1 on a store error. */
int osv_engine_mo(struct osv_store *s, const struct osv_engine_cfg *cfg, const char *from, const uint8_t *ud,
		  size_t len, bool ussd, int64_t now, char *what, size_t what_size, struct sg_error *err);

/* ---- shared between the engine's files ---- */

/* Header of the packet an attempt carried (SPI, KIc, KID, TAR from the card and keyset, the attempt's CNTR). */
void osv_engine_cmd_hdr(const struct osv_card *c, const struct osv_keyset *ks, const uint8_t tar[3], uint64_t cntr,
			struct sp_cmd_hdr *h);
/* The TAR a command goes to: the anti-theft applet's, or the "tar" parameter of remote file management. */
void osv_engine_cmd_tar(const struct osv_card *c, const struct osv_command *cmd, uint8_t tar[3]);
/* Owner notifications' SMS parts waiting to be sent, claimed into out (engine_notify.c). */
int osv_engine_notify_claim(struct osv_store *s, const struct osv_engine_cfg *cfg, int max, int64_t now,
			    struct osv_outgoing *out, struct sg_error *err);
/* The SMSC's answer to a notification part: sent (msgid kept for the receipt), or tried again after a growing
 * backoff until notify_tries. */
int osv_engine_notify_submitted(struct osv_store *s, const struct osv_engine_cfg *cfg, const struct osv_outgoing *o,
				bool accepted, const char *msgid, int64_t now, struct sg_error *err);
/* A delivery receipt for a notification part (message_state as in osv_engine_receipt). 1 when a part took it. */
int osv_engine_notify_receipt(struct osv_store *s, const char *msgid, int message_state, struct sg_error *err);
/* Tell the device's owner about a command event: kept for the API, and queued as SMS parts when the owner gave a
 * notify number. */
int osv_engine_notify(struct osv_store *s, const struct osv_command *cmd, const char *event, int64_t now,
		      struct sg_error *err);
