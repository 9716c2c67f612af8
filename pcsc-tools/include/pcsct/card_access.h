/* One interface to a card, whatever carries the APDUs: a reader through libpcsclite ("pcsc:READER-SUBSTRING"),
 * the simulated UICC linked in-process ("sim:PROFILE[,IMAGE]"), or a replayed card for terminal tests
 * ("replay:FILE"). pcsct_transmit() does the T=0 chores every caller would otherwise repeat: GET RESPONSE on
 * 61xx / 9Fxx (chained), re-send with the right Le on 6Cxx. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/apdu.h"
#include "simguard/sg_error.h"

#define PCSCT_ATR_MAX 33
#define PCSCT_RSP_MAX 4096 /* data gathered over chained GET RESPONSEs */
#define PCSCT_RAW_MAX 258  /* one transport-level response: 256 data bytes + SW */

enum pcsct_power {
	PCSCT_POWER_OFF,
	PCSCT_POWER_ON,	   /* cold: as after inserting the card */
	PCSCT_POWER_RESET, /* warm reset: volatile state cleared, persistent state kept */
};

struct pcsct_card;

/* What one kind of card access implements. xfer moves one APDU and its raw answer (data || SW1 SW2) with no
 * status-word handling; -1 with err when the card or the reader does not answer. */
struct pcsct_card_ops {
	const char *scheme;
	int (*power)(struct pcsct_card *c, enum pcsct_power p, struct sg_error *err);
	int (*xfer)(struct pcsct_card *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len,
		    struct sg_error *err);
	void (*close)(struct pcsct_card *c);
};

/* Called for every APDU that crosses the interface (after the fact), e.g. for -v logging. */
typedef void (*pcsct_trace_cb)(void *arg, const uint8_t *cmd, size_t cmd_len, const uint8_t *rsp, size_t rsp_len);

struct pcsct_card {
	const struct pcsct_card_ops *ops;
	void *priv;
	char name[128];	  /* reader name or profile path, for messages */
	char protocol[8]; /* "T=0", "T=1", or "direct" for in-process */
	uint8_t atr[PCSCT_ATR_MAX];
	size_t atr_len;
	bool powered;
	pcsct_trace_cb trace;
	void *trace_arg;
};

/* A card's answer after status-word handling. */
struct pcsct_rsp {
	uint8_t data[PCSCT_RSP_MAX];
	size_t len;
	uint16_t sw;
};

/* Open the card named by spec and power it on. ctx is the talloc parent. Returns 0, or -1 with err naming what is
 * wrong (unknown scheme, no such reader, no card, profile unreadable...). */
int pcsct_card_open(void *ctx, const char *spec, struct pcsct_card **out, struct sg_error *err);
void pcsct_card_close(struct pcsct_card *c);
int pcsct_card_power(struct pcsct_card *c, enum pcsct_power p, struct sg_error *err);

/* Send one command APDU and collect the answer: 61xx and 9Fxx are followed by GET RESPONSE (CLA 00 / A0, as the
 * family of the command's CLA) until the card stops offering data; 6Cxx re-sends the command with Le = xx. The
 * SW in rsp is the final one (e.g. 91xx after the GET RESPONSE of an ENVELOPE). -1 with err when the card does
 * not answer or answers with fewer than two bytes. */
int pcsct_transmit(struct pcsct_card *c, const uint8_t *apdu, size_t len, struct pcsct_rsp *rsp, struct sg_error *err);
/* Same for an APDU built with apdu.h */
int pcsct_transmit_buf(struct pcsct_card *c, const struct apdu_buf *a, struct pcsct_rsp *rsp, struct sg_error *err);

/* One reader as libpcsclite lists it. */
struct pcsct_reader {
	char name[128];
	bool card_present;
	uint8_t atr[PCSCT_ATR_MAX];
	size_t atr_len;
};

/* List PC/SC readers with their state and ATR (pcscd must run). Returns the count (0 when none), or -1 with err. */
int pcsct_pcsc_list(struct pcsct_reader *readers, size_t max, struct sg_error *err);

/* Backends, used by pcsct_card_open(); exposed for tests. arg is the part of the spec after the scheme. */
int pcsct_pcsc_open(void *ctx, const char *arg, struct pcsct_card **out, struct sg_error *err);
int pcsct_sim_open(void *ctx, const char *arg, struct pcsct_card **out, struct sg_error *err);
int pcsct_replay_open(void *ctx, const char *arg, struct pcsct_card **out, struct sg_error *err);
/* Card access to a simulated UICC the caller created (uicc_card_create()), e.g. with identities of its own: the
 * card is powered on, becomes a talloc child of the access and is freed with it. name is for messages. */
struct uicc_card;
int pcsct_sim_attach(void *ctx, struct uicc_card *card, const char *name, struct pcsct_card **out);
