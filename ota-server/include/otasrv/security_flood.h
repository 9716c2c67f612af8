/* A bound on the security audit entries one card's number can cause (engine_receive.c): per MSISDN a burst of
 * `count` entries per window of `period` seconds; beyond it the events are counted, not written one by one, and
 * one summary entry ("N further security events ... suppressed between T1 and T2: last: reason") is written when
 * the window is over - at the card's next event, by osv_secflood_flush (the dispatcher's tick), when the table
 * needs the card's slot for another number, and at clean shutdown. Nothing is lost but on a crash (kill -9): the
 * counts live in this instance's memory only, and each instance sharing a database counts its own MOs. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "otasrv/store.h"

struct osv_secflood;

struct osv_secflood *osv_secflood_new(void);
void osv_secflood_free(struct osv_secflood *f);

/* One security event from msisdn (card iccid), reason the line that would be its entry's detail. Returns 1 when
 * the event gets its own audit entry, 0 when it was counted for a summary instead, -1 when a summary that was due
 * (the card's last window is over, or its slot went to another number) could not be written (err filled).
 * Summaries are written here with osv_audit_append in the caller's transaction. f NULL or count 0: always 1. */
int osv_secflood_admit(struct osv_secflood *f, struct osv_store *s, int count, int period, const char *msisdn,
		       const char *iccid, const char *reason, int64_t now, struct sg_error *err);

/* The caller's transaction begins, and ends committed or not. They nest as the store's transactions do (the SMPP
 * link's read burst around each MO's): when any level failed, the outermost end puts the table back as it was at
 * the outermost begin, so that no count is lost with a summary that never reached the database (a count may then
 * come twice, when the SMSC delivers the burst again). f may be NULL. */
void osv_secflood_begin(struct osv_secflood *f);
void osv_secflood_end(struct osv_secflood *f, bool committed);

/* The event of the last admit was counted, not audited, and was not the first so counted in its window: worth a
 * debug line only (the first one is worth a notice). */
bool osv_secflood_quiet(const struct osv_secflood *f);

/* Write the summaries of the windows over at now (all: every count held, at shutdown) in one transaction of their
 * own; the counts are dropped only once it committed. Cheap when nothing is due. Returns the number of summaries
 * written, or -1 (err filled; the counts stay for the next try). */
int osv_secflood_flush(struct osv_secflood *f, struct osv_store *s, int64_t now, bool all, struct sg_error *err);
