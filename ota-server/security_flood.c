/* Per-card limit on security audit entries (security_flood.h): a fixed table of windows keyed by MSISDN, open
 * addressing over a few probes; when they are all taken the least recently seen slot goes, its summary written
 * first. Fixed windows (not a token bucket) so that a summary covers a stated span of time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "otasrv/security_flood.h"
#include "otasrv/strhash.h"

/* SF_JOURNAL: slots one transaction may change (the SMPP link's read burst is 128 MOs, one slot each) */
#define SF_SLOTS   1024
#define SF_PROBES  8
#define SF_JOURNAL 256

struct sf_slot {
	char msisdn[21];
	char iccid[21];
	int64_t end;  /* the window is over at this time */
	int64_t seen; /* the last event, for eviction */
	int count, period;
	int audited;	/* entries written in this window */
	int suppressed; /* events counted instead */
	int64_t first_at, last_at;
	char last_reason[200];
};

/* A slot as it was before the current transaction first changed it. */
struct sf_saved {
	int idx;
	struct sf_slot slot;
};

struct osv_secflood {
	struct sf_slot slot[SF_SLOTS];
	int64_t next_due; /* no summary is due before (0: none held) */
	/* The transaction's journal (osv_secflood_begin / _end): nesting depth, the slots it changed. */
	int depth;
	bool failed;
	int saved_n;
	struct sf_saved saved[SF_JOURNAL];
	bool quiet;
};

struct osv_secflood *osv_secflood_new(void)
{
	return calloc(1, sizeof(struct osv_secflood));
}

void osv_secflood_free(struct osv_secflood *f)
{
	free(f);
}

static const char *utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

/* The summary entry of a slot's suppressed events; why says what closed it. */
static int write_summary(struct osv_store *s, const struct sf_slot *sl, const char *why, int64_t now,
			 struct sg_error *err)
{
	char actor[40], detail[512], t1[32], t2[32];
	struct osv_audit_entry e = { .at = now, .actor = actor, .client = "smpp", .action = "security summary",
				     .target = sl->iccid, .decision = "security", .status = 0, .detail = detail };

	snprintf(actor, sizeof(actor), "msisdn:%s", sl->msisdn);
	snprintf(detail, sizeof(detail),
		 "%d further security events from msisdn %s suppressed between %s and %s (audit limit %d per %d s, %s):"
		 " last: %s",
		 sl->suppressed, sl->msisdn, utc(sl->first_at, t1, sizeof(t1)), utc(sl->last_at, t2, sizeof(t2)),
		 sl->count, sl->period, why, sl->last_reason);
	return osv_audit_append(s, &e, err);
}

/* Journal slot i before its first change in the open transaction (none open: nothing to roll back). */
static void save_undo(struct osv_secflood *f, int i)
{
	if (!f->depth)
		return;
	for (int k = 0; k < f->saved_n; k++)
		if (f->saved[k].idx == i)
			return;
	if (f->saved_n < SF_JOURNAL)
		f->saved[f->saved_n++] = (struct sf_saved){ .idx = i, .slot = f->slot[i] };
}

/* The slot of msisdn, or the one to take for it: a free one, else the least recently seen among the probes
 * (its summary, if it holds one, written first). NULL (err filled) when that summary could not be written. */
static struct sf_slot *find(struct osv_secflood *f, struct osv_store *s, const char *msisdn, int64_t now,
			    struct sg_error *err)
{
	uint32_t h = osv_strhash(msisdn);
	int pick = -1;

	for (int p = 0; p < SF_PROBES; p++) {
		int i = (int)((h + (uint32_t)p) % SF_SLOTS);
		struct sf_slot *sl = &f->slot[i];

		if (!strcmp(sl->msisdn, msisdn)) {
			save_undo(f, i);
			return sl;
		}
		if (pick < 0 || (f->slot[pick].msisdn[0] && (!sl->msisdn[0] || sl->seen < f->slot[pick].seen)))
			pick = i;
	}
	save_undo(f, pick);
	if (f->slot[pick].msisdn[0] && f->slot[pick].suppressed &&
	    write_summary(s, &f->slot[pick], "slot needed for another number", now, err) < 0)
		return NULL;
	memset(&f->slot[pick], 0, sizeof(f->slot[pick]));
	return &f->slot[pick];
}

