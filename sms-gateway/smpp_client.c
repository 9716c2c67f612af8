/* Blocking SMPP ESME client over one TCP connection (see smpp_client.h). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <smpp34.h>

#include "smsgw/smpp_client.h"

#define RX_SIZE 65536

struct smpp_client {
	int fd;
	uint32_t seq;
	uint8_t rx[RX_SIZE];
	size_t rx_len;
	char err[160];
};

static int fail(struct smpp_client *c, const char *fmt, const char *arg)
{
	snprintf(c->err, sizeof(c->err), fmt, arg);
	return -1;
}

const char *smpp_client_error(const struct smpp_client *c)
{
	return c->err;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		errno = soerr;
		return -1;
	}
	return 0;
}

struct smpp_client *smpp_client_connect(const char *host, uint16_t port, int timeout_ms, char *why, size_t why_size)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct smpp_client *c;
	char ports[8];
	int one = 1;

	snprintf(ports, sizeof(ports), "%u", port);
	if (getaddrinfo(host, ports, &hints, &ai) != 0 || !ai) {
		snprintf(why, why_size, "cannot resolve %s", host);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		freeaddrinfo(ai);
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	c->seq = 1;
	c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect_timeout(c->fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) < 0) {
		snprintf(why, why_size, "connect %s:%u: %s", host, port, strerror(errno));
		freeaddrinfo(ai);
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return NULL;
	}
	freeaddrinfo(ai);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return c;
}

void smpp_client_close(struct smpp_client *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}

int smpp_client_fd(const struct smpp_client *c)
{
	return c->fd;
}

uint32_t smpp_client_next_seq(struct smpp_client *c)
{
	return c->seq;
}

static uint32_t take_seq(struct smpp_client *c)
{
	uint32_t s = c->seq++;

	if (c->seq > 0x7fffffff)
		c->seq = 1;
	return s;
}

int smpp_client_send_raw(struct smpp_client *c, const uint8_t *pdu, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(c->fd, pdu + off, len - off);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = { .fd = c->fd, .events = POLLOUT };

			if (poll(&p, 1, 10000) != 1)
				return fail(c, "write: %s", "timeout");
			continue;
		}
		return fail(c, "write: %s", strerror(errno));
	}
	return 0;
}

int smpp_client_send_sm(struct smpp_client *c, uint32_t cmd, const struct smpp_sm *sm, uint32_t *seq)
{
	uint8_t buf[SMPP_MAX_PDU];
	char why[128];
	uint32_t s = take_seq(c);
	int n = smpp_encode_sm(cmd, s, sm, buf, sizeof(buf), why, sizeof(why));

	if (n < 0)
		return fail(c, "encode: %s", why);
	if (seq)
		*seq = s;
	return smpp_client_send_raw(c, buf, (size_t)n);
}

int smpp_client_send_resp(struct smpp_client *c, uint32_t resp_cmd, uint32_t status, uint32_t seq,
			  const char *msgid)
{
	uint8_t buf[128];
	int n;

	if (resp_cmd == SUBMIT_SM_RESP || resp_cmd == DELIVER_SM_RESP || resp_cmd == DATA_SM_RESP)
		n = smpp_encode_sm_resp(resp_cmd, status, seq, msgid, buf, sizeof(buf));
	else
		n = smpp_encode_hdr_only(resp_cmd, status, seq, buf, sizeof(buf));
	if (n < 0)
		return fail(c, "encode: %s", smpp_cmd_name(resp_cmd));
	return smpp_client_send_raw(c, buf, (size_t)n);
}

/* One whole PDU from the receive buffer, if there is one. */
static int take_pdu(struct smpp_client *c, uint8_t *buf, size_t size)
{
	struct smpp_hdr h;

	if (c->rx_len < SMPP_HDR_LEN)
		return 0;
	smpp_hdr_get(c->rx, &h);
	if (h.len < SMPP_HDR_LEN || h.len > SMPP_MAX_PDU || h.len > size)
		return fail(c, "peer sent a PDU with command_length %s", h.len < SMPP_HDR_LEN ? "too short" : "too big");
	if (c->rx_len < h.len)
		return 0;
	memcpy(buf, c->rx, h.len);
	memmove(c->rx, c->rx + h.len, c->rx_len - h.len);
	c->rx_len -= h.len;
	return (int)h.len;
}

int smpp_client_recv(struct smpp_client *c, uint8_t *buf, size_t size, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long left;
		ssize_t n;
		int rc, len = take_pdu(c, buf, size);

		if (len < 0)
			return -1;
		if (len > 0) {
			struct smpp_hdr h;

			smpp_hdr_get(buf, &h);
			if (h.id == ENQUIRE_LINK) {
				if (smpp_client_send_resp(c, ENQUIRE_LINK_RESP, ESME_ROK, h.seq, NULL) < 0)
					return -1;
				continue;
			}
			return len;
		}
		/* timeout 0 still reads what has arrived: a poll loop of the caller's own can use it */
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
		rc = poll(&p, 1, (int)left);
		if (rc < 0 && errno != EINTR)
			return fail(c, "poll: %s", strerror(errno));
		if (rc == 0)
			return 0;
		n = read(c->fd, c->rx + c->rx_len, sizeof(c->rx) - c->rx_len);
		if (n == 0)
			return fail(c, "%s", "connection closed by peer");
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return fail(c, "read: %s", strerror(errno));
		if (n > 0)
			c->rx_len += (size_t)n;
	}
}

/* Wait for the response to seq, answering nothing else (PDUs in between are dropped: only used while binding
 * and unbinding, when the peer has no reason to send anything else). */
static long wait_resp(struct smpp_client *c, uint32_t seq, int timeout_ms)
{
	uint8_t buf[SMPP_MAX_PDU];
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct smpp_hdr h;
		long left = deadline - now_ms();
		int n = left > 0 ? smpp_client_recv(c, buf, sizeof(buf), (int)left) : 0;

		if (n < 0)
			return -1;
		if (n == 0)
			return fail(c, "%s", "timeout waiting for a response");
		smpp_hdr_get(buf, &h);
		if (h.seq == seq && (h.id & SMPP_CMD_RESP))
			return (long)h.status;
	}
}

long smpp_client_bind_as(struct smpp_client *c, const struct smpp_bind *b, int timeout_ms)
{
	uint8_t buf[128];
	uint32_t s = take_seq(c);
	int n = smpp_encode_bind(s, b, buf, sizeof(buf));

	if (n < 0)
		return fail(c, "%s", "cannot encode bind");
	if (smpp_client_send_raw(c, buf, (size_t)n) < 0)
		return -1;
	return wait_resp(c, s, timeout_ms);
}

long smpp_client_bind(struct smpp_client *c, uint32_t bind_cmd, const char *system_id, const char *password,
		      int timeout_ms)
{
	struct smpp_bind b = { .cmd = bind_cmd };

	snprintf(b.system_id, sizeof(b.system_id), "%s", system_id);
	snprintf(b.password, sizeof(b.password), "%s", password);
	return smpp_client_bind_as(c, &b, timeout_ms);
}

int smpp_client_unbind(struct smpp_client *c, int timeout_ms)
{
	uint8_t buf[16];
	uint32_t s = take_seq(c);

	if (smpp_encode_hdr_only(UNBIND, 0, s, buf, sizeof(buf)) < 0 || smpp_client_send_raw(c, buf, sizeof(buf)) < 0)
		return -1;
	return wait_resp(c, s, timeout_ms) == ESME_ROK ? 0 : -1;
}
