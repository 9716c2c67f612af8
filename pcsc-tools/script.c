/* Parser for scriptor-format APDU scripts (see script.h). It follows scriptor's own reading rules: "exit" and
 * "reset" are recognised anywhere in a line, case-insensitively, as scriptor's regular expressions do; unlike
 * scriptor, a comment line is skipped before that check, so "# exit code" does not end the script. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>

#include "pcsct/script.h"
#include "simguard/hex.h"

#define MAX_STEPS 100000

struct parse {
	void *ctx;
	struct pcsct_script *s;
	char cmd[2 * APDU_SHORT_MAX * 2 + 8]; /* hex of the command being gathered (continuations) */
	size_t cmd_len;
	unsigned int cmd_line;
	struct sg_error *err;
};

static bool contains_word(const char *line, const char *word)
{
	return strcasestr(line, word) != NULL;
}

static bool blank(const char *line)
{
	for (; *line; line++)
		if (!isspace((unsigned char)*line))
			return false;
	return true;
}

static struct pcsct_step *add_step(struct parse *p, enum pcsct_step_kind kind, unsigned int line)
{
	struct pcsct_step *st;

	if (p->s->n >= MAX_STEPS) {
		sg_err(p->err, "line %u: more than %d commands", line, MAX_STEPS);
		return NULL;
	}
	p->s->steps = talloc_realloc(p->ctx, p->s->steps, struct pcsct_step, p->s->n + 1);
	st = &p->s->steps[p->s->n++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->line = line;
	return st;
}

/* Append a line's hex digits (any spacing) to the command being gathered. */
static int gather(struct parse *p, const char *line, unsigned int lineno)
{
	for (; *line; line++) {
		if (isspace((unsigned char)*line))
			continue;
		if (!isxdigit((unsigned char)*line))
			return sg_err(p->err, "line %u: '%c' is not a hex digit (expected an APDU, reset or exit)",
				      lineno, *line);
		if (p->cmd_len + 1 >= sizeof(p->cmd))
			return sg_err(p->err, "line %u: command longer than a short APDU (%d bytes)", lineno,
				      APDU_SHORT_MAX);
		p->cmd[p->cmd_len++] = *line;
	}
	p->cmd[p->cmd_len] = '\0';
	return 0;
}

static int finish_command(struct parse *p)
{
	struct pcsct_step *st;
	struct sg_error herr;
	long n;

	if (p->cmd_len % 2)
		return sg_err(p->err, "line %u: odd number of hex digits", p->cmd_line);
	if (p->cmd_len / 2 > APDU_SHORT_MAX)
		return sg_err(p->err, "line %u: command of %zu bytes is longer than a short APDU (%d)", p->cmd_line,
			      p->cmd_len / 2, APDU_SHORT_MAX);
	st = add_step(p, PCSCT_STEP_APDU, p->cmd_line);
	if (!st)
		return -1;
	n = sg_hex_decode(p->cmd, st->apdu, sizeof(st->apdu), "apdu", &herr);
	if (n < 0)
		return sg_err(p->err, "line %u: %s", p->cmd_line, herr.msg);
	if (n < 4)
		return sg_err(p->err, "line %u: command of %ld bytes, an APDU needs at least CLA INS P1 P2",
			      p->cmd_line, n);
	st->len = (size_t)n;
	p->cmd_len = 0;
	return 0;
}

/* One line without its newline. Returns 1 to stop (exit), 0 to go on, -1 on error. */
static int parse_line(struct parse *p, char *line, unsigned int lineno)
{
	size_t l;
	bool cont;

	if (p->cmd_len == 0 && (blank(line) || line[0] == '#'))
		return 0;
	if (contains_word(line, "exit"))
		return 1;
	if (p->cmd_len == 0 && contains_word(line, "reset"))
		return add_step(p, PCSCT_STEP_RESET, lineno) ? 0 : -1;
	l = strlen(line);
	while (l && isspace((unsigned char)line[l - 1]))
		line[--l] = '\0';
	cont = l && line[l - 1] == '\\';
	if (cont)
		line[--l] = '\0';
	if (p->cmd_len == 0)
		p->cmd_line = lineno;
	if (gather(p, line, lineno) < 0)
		return -1;
	if (cont)
		return 0;
	return finish_command(p);
}

int pcsct_script_parse(void *ctx, const char *text, size_t len, struct pcsct_script *s, struct sg_error *err)
{
	struct parse p = {.ctx = ctx, .s = s, .err = err};
	char line[1024];
	size_t pos = 0;
	unsigned int lineno = 0;
	int rc = 0;

	s->steps = NULL;
	s->n = 0;
	while (pos < len && rc == 0) {
		size_t end = pos;

		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		if (end - pos >= sizeof(line)) {
			rc = sg_err(err, "line %u: longer than %zu characters", lineno, sizeof(line) - 1);
			break;
		}
		memcpy(line, text + pos, end - pos);
		line[end - pos] = '\0';
		if (memchr(line, '\0', end - pos)) {
			rc = sg_err(err, "line %u: contains a NUL byte", lineno);
			break;
		}
		if (end - pos && line[end - pos - 1] == '\r')
			line[end - pos - 1] = '\0';
		rc = parse_line(&p, line, lineno);
		pos = end + 1;
	}
	if (rc == 0 && p.cmd_len)
		rc = sg_err(err, "line %u: command continued with '\\' but the file ends", p.cmd_line);
	if (rc < 0) {
		TALLOC_FREE(s->steps);
		s->n = 0;
		return -1;
	}
	return 0;
}
