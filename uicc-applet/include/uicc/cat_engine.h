/* The card's CAT engine (ETSI TS 102 223 / TS 102 221): what the terminal said it supports (TERMINAL PROFILE),
 * the proactive commands the card's applications want to issue (one pending at a time, a bounded queue behind it,
 * high-priority entries first), FETCH and the TERMINAL RESPONSE matched to the command it answers.
 * Applications queue complete D0 templates built with simguard/cat.h; the engine gives each its command number
 * when it becomes the pending one and calls the application back with the terminal's answer. All of this is
 * volatile: a power-up or reset empties it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/cat.h"

struct uicc_card;
struct cat_engine;

#define CAT_ENGINE_QUEUE_MAX 8
#define CAT_TERMINAL_PROFILE_MAX 64

/* What came back for one queued command. dropped: the command never got its answer (power-up, reset, or the
 * engine was freed); then the other fields are zero. tr / tr_len is the whole TERMINAL RESPONSE, for callers that
 * read command-specific objects (e.g. location information, IMEI). */
struct cat_answer {
	bool dropped;
	uint8_t type, qualifier;
	uint8_t general;
	const uint8_t *addl;
	size_t addl_len;
	const uint8_t *tr;
	size_t tr_len;
};

/* Where a queued command goes: FIRST before everything not yet announced to the terminal (a PoR that must not
 * wait behind a text the user has to clear), HIGH after those, NORMAL at the end. The command the terminal was
 * told about (91xx) or has fetched always keeps its place. */
enum cat_prio {
	CAT_PRIO_NORMAL,
	CAT_PRIO_HIGH,
	CAT_PRIO_FIRST,
};

typedef void (*cat_answer_cb)(struct uicc_card *card, void *arg, const struct cat_answer *ans);

struct cat_engine *cat_engine_alloc(void *ctx, struct uicc_card *card);
/* Power-up / reset: the terminal profile is forgotten and every queued command is dropped (callbacks run with
 * dropped = true). */
void cat_engine_reset(struct cat_engine *e);

/* ---- TERMINAL PROFILE ---- */
/* Store the terminal's profile (at most CAT_TERMINAL_PROFILE_MAX bytes are kept; missing bytes mean "not
 * supported"). */
void cat_engine_set_profile(struct cat_engine *e, const uint8_t *profile, size_t len);
bool cat_engine_has_profile(const struct cat_engine *e);
/* Profile byte (1-based as TS 102 223 numbers them) has all bits of mask set. */
bool cat_engine_profile_bit(const struct cat_engine *e, unsigned int byte, uint8_t mask);
/* The terminal declared this proactive command (with this qualifier where the profile has separate bits, e.g.
 * PROVIDE LOCAL INFORMATION). False for commands this engine does not know and before any TERMINAL PROFILE. */
bool cat_engine_supports(const struct cat_engine *e, uint8_t type, uint8_t qualifier);
/* The terminal supports the event in SET UP EVENT LIST. */
bool cat_engine_supports_event(const struct cat_engine *e, uint8_t event);

/* ---- queue ---- */
/* Queue one proactive command (a complete D0 template; its command number is set when it is fetched: numbers
 * count from 1 in each proactive session, i.e. since the queue was last empty). cb (may be NULL) is called once
 * with the answer. Returns 0, or -1 when the terminal does not support the command type, the bytes are not a
 * proactive command, or the queue is full. */
int cat_engine_queue(struct cat_engine *e, const struct cat_buf *cmd, enum cat_prio prio, cat_answer_cb cb,
		     void *arg);
/* Free queue places (commands not yet fetched or answered take one each). */
size_t cat_engine_room(const struct cat_engine *e);
/* Commands waiting or outstanding. */
size_t cat_engine_queued(const struct cat_engine *e);

/* ---- the terminal's side ---- */
/* Length of the command waiting for FETCH (0 when none, or while a fetched command waits for its TERMINAL
 * RESPONSE). The card core reports it as 91xx, so from now on that command keeps its place in the queue. */
size_t cat_engine_pending_len(struct cat_engine *e);
/* FETCH: 9000 with the pending command; 6F00 when nothing is pending. */
uint16_t cat_engine_fetch(struct cat_engine *e, uint8_t *rsp, size_t *rsp_len);
/* TERMINAL RESPONSE: 9000 when it answers the outstanding command (command details equal to the fetched ones,
 * device identities terminal -> UICC, a result present); then the next queued command becomes pending. 6985
 * when no command is outstanding; 6A80 for a response that does not match or is malformed (the command stays
 * outstanding). */
uint16_t cat_engine_terminal_response(struct cat_engine *e, const uint8_t *data, size_t len);
