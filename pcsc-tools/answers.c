/* User answers from a file or the keyboard (see answers.h). */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/answers.h"

#define MAX_ANSWERS 10000
#define MAX_FILE    (1 << 20)

static const struct {
	const char *word;
	enum pcsct_answer_kind kind;
} bare_words[] = {
	{"ok", PCSCT_ANS_OK},	  {"back", PCSCT_ANS_BACK},	   {"end", PCSCT_ANS_END},
	{"help", PCSCT_ANS_HELP}, {"none", PCSCT_ANS_NO_RESPONSE},
};

int pcsct_answer_parse(const char *line, struct pcsct_answer *a, struct sg_error *err)
{
	char *end;
	unsigned long v;
	size_t i;

	memset(a, 0, sizeof(*a));
	while (isspace((unsigned char)*line))
		line++;
	if (strncmp(line, "text ", 5) == 0 || strcmp(line, "text") == 0) {
		a->kind = PCSCT_ANS_TEXT;
		if (strlen(line + (line[4] ? 5 : 4)) >= sizeof(a->text))
			return sg_err(err, "answer text longer than %zu bytes", sizeof(a->text) - 1);
		strcpy(a->text, line + (line[4] ? 5 : 4));
		return 0;
	}
	if (strncmp(line, "item ", 5) == 0) {
		errno = 0;
		v = strtoul(line + 5, &end, 0);
		if (errno || end == line + 5 || *end || v < 1 || v > 255)
			return sg_err(err, "item needs an identifier 1..255, not '%s'", line + 5);
		a->kind = PCSCT_ANS_ITEM;
		a->item = (uint8_t)v;
		return 0;
	}
	for (i = 0; i < sizeof(bare_words) / sizeof(bare_words[0]); i++) {
		if (strcmp(line, bare_words[i].word) == 0) {
			a->kind = bare_words[i].kind;
			return 0;
		}
	}
	return sg_err(err, "'%s' is no answer (text STRING, item N, ok, back, end, help, none)", line);
}

int pcsct_answers_parse(void *ctx, const char *text, size_t len, struct pcsct_answers *as, struct sg_error *err)
{
	char line[PCSCT_TEXT_MAX + 16];
	struct sg_error lerr;
	size_t pos = 0;
	unsigned int no = 0;

	memset(as, 0, sizeof(*as));
	while (pos < len) {
		size_t end = pos, l;

		while (end < len && text[end] != '\n')
			end++;
		no++;
		l = end - pos;
		if (l >= sizeof(line) || memchr(text + pos, '\0', l))
			goto bad;
		memcpy(line, text + pos, l);
		line[l] = '\0';
		while (l && isspace((unsigned char)line[l - 1]))
			line[--l] = '\0';
		pos = end + 1;
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if (as->n >= MAX_ANSWERS)
			goto bad;
		as->list = talloc_realloc(ctx, as->list, struct pcsct_answer, as->n + 1);
		if (pcsct_answer_parse(line, &as->list[as->n], &lerr) < 0) {
			TALLOC_FREE(as->list);
			as->n = 0;
			return sg_err(err, "line %u: %s", no, lerr.msg);
		}
		as->n++;
	}
	return 0;
bad:
	TALLOC_FREE(as->list);
	as->n = 0;
	return sg_err(err, "line %u: too long, contains a NUL byte, or one answer too many", no);
}

int pcsct_answers_load(void *ctx, const char *path, struct pcsct_answers *as, struct sg_error *err)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	struct sg_error perr;
	int rc;

	if (!f)
		return sg_err(err, "answers %s: %s", path, strerror(errno));
	buf = malloc(MAX_FILE + 1);
	n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	fclose(f);
	if (!buf || n > MAX_FILE) {
		free(buf);
		return sg_err(err, "answers %s: larger than %d bytes", path, MAX_FILE);
	}
	rc = pcsct_answers_parse(ctx, buf, n, as, &perr);
	free(buf);
	if (rc < 0)
		return sg_err(err, "answers %s: %s", path, perr.msg);
	return 0;
}

void pcsct_answers_next(struct pcsct_answers *as, struct pcsct_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = PCSCT_ANS_NO_RESPONSE;
	if (as && as->next < as->n)
		*a = as->list[as->next++];
}

static void show_question(FILE *out, const struct pcsct_ask *q)
{
	size_t i;

	switch (q->kind) {
	case PCSCT_ASK_CLEAR:
		fprintf(out, "[press Enter to clear] %s\n", q->text ? q->text : "");
		break;
	case PCSCT_ASK_INKEY:
		fprintf(out, "[one key%s] %s\n", q->qualifier & CAT_QUAL_INKEY_YES_NO ? ", y/n" : "", q->text);
		break;
	case PCSCT_ASK_INPUT:
		fprintf(out, "[%u..%u characters] %s\n", q->min_len, q->max_len, q->text);
		break;
	case PCSCT_ASK_SELECT:
		fprintf(out, "[select] %s\n", q->text ? q->text : "");
		for (i = 0; i < q->n_items; i++)
			fprintf(out, "  %u) %s\n", q->items[i].id, q->items[i].text);
		break;
	}
	fprintf(out, "> ");
	fflush(out);
}

void pcsct_answer_prompt(FILE *in, FILE *out, const struct pcsct_ask *q, int timeout_ms, struct pcsct_answer *a)
{
	struct pollfd p = {.fd = fileno(in), .events = POLLIN};
	char line[PCSCT_TEXT_MAX];
	struct sg_error err;
	size_t l;

	memset(a, 0, sizeof(*a));
	a->kind = PCSCT_ANS_NO_RESPONSE;
	show_question(out, q);
	if (poll(&p, 1, timeout_ms) <= 0 || !fgets(line, sizeof(line), in)) {
		fprintf(out, "(no answer)\n");
		return;
	}
	l = strcspn(line, "\r\n");
	line[l] = '\0';
	if (l == 0 && q->kind == PCSCT_ASK_CLEAR) {
		a->kind = PCSCT_ANS_OK;
		return;
	}
	if (pcsct_answer_parse(line, a, &err) == 0)
		return;
	if (q->kind == PCSCT_ASK_SELECT && l && strspn(line, "0123456789") == l && atoi(line) >= 1 &&
	    atoi(line) <= 255) {
		a->kind = PCSCT_ANS_ITEM;
		a->item = (uint8_t)atoi(line);
		return;
	}
	a->kind = PCSCT_ANS_TEXT;
	memcpy(a->text, line, l + 1);
}
