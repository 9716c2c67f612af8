/* Proactive commands that ask the user: GET INKEY, GET INPUT, SELECT ITEM, and SET UP MENU (which only installs
 * the menu; the user's choice later becomes a MENU SELECTION envelope). Answers come through the ask callback
 * (a script or the keyboard) and are checked against what the command allows before they reach the card. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pcsct/me.h"

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static bool digits_only(const char *s)
{
	return strspn(s, "0123456789*#+") == strlen(s);
}

static enum cat_text_coding reply_coding(uint8_t qualifier, bool packed_allowed)
{
	if (qualifier & CAT_QUAL_INPUT_UCS2)
		return CAT_TEXT_UCS2;
	if (packed_allowed && (qualifier & CAT_QUAL_INPUT_PACKED))
		return CAT_TEXT_GSM7_PACKED;
	return CAT_TEXT_GSM8;
}

/* The answer is not a value: map it to its result. Returns true when it was a value after all. */
static bool answered_with_value(struct pcsct_me_exec *x, const struct pcsct_answer *a, enum pcsct_answer_kind kind)
{
	if (a->kind == kind)
		return true;
	x->tr.result = pcsct_me_answer_result(a);
	if (x->tr.result == CAT_RES_OK)
		x->tr.result = CAT_RES_NO_RESPONSE;
	return false;
}

static void reject_answer(struct pcsct_me_exec *x, const char *cmd, const char *answer, const char *why)
{
	pcsct_me_note(x->me, "%s: answer '%s' refused (%s); reporting no response from the user", cmd, answer, why);
	x->tr.result = CAT_RES_NO_RESPONSE;
}

static void yes_no(struct pcsct_me_exec *x, const char *answer)
{
	bool yes = strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;

	if (!yes && strcasecmp(answer, "n") != 0 && strcasecmp(answer, "no") != 0) {
		reject_answer(x, "GET INKEY", answer, "a yes/no question");
		return;
	}
	/* TS 102 223 6.8.8: yes is 01, no is 00, as 8-bit data in the text string */
	x->extra[0] = 0x80 | CAT_TAG_TEXT_STRING;
	x->extra[1] = 2;
	x->extra[2] = CAT_TEXT_GSM8;
	x->extra[3] = yes ? 0x01 : 0x00;
	x->tr.extra = x->extra;
	x->tr.extra_len = 4;
}

void pcsct_me_get_inkey(struct pcsct_me_exec *x)
{
	const char *text = pcsct_me_text(x->cmd, CAT_TAG_TEXT_STRING);
	struct pcsct_ask q = {.kind = PCSCT_ASK_INKEY, .qualifier = x->cmd->qualifier};
	struct pcsct_answer a;

	if (!text) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	q.text = text;
	pcsct_me_note(x->me, "GET INKEY: %s", text);
	pcsct_me_ask(x->me, &q, &a);
	if (!answered_with_value(x, &a, PCSCT_ANS_TEXT))
		return;
	if (x->cmd->qualifier & CAT_QUAL_INKEY_YES_NO) {
		yes_no(x, a.text);
		return;
	}
	if (utf8_chars(a.text) != 1) {
		reject_answer(x, "GET INKEY", a.text, "exactly one character expected");
		return;
	}
	if (!(x->cmd->qualifier & CAT_QUAL_INPUT_ALPHABET) && !digits_only(a.text)) {
		reject_answer(x, "GET INKEY", a.text, "digits only");
		return;
	}
	snprintf(x->text, sizeof(x->text), "%s", a.text);
	x->tr.has_text = true;
	x->tr.text = x->text;
	x->tr.text_coding = reply_coding(x->cmd->qualifier, false);
}

void pcsct_me_get_input(struct pcsct_me_exec *x)
{
	const char *text = pcsct_me_text(x->cmd, CAT_TAG_TEXT_STRING);
	const struct cat_obj *rl = cat_decoded_find(x->cmd, CAT_TAG_RESPONSE_LENGTH, 0);
	struct pcsct_ask q = {.kind = PCSCT_ASK_INPUT, .qualifier = x->cmd->qualifier};
	struct pcsct_answer a;
	size_t n;

	if (!text || !rl || rl->type != CAT_VAL_RESPONSE_LENGTH) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	q.text = text;
	q.min_len = rl->v.rsp_len.min;
	q.max_len = rl->v.rsp_len.max;
	q.default_text = pcsct_me_text(x->cmd, CAT_TAG_DEFAULT_TEXT);
	pcsct_me_note(x->me, "GET INPUT (%u..%u): %s", q.min_len, q.max_len, text);
	pcsct_me_ask(x->me, &q, &a);
	if (!answered_with_value(x, &a, PCSCT_ANS_TEXT))
		return;
	n = utf8_chars(a.text);
	if (n < q.min_len || n > q.max_len) {
		reject_answer(x, "GET INPUT", a.text, "length outside the response length");
		return;
	}
	if (!(x->cmd->qualifier & CAT_QUAL_INPUT_ALPHABET) && !digits_only(a.text)) {
		reject_answer(x, "GET INPUT", a.text, "digits only");
		return;
	}
	snprintf(x->text, sizeof(x->text), "%s", a.text);
	x->tr.has_text = true;
	x->tr.text = x->text;
	x->tr.text_coding = reply_coding(x->cmd->qualifier, true);
}

