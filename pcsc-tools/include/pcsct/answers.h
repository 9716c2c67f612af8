/* The user's answers to toolkit questions (GET INKEY, GET INPUT, SELECT ITEM, clearing a DISPLAY TEXT), read
 * from a file of answers used in order, or typed at the keyboard. One answer per line:
 *   text STRING    the characters typed (GET INKEY / GET INPUT; "y"/"n" for yes/no questions; an item's text)
 *   item N         an item identifier (SELECT ITEM)
 *   ok             clear the display / confirm
 *   back | end | help | none    backward move, end the session, ask for help, no answer at all
 * '#' starts a comment line. When the answers run out, nobody answers (no response from user). */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "pcsct/me.h"

struct pcsct_answers {
	struct pcsct_answer *list; /* talloc array */
	size_t n, next;
};

/* Parse one answer line (without newline) into a. -1 with err naming the problem. */
int pcsct_answer_parse(const char *line, struct pcsct_answer *a, struct sg_error *err);
/* Parse a file's text; answers become a talloc child of ctx. -1 with err naming the line. */
int pcsct_answers_parse(void *ctx, const char *text, size_t len, struct pcsct_answers *as, struct sg_error *err);
int pcsct_answers_load(void *ctx, const char *path, struct pcsct_answers *as, struct sg_error *err);
/* The next answer, or "none" when they ran out. */
void pcsct_answers_next(struct pcsct_answers *as, struct pcsct_answer *a);

/* Prompt on out and read one answer from in, waiting at most timeout_ms (0: no wait; -1: forever). A bare line
 * means "ok" for a display, otherwise the text typed (or the item number for SELECT ITEM). */
void pcsct_answer_prompt(FILE *in, FILE *out, const struct pcsct_ask *q, int timeout_ms, struct pcsct_answer *a);
