/* Internal to the ota-server daemon: the SMPP link (smpp_link.c) as the dispatcher uses it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "otasrv/engine.h"

struct osv_server;
struct osv_smpp_link;

struct osv_smpp_link *osv_smpp_link_new(struct osv_server *srv);
void osv_smpp_link_free(struct osv_smpp_link *l);
/* Reconnect when due, drop the link when the SMSC stopped answering. */
void osv_smpp_tick(struct osv_smpp_link *l, int64_t now_ms);
bool osv_smpp_ready(const struct osv_smpp_link *l);
int osv_smpp_free_slots(const struct osv_smpp_link *l);
/* submit_sm for one outgoing packet; -1 when the link is down or the window full (nothing sent). */
int osv_smpp_send(struct osv_smpp_link *l, const struct osv_outgoing *o, int64_t now_ms);
void osv_smpp_stats(const struct osv_smpp_link *l, char *buf, size_t size);

/* Wall clock in seconds (what the engine and the store use). */
int64_t osv_now(void);
