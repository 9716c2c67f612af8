/* Benchmark: submit_sm per second through sms-gateway on loopback with a window of 100 (OTA server ESME ->
 * gateway -> lab handset ESME that acknowledges every deliver_sm), against a baseline measured in the same run:
 * the same PDUs answered by a bare echo "SMSC" on loopback (no queue, no disk). Goal: >= 20,000/s. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <smpp34.h>

#include "smsgw/smpp_client.h"

#define N_MSGS 40000
#define WINDOW 100
#define GOAL 20000.0

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int listen_any(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* The baseline peer: answers every request with its response, nothing else. */
static void *echo_server(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	static uint8_t buf[1 << 16];
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		size_t off = 0;
		uint8_t out[8192];
		size_t olen = 0;

		if (n <= 0)
			break;
		len += (size_t)n;
		while (len - off >= 16) {
			struct smpp_hdr h;

			smpp_hdr_get(buf + off, &h);
			if (h.len < 16 || len - off < h.len)
				break;
			if (h.id == BIND_TRANSCEIVER)
				olen += (size_t)smpp_encode_bind_resp(BIND_TRANSCEIVER_RESP, 0, h.seq, "echo", out + olen,
								      sizeof(out) - olen);
			else if (h.id == UNBIND)
				olen += (size_t)smpp_encode_hdr_only(UNBIND_RESP, 0, h.seq, out + olen, 16);
			else
				olen += (size_t)smpp_encode_sm_resp(SUBMIT_SM_RESP, 0, h.seq, "0000000001", out + olen,
								    sizeof(out) - olen);
			off += h.len;
			if (olen > sizeof(out) - 64) {
				if (write(fd, out, olen) < 0)
					break;
				olen = 0;
			}
		}
		if (olen && write(fd, out, olen) < 0)
			break;
		memmove(buf, buf + off, len - off);
		len -= off;
	}
	close(fd);
	return NULL;
}

/* Submit N_MSGS with WINDOW outstanding; returns submit_sm/s or -1. */
static double run_submits(uint16_t port, const char *sysid, const char *pw)
{
	char why[160];
	struct smpp_client *c = smpp_client_connect("127.0.0.1", port, 3000, why, sizeof(why));
	static uint8_t pdu[SMPP_MAX_PDU];
	struct smpp_sm sm;
	unsigned long sent = 0, done = 0;
	double t0;

	if (!c || smpp_client_bind(c, BIND_TRANSCEIVER, sysid, pw, 3000) != ESME_ROK) {
		fprintf(stderr, "bench: bind to %u failed: %s\n", port, c ? smpp_client_error(c) : why);
		return -1;
	}
	smpp_sm_init(&sm);
	sm.src_ton = sm.src_npi = sm.dst_ton = sm.dst_npi = 1;
	strcpy(sm.src, "12345");
	strcpy(sm.dst, "1001");
	sm.esm_class = 0x40;
	sm.pid = 0x7f;
	sm.dcs = 0xf6;
	memcpy(sm.ud, "\x02\x70\x00\x00\x20\x15\x16\x19\x15\x15\xc1\x00\x01", 13);
	sm.ud_len = 13 + 24;
	t0 = now_s();
	while (done < N_MSGS) {
		int n;

		while (sent < N_MSGS && sent - done < WINDOW) {
			/* distinct payloads: identical ones would be (rightly) treated as duplicates */
			memcpy(sm.ud + sm.ud_len - 4, &sent, 4);
			smpp_client_send_sm(c, SUBMIT_SM, &sm, NULL);
			sent++;
		}
		n = smpp_client_recv(c, pdu, sizeof(pdu), 5000);
		if (n <= 0) {
			fprintf(stderr, "bench: no response after %lu of %d\n", done, N_MSGS);
			return -1;
		}
		if ((pdu[4] & 0x80) && pdu[7] == 0x04) {
			if (pdu[11] != 0) {
				fprintf(stderr, "bench: submit_sm_resp status 0x%02X\n", pdu[11]);
				return -1;
			}
			done++;
		}
	}
	t0 = now_s() - t0;
	smpp_client_close(c);
	return N_MSGS / t0;
}

static volatile int handset_stop;

/* The lab handset: acknowledge every deliver_sm. */
static void *handset(void *arg)
{
	uint16_t port = *(uint16_t *)arg;
	char why[160];
	struct smpp_client *c = smpp_client_connect("127.0.0.1", port, 3000, why, sizeof(why));
	static uint8_t pdu[SMPP_MAX_PDU];

	if (!c || smpp_client_bind(c, BIND_TRANSCEIVER, "1001", "labpw", 3000) != ESME_ROK)
		return NULL;
	while (!handset_stop) {
		struct smpp_hdr h;
		int n = smpp_client_recv(c, pdu, sizeof(pdu), 200);

		if (n < 0)
			break;
		if (n == 0)
			continue;
		smpp_hdr_get(pdu, &h);
		if (h.id == DELIVER_SM)
			smpp_client_send_resp(c, DELIVER_SM_RESP, 0, h.seq, NULL);
	}
	smpp_client_close(c);
	return NULL;
}

static pid_t start_gateway(const char *dir, uint16_t port)
{
	char cfg[512], db[512], bin[512];
	const char *b = getenv("B") ? getenv("B") : "build";
	FILE *f;
	pid_t pid;

	snprintf(cfg, sizeof(cfg), "%s/gw.cfg", dir);
	snprintf(db, sizeof(db), "%s/q.db", dir);
	snprintf(bin, sizeof(bin), "%s/bin/sms-gateway", b);
	f = fopen(cfg, "w");
	if (!f)
		return -1;
	fprintf(f, "log stderr\n logging level set-all error\nline vty\n bind 127.0.0.1 0\nsmpp\n"
		   " local-tcp-ip 127.0.0.1 %u\n window 100\n lab-password labpw\n esme otasrv\n  password secret\n"
		   "  address 12345\n  allowed-source-address 12345\nqueue\n database %s\n max-pending 1000000\n"
		   "route lab\n prefix 1\n type lab\n",
		port, db);
	fclose(f);
	pid = fork();
	if (pid == 0) {
		execl(bin, bin, "-c", cfg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

int main(void)
{
	char dir[] = "/tmp/bench-smsgw.XXXXXX";
	pthread_t echo, hs;
	uint16_t eport, gport;
	int lfd = listen_any(&eport), probe;
	double base, gw;
	pid_t pid;
	char cmd[600];

	if (lfd < 0 || !mkdtemp(dir))
		return 1;
	pthread_create(&echo, NULL, echo_server, &lfd);
	base = run_submits(eport, "bench", "x");
	pthread_join(echo, NULL);
	close(lfd);

	probe = listen_any(&gport);
	close(probe);
	pid = start_gateway(dir, gport);
	usleep(300000);
	pthread_create(&hs, NULL, handset, &gport);
	usleep(100000);
	gw = run_submits(gport, "otasrv", "secret");
	handset_stop = 1;
	pthread_join(hs, NULL);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);

	printf("bench_smsgw: %d submit_sm, window %d, OTA server -> gateway (SQLite WAL queue) -> lab handset\n",
	       N_MSGS, WINDOW);
	printf("  baseline (bare echo SMSC, same PDUs): %10.0f submit_sm/s\n", base);
	printf("  sms-gateway:                          %10.0f submit_sm/s  (%.2f x baseline, goal %.0f/s: %s)\n", gw,
	       base > 0 ? gw / base : 0, GOAL, gw >= GOAL ? "met" : "NOT met");
	return gw > 0 && base > 0 ? 0 : 1;
}
