/* A small blocking SMPP 3.4 ESME client (one TCP connection, pipelining allowed): binds, sends submit_sm /
 * deliver_sm / raw PDUs, receives PDUs with a timeout and answers enquire_link by itself. Used by the smpp-send
 * tool, the tests and the benchmark; simple enough for an OTA server's worker thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smsgw/smpp_codec.h"

struct smpp_client;

/* Connect to host:port within timeout_ms. NULL with why filled on failure. */
struct smpp_client *smpp_client_connect(const char *host, uint16_t port, int timeout_ms, char *why, size_t why_size);
void smpp_client_close(struct smpp_client *c);

/* Bind (BIND_TRANSCEIVER / BIND_TRANSMITTER / BIND_RECEIVER); waits for the response. Returns the
 * command_status (ESME_ROK on success) or -1 on a connection problem / timeout. */
long smpp_client_bind(struct smpp_client *c, uint32_t bind_cmd, const char *system_id, const char *password,
		      int timeout_ms);
/* The same for a bind the caller filled in (b->cmd, system_type, ...), e.g. handset-farm's range bind. */
long smpp_client_bind_as(struct smpp_client *c, const struct smpp_bind *b, int timeout_ms);

/* Next sequence number this client will use. */
uint32_t smpp_client_next_seq(struct smpp_client *c);

/* Send a submit_sm / deliver_sm / data_sm; *seq gets its sequence number. 0 or -1 (why in smpp_client_error). */
int smpp_client_send_sm(struct smpp_client *c, uint32_t cmd, const struct smpp_sm *sm, uint32_t *seq);
/* Send bytes as they are (for tests of bad input). */
int smpp_client_send_raw(struct smpp_client *c, const uint8_t *pdu, size_t len);
/* Send a response (deliver_sm_resp, submit_sm_resp, ...) for seq. */
int smpp_client_send_resp(struct smpp_client *c, uint32_t resp_cmd, uint32_t status, uint32_t seq,
			  const char *msgid);

/* Receive one PDU into buf (size >= SMPP_MAX_PDU). enquire_link from the peer is answered here and not returned.
 * Returns the PDU length, 0 on timeout, -1 when the connection closed or broke. */
int smpp_client_recv(struct smpp_client *c, uint8_t *buf, size_t size, int timeout_ms);

/* unbind and wait for unbind_resp (best effort). */
int smpp_client_unbind(struct smpp_client *c, int timeout_ms);

/* The socket, for callers that multiplex several inputs with poll(); then call smpp_client_recv with 0. */
int smpp_client_fd(const struct smpp_client *c);

/* The last error text. */
const char *smpp_client_error(const struct smpp_client *c);
