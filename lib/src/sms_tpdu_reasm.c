/* Bounded reassembly of concatenated SMS parts: parts arrive out of order, twice, or never. Memory is bounded by
 * the configured number of groups and bytes per group; groups that do not complete are dropped on expiry.
 * Pure state machine: the caller supplies the time. */
#include <string.h>

#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "simguard/sms_tpdu.h"

struct reasm_group {
	bool used;
	char originator[SMS_ADDR_MAX_DIGITS + 1];
	bool is16;
	uint16_t ref;
	uint8_t total;
	unsigned int received;
	size_t bytes;
	time_t first_seen;
	uint8_t *part[SMS_CONCAT_MAX_PARTS];
	size_t part_len[SMS_CONCAT_MAX_PARTS];
	bool have[SMS_CONCAT_MAX_PARTS];
};

struct sms_reasm {
	struct sms_reasm_cfg cfg;
	struct reasm_group *groups; /* cfg.max_groups entries */
};

struct sms_reasm *sms_reasm_alloc(void *ctx, const struct sms_reasm_cfg *cfg)
{
	struct sms_reasm *r = talloc_zero(ctx, struct sms_reasm);

	if (!r)
		return NULL;
	r->cfg = *cfg;
	r->groups = talloc_zero_array(r, struct reasm_group, cfg->max_groups ? cfg->max_groups : 1);
	if (!r->groups) {
		talloc_free(r);
		return NULL;
	}
	return r;
}

void sms_reasm_free(struct sms_reasm *r)
{
	talloc_free(r);
}

/* talloc copy that also works for empty parts (talloc_memdup would read a byte that is not there) */
static uint8_t *copy_bytes(void *ctx, const uint8_t *p, size_t len)
{
	uint8_t *c = talloc_size(ctx, len ? len : 1);

	if (c && len)
		memcpy(c, p, len);
	return c;
}

static void group_release(struct reasm_group *g)
{
	for (unsigned int i = 0; i < g->total; i++)
		TALLOC_FREE(g->part[i]);
	memset(g, 0, sizeof(*g));
}

static struct reasm_group *group_find(struct sms_reasm *r, const char *originator, bool is16, uint16_t ref)
{
	for (unsigned int i = 0; i < r->cfg.max_groups; i++) {
		struct reasm_group *g = &r->groups[i];

		if (g->used && g->is16 == is16 && g->ref == ref && !strcmp(g->originator, originator))
			return g;
	}
	return NULL;
}

static struct reasm_group *group_new(struct sms_reasm *r, const char *originator, bool is16, uint16_t ref,
				     uint8_t total, time_t now)
{
	for (unsigned int i = 0; i < r->cfg.max_groups; i++) {
		struct reasm_group *g = &r->groups[i];

		if (g->used)
			continue;
		g->used = true;
		OSMO_STRLCPY_ARRAY(g->originator, originator);
		g->is16 = is16;
		g->ref = ref;
		g->total = total;
		g->first_seen = now;
		return g;
	}
	return NULL;
}

static int group_join(struct reasm_group *g, void *ctx_out, uint8_t **out, size_t *out_len)
{
	uint8_t *buf = talloc_size(ctx_out, g->bytes ? g->bytes : 1);
	size_t pos = 0;

	if (!buf)
		return -1;
	for (unsigned int i = 0; i < g->total; i++) {
		memcpy(buf + pos, g->part[i], g->part_len[i]);
		pos += g->part_len[i];
	}
	*out = buf;
	*out_len = pos;
	return 0;
}

static enum sms_reasm_result single_part(const uint8_t *payload, size_t len, void *ctx_out, uint8_t **out,
					 size_t *out_len, struct sg_error *err)
{
	*out = copy_bytes(ctx_out, payload, len);
	if (!*out) {
		sg_err(err, "reassembly: out of memory");
		return SMS_REASM_ERROR;
	}
	*out_len = len;
	return SMS_REASM_COMPLETE;
}

enum sms_reasm_result sms_reasm_add(struct sms_reasm *r, const char *originator, bool is16, uint16_t ref,
				    uint8_t total, uint8_t seq, const uint8_t *payload, size_t len, time_t now,
				    void *ctx_out, uint8_t **out, size_t *out_len, struct sg_error *err)
{
	struct reasm_group *g;

	if (total == 0 || seq == 0 || seq > total) {
		sg_err(err, "reassembly: part %u of %u", seq, total);
		return SMS_REASM_ERROR;
	}
	if (len > SMS_UD_MAX || strlen(originator) > SMS_ADDR_MAX_DIGITS) {
		sg_err(err, "reassembly: part of %zu bytes or originator too long", len);
		return SMS_REASM_ERROR;
	}
	if (total == 1)
		return single_part(payload, len, ctx_out, out, out_len, err);
	g = group_find(r, originator, is16, ref);
	if (g && g->total != total) {
		sg_err(err, "reassembly: ref %u from %s: part says %u parts, first part said %u", ref, originator,
		       total, g->total);
		return SMS_REASM_ERROR;
	}
	if (g && g->have[seq - 1])
		return SMS_REASM_DUPLICATE;
	if (!g)
		g = group_new(r, originator, is16, ref, total, now);
	if (!g) {
		sg_err(err, "reassembly: %u messages already in progress", r->cfg.max_groups);
		return SMS_REASM_FULL;
	}
	if (g->bytes + len > r->cfg.max_bytes) {
		sg_err(err, "reassembly: ref %u from %s exceeds %zu bytes", ref, originator, r->cfg.max_bytes);
		if (g->received == 0)
			group_release(g);
		return SMS_REASM_FULL;
	}
	g->part[seq - 1] = copy_bytes(r, payload, len);
	if (!g->part[seq - 1]) {
		sg_err(err, "reassembly: out of memory");
		return SMS_REASM_ERROR;
	}
	g->part_len[seq - 1] = len;
	g->have[seq - 1] = true;
	g->bytes += len;
	if (++g->received < g->total)
		return SMS_REASM_PENDING;
	if (group_join(g, ctx_out, out, out_len) < 0) {
		sg_err(err, "reassembly: out of memory");
		group_release(g);
		return SMS_REASM_ERROR;
	}
	group_release(g);
	return SMS_REASM_COMPLETE;
}

unsigned int sms_reasm_expire(struct sms_reasm *r, time_t now)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < r->cfg.max_groups; i++) {
		struct reasm_group *g = &r->groups[i];

		if (g->used && now - g->first_seen >= (time_t)r->cfg.timeout) {
			group_release(g);
			n++;
		}
	}
	return n;
}

unsigned int sms_reasm_pending(const struct sms_reasm *r)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < r->cfg.max_groups; i++)
		n += r->groups[i].used;
	return n;
}