int osv_secflood_admit(struct osv_secflood *f, struct osv_store *s, int count, int period, const char *msisdn,
		       const char *iccid, const char *reason, int64_t now, struct sg_error *err)
{
	struct sf_slot *sl;

	if (!f || count <= 0)
		return 1;
	sl = find(f, s, msisdn, now, err);
	if (!sl)
		return -1;
	if (!sl->msisdn[0] || now >= sl->end) {
		if (sl->suppressed && write_summary(s, sl, "window over", now, err) < 0)
			return -1;
		memset(sl, 0, sizeof(*sl));
		snprintf(sl->msisdn, sizeof(sl->msisdn), "%s", msisdn);
		snprintf(sl->iccid, sizeof(sl->iccid), "%s", iccid);
		sl->end = now + period;
		sl->count = count;
		sl->period = period;
	}
	sl->seen = now;
	if (sl->audited < count) {
		sl->audited++;
		return 1;
	}
	if (!sl->suppressed++)
		sl->first_at = now;
	sl->last_at = now;
	snprintf(sl->last_reason, sizeof(sl->last_reason), "%s", reason);
	if (!f->next_due || sl->end < f->next_due)
		f->next_due = sl->end;
	f->quiet = sl->suppressed > 1;
	return 0;
}

void osv_secflood_begin(struct osv_secflood *f)
{
	if (!f)
		return;
	if (!f->depth++) {
		f->saved_n = 0;
		f->failed = false;
	}
	f->quiet = false;
}

/* Back to the slots as they were at the outermost begin, in reverse order of their saving. */
static void roll_back(struct osv_secflood *f)
{
	for (int k = f->saved_n - 1; k >= 0; k--) {
		const struct sf_slot *sl = &f->saved[k].slot;

		f->slot[f->saved[k].idx] = *sl;
		if (sl->suppressed && (!f->next_due || sl->end < f->next_due))
			f->next_due = sl->end;
	}
}

void osv_secflood_end(struct osv_secflood *f, bool committed)
{
	if (!f || !f->depth)
		return;
	f->failed |= !committed;
	if (--f->depth)
		return;
	if (f->failed)
		roll_back(f);
	f->saved_n = 0;
}

bool osv_secflood_quiet(const struct osv_secflood *f)
{
	return f && f->quiet;
}

static bool due(const struct sf_slot *sl, int64_t now, bool all)
{
	return sl->msisdn[0] && sl->suppressed && (all || now >= sl->end);
}

int osv_secflood_flush(struct osv_secflood *f, struct osv_store *s, int64_t now, bool all, struct sg_error *err)
{
	int n = 0;

	if (!f || !f->next_due || (!all && now < f->next_due))
		return 0;
	if (osv_store_begin(s, err) < 0)
		return -1;
	for (int i = 0; i < SF_SLOTS; i++) {
		if (due(&f->slot[i], now, all) &&
		    write_summary(s, &f->slot[i], all ? "shutdown" : "window over", now, err) < 0) {
			osv_store_rollback(s);
			return -1;
		}
	}
	if (osv_store_commit(s, err) < 0) {
		osv_store_rollback(s);
		return -1;
	}
	/* On disk: drop the counts, and find when the next summary falls due. */
	f->next_due = 0;
	for (int i = 0; i < SF_SLOTS; i++) {
		struct sf_slot *sl = &f->slot[i];

		if (due(sl, now, all)) {
			memset(sl, 0, sizeof(*sl));
			n++;
		} else if (sl->suppressed && (!f->next_due || sl->end < f->next_due)) {
			f->next_due = sl->end;
		}
	}
	return n;
}
