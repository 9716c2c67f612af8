/* A replayed card: answers from a file of expected commands and canned answers, so a terminal can be tested
 * against card behaviour no real card shows on demand (wrong status words, malformed proactive commands, a card
 * that stops answering). File format, one item per line, '#' comments:
 *   atr HEX                 the ATR (optional)
 *   > HEX                   next expected command; ".." matches any byte, a final '*' any remaining bytes
 *   < HEX | mute            the answer (data || SW), or no answer at all
 * Commands must come in the order given; a different command, or one after the last answer, gets no answer. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/card_access.h"
#include "pcsct/replay.h"

struct replay_priv {
	struct pcsct_replay r;
	size_t next;
};

static int hex_pattern(const char *s, struct pcsct_replay_item *it, unsigned int line, struct sg_error *err)
{
	int hi;

	it->cmd_len = 0;
	it->prefix = false;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return 0;
		if (it->prefix)
			return sg_err(err, "line %u: '*' must be the last item of a command", line);
		if (*s == '*') {
			it->prefix = true;
			s++;
			continue;
		}
		if (it->cmd_len >= sizeof(it->cmd))
			return sg_err(err, "line %u: command longer than %zu bytes", line, sizeof(it->cmd));
		if (s[0] == '.' && s[1] == '.') {
			it->any[it->cmd_len] = true;
			it->cmd[it->cmd_len++] = 0;
			s += 2;
			continue;
		}
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return sg_err(err, "line %u: '%c' starts no hex byte, '..' or '*'", line, *s);
		sscanf(s, "%2x", &hi);
		it->any[it->cmd_len] = false;
		it->cmd[it->cmd_len++] = (uint8_t)hi;
		s += 2;
	}
}

static int hex_bytes(const char *s, uint8_t *out, size_t size, size_t *len, unsigned int line, struct sg_error *err)
{
	unsigned int v;

	*len = 0;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return 0;
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return sg_err(err, "line %u: '%c' starts no hex byte", line, *s);
		if (*len >= size)
			return sg_err(err, "line %u: more than %zu bytes", line, size);
		sscanf(s, "%2x", &v);
		out[(*len)++] = (uint8_t)v;
		s += 2;
	}
}

static int parse_line(struct pcsct_replay *r, void *ctx, const char *line, unsigned int no, struct sg_error *err)
{
	struct pcsct_replay_item *it;

	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	if (strncmp(line, "atr", 3) == 0)
		return hex_bytes(line + 3, r->atr, sizeof(r->atr), &r->atr_len, no, err);
	if (*line == '>') {
		if (r->n && !r->items[r->n - 1].has_answer)
			return sg_err(err, "line %u: two commands without an answer between them", no);
		r->items = talloc_realloc(ctx, r->items, struct pcsct_replay_item, r->n + 1);
		it = &r->items[r->n++];
		memset(it, 0, sizeof(*it));
		it->line = no;
		return hex_pattern(line + 1, it, no, err);
	}
	if (*line == '<') {
		if (!r->n || r->items[r->n - 1].has_answer)
			return sg_err(err, "line %u: an answer without a command before it", no);
		it = &r->items[r->n - 1];
		it->has_answer = true;
		line++;
		while (isspace((unsigned char)*line))
			line++;
		if (strncmp(line, "mute", 4) == 0) {
			it->mute = true;
			return 0;
		}
		if (hex_bytes(line, it->rsp, sizeof(it->rsp), &it->rsp_len, no, err) < 0)
			return -1;
		if (it->rsp_len < 2)
			return sg_err(err, "line %u: an answer needs at least SW1 SW2 (or 'mute')", no);
		return 0;
	}
	return sg_err(err, "line %u: expected 'atr', '>' (command) or '<' (answer)", no);
}

int pcsct_replay_parse(void *ctx, const char *text, size_t len, struct pcsct_replay *r, struct sg_error *err)
{
	char line[2048];
	size_t pos = 0;
	unsigned int no = 0;

	memset(r, 0, sizeof(*r));
	while (pos < len) {
		size_t end = pos;

		while (end < len && text[end] != '\n')
			end++;
		no++;
		if (end - pos >= sizeof(line) || memchr(text + pos, '\0', end - pos))
			goto bad_line;
		memcpy(line, text + pos, end - pos);
		line[end - pos] = '\0';
		if (parse_line(r, ctx, line, no, err) < 0)
			goto fail;
		pos = end + 1;
	}
	if (r->n && !r->items[r->n - 1].has_answer) {
		sg_err(err, "line %u: the last command has no answer", r->items[r->n - 1].line);
		goto fail;
	}
	return 0;
bad_line:
	sg_err(err, "line %u: too long or contains a NUL byte", no);
fail:
	TALLOC_FREE(r->items);
	r->n = 0;
	return -1;
}

bool pcsct_replay_match(const struct pcsct_replay_item *it, const uint8_t *cmd, size_t len)
{
	size_t i;

	if (len < it->cmd_len || (!it->prefix && len != it->cmd_len))
		return false;
	for (i = 0; i < it->cmd_len; i++)
		if (!it->any[i] && it->cmd[i] != cmd[i])
			return false;
	return true;
}

static int replay_power(struct pcsct_card *c, enum pcsct_power p, struct sg_error *err)
{
	return 0;
}

static int replay_xfer(struct pcsct_card *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len,
		       struct sg_error *err)
{
	struct replay_priv *p = c->priv;
	const struct pcsct_replay_item *it;

	if (p->next >= p->r.n)
		return sg_err(err, "card does not answer (replayed card: no answer left after line %u)",
			      p->r.n ? p->r.items[p->r.n - 1].line : 0);
	it = &p->r.items[p->next];
	if (!pcsct_replay_match(it, cmd, len))
		return sg_err(err, "card does not answer (replayed card: command differs from line %u)", it->line);
	p->next++;
	if (it->mute)
		return sg_err(err, "card does not answer (replayed card, line %u)", it->line);
	if (it->rsp_len > *rsp_len)
		return sg_err(err, "replayed answer on line %u is too long", it->line);
	memcpy(rsp, it->rsp, it->rsp_len);
	*rsp_len = it->rsp_len;
	return 0;
}

static const struct pcsct_card_ops replay_ops = {
	.scheme = "replay",
	.power = replay_power,
	.xfer = replay_xfer,
};

int pcsct_replay_open(void *ctx, const char *arg, struct pcsct_card **out, struct sg_error *err)
{
	struct pcsct_card *c;
	struct replay_priv *p;
	struct sg_error perr;
	char *text;
	size_t len;
	FILE *f = fopen(arg, "r");

	if (!f)
		return sg_err(err, "replay card '%s': %s", arg, strerror(errno));
	c = talloc_zero(ctx, struct pcsct_card);
	p = talloc_zero(c, struct replay_priv);
	text = talloc_size(c, PCSCT_REPLAY_MAX_FILE + 1);
	len = fread(text, 1, PCSCT_REPLAY_MAX_FILE + 1, f);
	fclose(f);
	if (len > PCSCT_REPLAY_MAX_FILE) {
		talloc_free(c);
		return sg_err(err, "replay card '%s': larger than %d bytes", arg, PCSCT_REPLAY_MAX_FILE);
	}
	if (pcsct_replay_parse(p, text, len, &p->r, &perr) < 0) {
		talloc_free(c);
		return sg_err(err, "replay card '%s': %s", arg, perr.msg);
	}
	talloc_free(text);
	c->ops = &replay_ops;
	c->priv = p;
	snprintf(c->name, sizeof(c->name), "%s", arg);
	snprintf(c->protocol, sizeof(c->protocol), "replay");
	memcpy(c->atr, p->r.atr, p->r.atr_len);
	c->atr_len = p->r.atr_len;
	c->powered = true;
	*out = c;
	return 0;
}
