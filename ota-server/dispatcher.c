/* The ota-server's heartbeat: every tick it polls the Osmocom select loop (VTY), keeps the SMPP link, and when
 * there may be due work (a command was queued, a response freed the window, or a second passed) claims due
 * commands - no more than the SMSC window and the configured throughput allow - turns them into packets whose
 * counters are committed (with the HTTPS requests of the same loop pass: group commit), and only then submits
 * them; room left in the window carries owner notifications as text SMS. Every few seconds it also looks for a
 * new CRL file. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <event2/event.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>

#include "api_internal.h"
#include "smpp_link.h"

#define TICK_MS 20
#define MAX_BATCH 100
#define CRL_LOOK_MS 2000

int64_t osv_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec;
}

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Throughput: a token bucket refilled at cfg.throughput per second, at most one second's worth. */
static int budget(struct osv_server *srv, int64_t ms)
{
	if (srv->tokens_at)
		srv->tokens += (double)(ms - srv->tokens_at) * srv->cfg.throughput / 1000.0;
	srv->tokens_at = ms;
	if (srv->tokens > srv->cfg.throughput)
		srv->tokens = srv->cfg.throughput;
	return (int)srv->tokens;
}

/* Claim and secure due work as a unit of the loop pass's group transaction (one disk sync shared with the
 * requests of the pass); the packets wait in srv->out for the group's commit (osv_dispatcher_committed). */
static int dispatch_batch(struct osv_server *srv, int64_t ms, int room)
{
	struct sg_error err;
	int n;

	if (srv->out_n)
		return 0; /* a batch still waits for its commit */
	if (room > MAX_BATCH)
		room = MAX_BATCH;
	osv_store_group_unit(srv->store, true);
	n = osv_http_group_join(srv, &err) < 0
		    ? -1
		    : osv_engine_next(srv->store, &srv->cfg.engine, room, ms / 1000, srv->out, &err);
	osv_store_group_unit(srv->store, false);
	if (n < 0) {
		LOGP(DOTA, LOGL_ERROR, "dispatch: %s\n", err.msg);
		return 0;
	}
	srv->out_n = n;
	return n;
}

void osv_dispatcher_committed(struct osv_server *srv, bool ok)
{
	struct osv_outgoing *out = srv->out;
	int64_t ms = now_ms();
	int n = srv->out_n;
	struct sg_error err;

	srv->out_n = 0;
	if (!ok && n)
		LOGP(DOTA, LOGL_ERROR, "dispatch: %d packets not sent, their transaction did not commit\n", n);
	/* The counters are on disk: the packets may leave. */
	for (int i = 0; i < n && ok; i++) {
		if (osv_smpp_send(srv->smpp, &out[i], ms) == 0) {
			if (out[i].notification_id)
				LOGP(DOTA, LOGL_INFO, "notification %lld: SMS to the owner's number %s\n",
				     (long long)out[i].notification_id, out[i].msisdn);
			else
				LOGP(DOTA, LOGL_DEBUG, "command %lld: packet of %zu bytes to %s\n",
				     (long long)out[i].command_id, out[i].ud_len, out[i].msisdn);
			continue;
		}
		if (osv_engine_submitted(srv->store, &srv->cfg.engine, &out[i], false, "", "SMPP link down", ms / 1000,
					 &err) < 0)
			LOGP(DOTA, LOGL_ERROR, "dispatch: %s\n", err.msg);
	}
}

/* A CRL published while the server runs (an operator revoked) is taken up within CRL_LOOK_MS. */
static void look_at_crl(struct osv_server *srv, int64_t ms)
{
	struct sg_error err;
	int rc;

	if (!srv->ssl || ms - srv->crl_looked_ms < CRL_LOOK_MS)
		return;
	srv->crl_looked_ms = ms;
	rc = osv_tls_crl_refresh(srv->ssl, &srv->cfg, &srv->crl, &err);
	if (rc < 0)
		LOGP(DHTTP, LOGL_ERROR, "%s\n", err.msg);
	else if (rc > 0)
		LOGP(DHTTP, LOGL_NOTICE, "crl %s: new CRL in force for new connections\n", srv->cfg.crl_file);
}

/* Summaries of security events counted beyond a card's audit limit, once their window is over (all: at
 * shutdown, so that a SIGTERM loses no count). */
static void flush_security(struct osv_server *srv, int64_t ms, bool all)
{
	struct sg_error err;
	int n = osv_secflood_flush(srv->cfg.engine.secflood, srv->store, ms / 1000, all, &err);

	if (n < 0)
		LOGP(DOTA, LOGL_ERROR, "security summaries: %s\n", err.msg);
	else if (n > 0)
		LOGP(DOTA, LOGL_NOTICE, "security summaries: %d written to the audit log\n", n);
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct osv_server *srv = arg;
	int64_t ms = now_ms();
	int room, rate, n;

	osmo_select_main_ctx(1);
	look_at_crl(srv, ms);
	flush_security(srv, ms, false);
	osv_smpp_tick(srv->smpp, ms);
	rate = budget(srv, ms);
	if (!osv_smpp_ready(srv->smpp) || (!srv->dispatch_soon && ms - srv->last_claim_ms < 1000))
		return;
	room = osv_smpp_free_slots(srv->smpp);
	if (room > rate)
		room = rate;
	if (room <= 0)
		return;
	srv->last_claim_ms = ms;
	srv->dispatch_soon = false;
	n = dispatch_batch(srv, ms, room);
	srv->tokens -= n;
	if (n == room)
		srv->dispatch_soon = true; /* there may be more */
}

int osv_dispatcher_start(struct osv_server *srv)
{
	struct timeval tv = { 0, TICK_MS * 1000 };

	srv->smpp = osv_smpp_link_new(srv);
	srv->tick = event_new(srv->base, -1, EV_PERSIST, tick, srv);
	srv->out = calloc(MAX_BATCH, sizeof(*srv->out));
	srv->cfg.engine.secflood = osv_secflood_new();
	if (!srv->smpp || !srv->tick || !srv->out || !srv->cfg.engine.secflood)
		return -1;
	return event_add(srv->tick, &tv);
}

void osv_dispatcher_stop(struct osv_server *srv)
{
	if (srv->tick)
		event_free(srv->tick);
	srv->tick = NULL;
	osv_smpp_link_free(srv->smpp);
	srv->smpp = NULL;
	if (srv->store)
		flush_security(srv, now_ms(), true);
	osv_secflood_free(srv->cfg.engine.secflood);
	srv->cfg.engine.secflood = NULL;
	free(srv->out);
	srv->out = NULL;
}
