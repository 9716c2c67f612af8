/* Which source addresses a peer may use (least privilege): an ESME account's `allowed-source-address` patterns,
 * a lab handset's own number (or its farm's range), an upstream SMSC's patterns for the MO it hands us. Without
 * this any bound ESME could send as the OTA server or as a card's MSISDN (a forged PoR). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <smpp34.h>

#include "smsgw/gw.h"

#define SRC_MAX 20 /* source_addr: C-octet string of at most 21 octets */

int gw_src_pattern_check(const char *pat, char *why, size_t why_size)
{
	size_t n = strlen(pat), body = n && pat[n - 1] == '*' ? n - 1 : n;

	if (!n) {
		snprintf(why, why_size, "empty source address pattern");
		return -1;
	}
	if (body > SRC_MAX) {
		snprintf(why, why_size, "source address pattern '%s': longer than %d characters", pat, SRC_MAX);
		return -1;
	}
	for (size_t i = 0; i < body; i++) {
		if (!isalnum((unsigned char)pat[i])) {
			snprintf(why, why_size,
				 "source address pattern '%s': character %zu is not a letter or digit ('*' only at the "
				 "end)",
				 pat, i + 1);
			return -1;
		}
	}
	return 0;
}

bool gw_src_pattern_match(const char *pat, const char *addr)
{
	size_t n = strlen(pat);

	if (n && pat[n - 1] == '*')
		return !strncmp(pat, addr, n - 1);
	return !strcmp(pat, addr);
}

static int find(const struct gw_src_allow *a, const char *pat)
{
	for (unsigned int i = 0; i < a->n; i++)
		if (!strcmp(a->pat[i], pat))
			return (int)i;
	return -1;
}

int gw_src_allow_add(struct gw_src_allow *a, const char *pat, char *why, size_t why_size)
{
	if (gw_src_pattern_check(pat, why, why_size) < 0)
		return -1;
	if (find(a, pat) >= 0)
		return 0;
	if (a->n == GW_MAX_SRC_PATTERNS) {
		snprintf(why, why_size, "at most %d allowed source address patterns", GW_MAX_SRC_PATTERNS);
		return -1;
	}
	snprintf(a->pat[a->n++], sizeof(a->pat[0]), "%s", pat);
	return 0;
}

int gw_src_allow_del(struct gw_src_allow *a, const char *pat, char *why, size_t why_size)
{
	int i = find(a, pat);

	if (i < 0) {
		snprintf(why, why_size, "'%s' is not an allowed source address here", pat);
		return -1;
	}
	memmove(a->pat[i], a->pat[i + 1], (a->n - (unsigned int)i - 1) * sizeof(a->pat[0]));
	a->n--;
	return 0;
}

bool gw_src_allow_match(const struct gw_src_allow *a, const char *addr)
{
	if (!a->n)
		return true;
	for (unsigned int i = 0; i < a->n; i++)
		if (gw_src_pattern_match(a->pat[i], addr))
			return true;
	return false;
}

/* A lab handset speaks for its own number only; a handset farm for the numbers under its range. An address an
 * ESME account owns is never a handset's, even inside a range (a range "1" must not send as the OTA server). */
static uint32_t check_lab(struct gw *gw, const struct gw_conn *c, const char *src, char *why, size_t why_size)
{
	bool own = c->lab_range ? !strncmp(c->system_id, src, strlen(c->system_id)) : !strcmp(c->system_id, src);
	struct gw_esme_cfg *owner = gw_esme_cfg_owner(gw, src);

	if (own && !owner)
		return ESME_ROK;
	if (owner)
		snprintf(why, why_size, "belongs to ESME '%s', not to a lab handset", owner->system_id);
	else
		snprintf(why, why_size, "not %s %s", c->lab_range ? "a number of the range" : "the handset's number",
			 c->system_id);
	return ESME_RINVSRCADR;
}

uint32_t gw_src_check_session(struct gw *gw, const struct gw_conn *c, const char *src, char *why, size_t why_size)
{
	const struct gw_esme_cfg *e;

	if (c->is_lab)
		return check_lab(gw, c, src, why, why_size);
	e = gw_esme_cfg_find(gw, c->system_id);
	if (!e) {
		/* binds are only accepted for accounts and lab numbers: nothing to go by, nothing allowed */
		snprintf(why, why_size, "no ESME account '%s'", c->system_id);
		return ESME_RINVSRCADR;
	}
	if (gw_src_allow_match(&e->src_allow, src))
		return ESME_ROK;
	snprintf(why, why_size, "outside ESME '%s''s allowed-source-address", e->system_id);
	return ESME_RINVSRCADR;
}

uint32_t gw_src_check_upstream(const struct gw_route *r, const char *src, char *why, size_t why_size)
{
	if (gw_src_allow_match(&r->src_allow, src))
		return ESME_ROK;
	snprintf(why, why_size, "outside route '%s''s allowed-source-address", r->name);
	return ESME_RINVSRCADR;
}
