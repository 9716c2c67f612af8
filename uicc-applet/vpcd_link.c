/* The TCP link to pcscd's vpcd driver in the Osmocom select loop: non-blocking connect with retries, frame
 * reassembly, one send() per reply, and the TCP_QUICKACK / TCP_NODELAY settings without which every APDU waits
 * for a delayed ACK (~40 ms, recipe pcsc-virtual-card.md §4). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/timer.h>

#include "uicc/card.h"
#include "vpcd.h"

#define FRAME_MAX 65535

struct vpcd_link {
	struct uicc_card *card;
	char *host;
	uint16_t port;
	unsigned int retry_ms;
	struct osmo_fd ofd;
	struct osmo_timer_list retry;
	bool connected;
	uint8_t hdr[2];
	size_t hdr_got;
	uint8_t *frame;
	size_t frame_len, frame_got;
	vpcd_trace_cb trace;
	void *trace_priv;
};

static void schedule_retry(struct vpcd_link *l)
{
	osmo_timer_schedule(&l->retry, l->retry_ms / 1000, (l->retry_ms % 1000) * 1000);
}

static void link_down(struct vpcd_link *l, const char *why)
{
	if (l->ofd.fd >= 0) {
		osmo_fd_unregister(&l->ofd);
		close(l->ofd.fd);
		l->ofd.fd = -1;
	}
	if (l->connected)
		LOGP(DVPCD, LOGL_NOTICE, "vpcd %s:%u: link down (%s), reconnecting\n", l->host, l->port, why);
	l->connected = false;
	l->hdr_got = 0;
	l->frame_got = 0;
	/* the reader lost its card: it is unpowered until pcscd powers it again */
	uicc_card_power_off(l->card);
	schedule_retry(l);
}

static int send_frame(struct vpcd_link *l, const uint8_t *payload, size_t len)
{
	uint8_t buf[2 + UICC_RSP_MAX + 64];
	size_t off = 0;

	buf[0] = len >> 8;
	buf[1] = len & 0xFF;
	memcpy(buf + 2, payload, len);
	while (off < len + 2) {
		ssize_t n = send(l->ofd.fd, buf + off, len + 2 - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* a reply is at most 260 bytes: the socket buffer only fills if vpcd stopped reading */
			usleep(1000);
			continue;
		}
		if (n <= 0)
			return -1;
		off += n;
	}
	return 0;
}

static void deliver(struct vpcd_link *l)
{
	uint8_t out[UICC_RSP_MAX + 64];
	size_t out_len;

	vpcd_handle_frame(l->card, l->frame, l->frame_len, out, &out_len, l->trace, l->trace_priv);
	if (out_len && send_frame(l, out, out_len) < 0)
		link_down(l, "send failed");
}

/* Read what is there: first the 2-byte length, then the payload. Returns -1 when the link went down. */
static int read_some(struct vpcd_link *l)
{
	int one = 1;
	ssize_t n;

	/* Linux clears QUICKACK after use: set it again before every read */
	setsockopt(l->ofd.fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	if (l->hdr_got < 2) {
		n = recv(l->ofd.fd, l->hdr + l->hdr_got, 2 - l->hdr_got, 0);
		if (n <= 0)
			return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
		l->hdr_got += n;
		if (l->hdr_got < 2)
			return 0;
		l->frame_len = (size_t)l->hdr[0] << 8 | l->hdr[1];
		l->frame_got = 0;
	}
	if (l->frame_got < l->frame_len) {
		n = recv(l->ofd.fd, l->frame + l->frame_got, l->frame_len - l->frame_got, 0);
		if (n <= 0)
			return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
		l->frame_got += n;
		if (l->frame_got < l->frame_len)
			return 0;
	}
	l->hdr_got = 0;
	deliver(l);
	return 0;
}

static void set_sockopts(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static int fd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct vpcd_link *l = ofd->data;

	if (!l->connected && (what & OSMO_FD_WRITE)) {
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(ofd->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			link_down(l, strerror(err));
			return 0;
		}
		l->connected = true;
		osmo_fd_write_disable(ofd);
		set_sockopts(ofd->fd);
		LOGP(DVPCD, LOGL_NOTICE, "vpcd %s:%u: connected\n", l->host, l->port);
		return 0;
	}
	if ((what & OSMO_FD_READ) && read_some(l) < 0)
		link_down(l, "closed by vpcd");
	return 0;
}

/* Non-blocking connect; quiet on failure (pcscd may simply not be up yet). Returns the fd or -1. */
static int start_connect(const struct vpcd_link *l)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
	char port[8];
	int fd = -1;

	snprintf(port, sizeof(port), "%u", l->port);
	if (getaddrinfo(l->host, port, &hints, &res) != 0)
		return -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

static void try_connect(void *data)
{
	struct vpcd_link *l = data;
	int fd = start_connect(l);

	if (fd < 0) {
		schedule_retry(l);
		return;
	}
	osmo_fd_setup(&l->ofd, fd, OSMO_FD_READ | OSMO_FD_WRITE, fd_cb, l, 0);
	if (osmo_fd_register(&l->ofd) < 0) {
		close(fd);
		l->ofd.fd = -1;
		schedule_retry(l);
	}
}

struct vpcd_link *vpcd_link_start(void *ctx, struct uicc_card *card, const char *host, uint16_t port,
				  unsigned int retry_ms, vpcd_trace_cb trace, void *trace_priv)
{
	struct vpcd_link *l = talloc_zero(ctx, struct vpcd_link);

	l->card = card;
	l->host = talloc_strdup(l, host);
	l->port = port;
	l->retry_ms = retry_ms;
	l->trace = trace;
	l->trace_priv = trace_priv;
	l->frame = talloc_size(l, FRAME_MAX);
	l->ofd.fd = -1;
	osmo_timer_setup(&l->retry, try_connect, l);
	try_connect(l);
	return l;
}

bool vpcd_link_connected(const struct vpcd_link *l)
{
	return l->connected;
}

void vpcd_link_stop(struct vpcd_link *l)
{
	osmo_timer_del(&l->retry);
	if (l->ofd.fd >= 0) {
		osmo_fd_unregister(&l->ofd);
		close(l->ofd.fd);
	}
	talloc_free(l);
}

int vpcd_parse_addr(void *ctx, const char *arg, char **host, uint16_t *port)
{
	const char *colon = strrchr(arg, ':');
	char *end;
	long p;

	*port = VPCD_DEFAULT_PORT;
	if (!colon) {
		*host = talloc_strdup(ctx, arg);
		return *arg ? 0 : -1;
	}
	p = strtol(colon + 1, &end, 10);
	if (colon == arg || *end || p < 1 || p > 65535)
		return -1;
	*host = talloc_strndup(ctx, arg, colon - arg);
	*port = p;
	return 0;
}