/* Items of the command into items[] (texts point into the decoded command). Returns the count; *null_item set
 * when the list is the single null item. */
static size_t gather_items(const struct cat_decoded *cmd, struct cat_item *items, size_t max, bool *null_item)
{
	const struct cat_obj *o;
	size_t n = 0;

	*null_item = false;
	while (n < max && (o = cat_decoded_find(cmd, CAT_TAG_ITEM, (unsigned int)n)) != NULL) {
		if (o->type != CAT_VAL_ITEM)
			break;
		if (o->v.item.null_item)
			*null_item = true;
		items[n].id = o->v.item.id;
		items[n].text = o->v.item.utf8 ? o->v.item.utf8 : "";
		n++;
	}
	return n;
}

/* The item the answer names: its identifier, or (for scripts) its text. 0 when none matches. */
static uint8_t chosen_item(const struct pcsct_answer *a, const struct cat_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a->kind == PCSCT_ANS_ITEM && items[i].id == a->item)
			return items[i].id;
		if (a->kind == PCSCT_ANS_TEXT && strcasecmp(items[i].text, a->text) == 0)
			return items[i].id;
	}
	return 0;
}

void pcsct_me_select_item(struct pcsct_me_exec *x)
{
	struct cat_item items[PCSCT_MENU_MAX];
	const struct cat_obj *def = cat_decoded_find(x->cmd, CAT_TAG_ITEM_ID, 0);
	struct pcsct_ask q = {.kind = PCSCT_ASK_SELECT, .qualifier = x->cmd->qualifier};
	struct pcsct_answer a;
	bool null_item;
	uint8_t id;

	q.n_items = gather_items(x->cmd, items, PCSCT_MENU_MAX, &null_item);
	if (q.n_items == 0 || null_item) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	q.items = items;
	q.text = pcsct_me_text(x->cmd, CAT_TAG_ALPHA_ID);
	q.default_item = def && def->type == CAT_VAL_ITEM_ID ? def->v.byte : 0;
	pcsct_me_note(x->me, "SELECT ITEM: %s (%zu items)", q.text ? q.text : "", q.n_items);
	pcsct_me_ask(x->me, &q, &a);
	if (a.kind != PCSCT_ANS_ITEM && a.kind != PCSCT_ANS_TEXT) {
		x->tr.result = pcsct_me_answer_result(&a);
		return;
	}
	id = chosen_item(&a, items, q.n_items);
	if (!id) {
		reject_answer(x, "SELECT ITEM", a.kind == PCSCT_ANS_TEXT ? a.text : "(item id)", "no such item");
		return;
	}
	x->tr.item_id = id;
}

void pcsct_me_set_up_menu(struct pcsct_me_exec *x)
{
	struct pcsct_screen *s = &x->me->screen;
	struct cat_item items[PCSCT_MENU_MAX];
	const char *title = pcsct_me_text(x->cmd, CAT_TAG_ALPHA_ID);
	bool null_item;
	size_t n = gather_items(x->cmd, items, PCSCT_MENU_MAX, &null_item), i;

	if (n == 0 || !title) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	if (null_item) {
		s->has_menu = false;
		s->n_menu = 0;
		pcsct_me_note(x->me, "SET UP MENU: menu removed");
		pcsct_me_changed(x->me);
		return;
	}
	s->has_menu = true;
	snprintf(s->menu_title, sizeof(s->menu_title), "%s", title);
	for (i = 0; i < n; i++) {
		s->menu[i].id = items[i].id;
		snprintf(s->menu[i].text, sizeof(s->menu[i].text), "%s", items[i].text);
	}
	s->n_menu = n;
	pcsct_me_note(x->me, "SET UP MENU: %s (%zu items)", title, n);
	pcsct_me_changed(x->me);
}
