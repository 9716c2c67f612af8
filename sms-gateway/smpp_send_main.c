/* smpp-send: a small SMPP ESME for tests and operators: binds, submits (OTA packets, raw user data, USSD), waits
 * for responses, delivery receipts and deliver_sm, can answer each deliver_sm with an MO (a handset stand-in),
 * and can send raw PDUs. Exit 0 everything expected happened, 1 a check failed, 2 usage or input error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smpp34.h>

#include "simguard/hex.h"
#include "smsgw/smpp_client.h"

struct opts {
	const char *host;
	int port;
	const char *system_id, *password, *system_type;
	uint32_t bind;
	uint32_t submit_cmd; /* SUBMIT_SM or DATA_SM */
	struct smpp_sm sm;
	bool have_ud;
	unsigned long count;
	unsigned int window;
	bool vary;
	unsigned long expect_receipts;
	unsigned long listen;
	uint32_t resp_status;
	uint8_t reply_ud[SMPP_UD_MAX];
	long reply_len;
	uint8_t raw[SMPP_MAX_PDU];
	long raw_len;
	int timeout_ms;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smpp-send --port N --system-id ID --password PW [options]\n"
		"  --host H (127.0.0.1)  --bind trx|tx|rx (trx)  --system-type T (e.g. range)  --timeout SECONDS (10)\n"
		"  --json\n"
		"  submit:  --dst ADDR [--src ADDR] [--src-ton N --src-npi N --dst-ton N --dst-npi N] [--data-sm]\n"
		"           --ota HEX (secured packet: UD 02 70 00 || HEX, esm 0x40, pid 0x7F, dcs 0xF6) | --ud HEX\n"
		"           [--esm N --pid N --dcs N --regdel N --ussd-op N --umr N --payload]\n"
		"           [--count N --window N --vary (last 4 UD bytes = message number)]\n"
		"           [--expect-receipts N]\n"
		"  receive: --listen N (wait for N deliver_sm, print them) [--resp-status N] [--reply-ud HEX]\n"
		"  raw:     --raw HEX (send bytes as they are, print the first PDU that comes back)\n");
}

static long num(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (!*s || *end || v < 0) {
		fprintf(stderr, "smpp-send: %s: '%s' is not a number\n", what, s);
		exit(2);
	}
	return v;
}

static long hexarg(const char *s, uint8_t *out, size_t size, const char *what)
{
	struct sg_error err;
	long n = sg_hex_decode(s, out, size, what, &err);

	if (n < 0) {
		fprintf(stderr, "smpp-send: %s\n", err.msg);
		exit(2);
	}
	return n;
}

static void copy_addr(char *dst, size_t size, const char *s, const char *what)
{
	if (strlen(s) >= size) {
		fprintf(stderr, "smpp-send: %s longer than %zu characters\n", what, size - 1);
		exit(2);
	}
	snprintf(dst, size, "%s", s);
}

static void set_ota(struct opts *o, const char *hex)
{
	o->sm.ud[0] = 0x02;
	o->sm.ud[1] = 0x70;
	o->sm.ud[2] = 0x00;
	o->sm.ud_len = 3 + (size_t)hexarg(hex, o->sm.ud + 3, sizeof(o->sm.ud) - 3, "--ota");
	o->sm.esm_class = 0x40;
	o->sm.pid = 0x7f;
	o->sm.dcs = 0xf6;
	o->have_ud = true;
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_HOST = 256, O_PORT, O_SYSID, O_PW, O_BIND, O_SRC, O_DST, O_STON, O_SNPI, O_DTON, O_DNPI, O_OTA,
	       O_UD, O_ESM, O_PID, O_DCS, O_REGDEL, O_USSD, O_UMR, O_PAYLOAD, O_COUNT, O_WINDOW, O_VARY, O_RECEIPTS,
	       O_LISTEN, O_RESP, O_REPLY, O_RAW, O_TIMEOUT, O_JSON, O_SYSTYPE, O_DATASM, O_HELP };
	static const struct option lo[] = {
		{ "host", 1, 0, O_HOST },	{ "port", 1, 0, O_PORT },	  { "system-id", 1, 0, O_SYSID },
		{ "password", 1, 0, O_PW },	{ "bind", 1, 0, O_BIND },	  { "src", 1, 0, O_SRC },
		{ "dst", 1, 0, O_DST },		{ "src-ton", 1, 0, O_STON },	  { "src-npi", 1, 0, O_SNPI },
		{ "dst-ton", 1, 0, O_DTON },	{ "dst-npi", 1, 0, O_DNPI },	  { "ota", 1, 0, O_OTA },
		{ "ud", 1, 0, O_UD },		{ "esm", 1, 0, O_ESM },		  { "pid", 1, 0, O_PID },
		{ "dcs", 1, 0, O_DCS },		{ "regdel", 1, 0, O_REGDEL },	  { "ussd-op", 1, 0, O_USSD },
		{ "umr", 1, 0, O_UMR },		{ "payload", 0, 0, O_PAYLOAD },	  { "count", 1, 0, O_COUNT },
		{ "window", 1, 0, O_WINDOW },	{ "vary", 0, 0, O_VARY },	  { "expect-receipts", 1, 0, O_RECEIPTS },
		{ "listen", 1, 0, O_LISTEN },	{ "resp-status", 1, 0, O_RESP },  { "reply-ud", 1, 0, O_REPLY },
		{ "raw", 1, 0, O_RAW },		{ "timeout", 1, 0, O_TIMEOUT },	  { "json", 0, 0, O_JSON },
		{ "system-type", 1, 0, O_SYSTYPE },
		{ "data-sm", 0, 0, O_DATASM },
		{ "help", 0, 0, O_HELP },
		{ 0, 0, 0, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_HOST: o->host = optarg; break;
		case O_PORT: o->port = (int)num(optarg, "--port"); break;
		case O_SYSID: o->system_id = optarg; break;
		case O_PW: o->password = optarg; break;
		case O_BIND:
			o->bind = !strcmp(optarg, "tx") ? BIND_TRANSMITTER
				: !strcmp(optarg, "rx") ? BIND_RECEIVER : BIND_TRANSCEIVER;
			break;
		case O_SRC: copy_addr(o->sm.src, sizeof(o->sm.src), optarg, "--src"); break;
		case O_DST: copy_addr(o->sm.dst, sizeof(o->sm.dst), optarg, "--dst"); break;
		case O_STON: o->sm.src_ton = (uint8_t)num(optarg, "--src-ton"); break;
		case O_SNPI: o->sm.src_npi = (uint8_t)num(optarg, "--src-npi"); break;
		case O_DTON: o->sm.dst_ton = (uint8_t)num(optarg, "--dst-ton"); break;
		case O_DNPI: o->sm.dst_npi = (uint8_t)num(optarg, "--dst-npi"); break;
		case O_OTA: set_ota(o, optarg); break;
		case O_UD:
			o->sm.ud_len = (size_t)hexarg(optarg, o->sm.ud, sizeof(o->sm.ud), "--ud");
			o->have_ud = true;
			break;
		case O_ESM: o->sm.esm_class = (uint8_t)num(optarg, "--esm"); break;
		case O_PID: o->sm.pid = (uint8_t)num(optarg, "--pid"); break;
		case O_DCS: o->sm.dcs = (uint8_t)num(optarg, "--dcs"); break;
		case O_REGDEL: o->sm.regdel = (uint8_t)num(optarg, "--regdel"); break;
		case O_USSD: o->sm.ussd_op = (int)num(optarg, "--ussd-op"); break;
		case O_UMR:
			o->sm.has_umr = true;
			o->sm.umr = (uint16_t)num(optarg, "--umr");
			break;
		case O_PAYLOAD: o->sm.use_payload = true; break;
		case O_COUNT: o->count = (unsigned long)num(optarg, "--count"); break;
		case O_WINDOW: o->window = (unsigned int)num(optarg, "--window"); break;
		case O_VARY: o->vary = true; break;
		case O_RECEIPTS: o->expect_receipts = (unsigned long)num(optarg, "--expect-receipts"); break;
		case O_LISTEN: o->listen = (unsigned long)num(optarg, "--listen"); break;
		case O_RESP: o->resp_status = (uint32_t)num(optarg, "--resp-status"); break;
		case O_REPLY: o->reply_len = hexarg(optarg, o->reply_ud, sizeof(o->reply_ud), "--reply-ud"); break;
		case O_RAW: o->raw_len = hexarg(optarg, o->raw, sizeof(o->raw), "--raw"); break;
		case O_TIMEOUT: o->timeout_ms = (int)num(optarg, "--timeout") * 1000; break;
		case O_JSON: o->json = true; break;
		case O_SYSTYPE:
			if (strlen(optarg) > 12) {
				fprintf(stderr, "smpp-send: --system-type longer than 12 characters\n");
				exit(2);
			}
			o->system_type = optarg;
			break;
		case O_DATASM: o->submit_cmd = DATA_SM; break;
		case O_HELP:
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc || !o->port || !o->system_id || !o->password ||
	    (o->have_ud && !o->sm.dst[0]) || (o->vary && o->sm.ud_len < 4)) {
		usage(stderr);
		exit(2);
	}
}

static void print_ud(const uint8_t *ud, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("%02X", ud[i]);
}

static void print_deliver(const struct opts *o, const struct smpp_sm *sm, bool receipt)
{
	if (o->json) {
		printf("{\"pdu\":\"deliver_sm\",\"receipt\":%s,\"src\":\"%s\",\"dst\":\"%s\",\"esm_class\":%u,"
		       "\"pid\":%u,\"dcs\":%u,\"ussd_op\":%d,\"receipted_id\":\"%s\",\"message_state\":%d,\"ud\":\"",
		       receipt ? "true" : "false", sm->src, sm->dst, sm->esm_class, sm->pid, sm->dcs, sm->ussd_op,
		       sm->receipted_id, sm->message_state);
		print_ud(sm->ud, sm->ud_len);
		printf("\"}\n");
	} else if (receipt) {
		printf("receipt id=%s state=%d src=%s dst=%s text=%.*s\n", sm->receipted_id, sm->message_state, sm->src,
		       sm->dst, (int)sm->ud_len, (const char *)sm->ud);
	} else {
		printf("deliver_sm src=%s dst=%s esm=0x%02X pid=0x%02X dcs=0x%02X ussd=%d ud=", sm->src, sm->dst,
		       sm->esm_class, sm->pid, sm->dcs, sm->ussd_op);
		print_ud(sm->ud, sm->ud_len);
		printf("\n");
	}
	fflush(stdout);
}

static void print_resp(const struct opts *o, const struct smpp_hdr *h, const char *msgid)
{
	if (o->json)
		printf("{\"pdu\":\"%s\",\"seq\":%u,\"status\":%u,\"status_name\":\"%s\",\"message_id\":\"%s\"}\n",
		       smpp_cmd_name(h->id), h->seq, h->status, smpp_status_name(h->status), msgid);
	else
		printf("%s seq=%u status=%s message_id=%s\n", smpp_cmd_name(h->id), h->seq,
		       smpp_status_name(h->status), msgid);
	fflush(stdout);
}

struct progress {
	unsigned long submitted, sent, acked, failed, receipts, delivers;
};

/* The handset stand-in: answer a deliver_sm with an MO back to its sender. */
static void reply_mo(struct smpp_client *c, const struct opts *o, const struct smpp_sm *in)
{
	struct smpp_sm mo;

	smpp_sm_init(&mo);
	snprintf(mo.src, sizeof(mo.src), "%s", in->dst);
	mo.src_ton = in->dst_ton;
	mo.src_npi = in->dst_npi;
	snprintf(mo.dst, sizeof(mo.dst), "%s", in->src);
	mo.dst_ton = in->src_ton;
	mo.dst_npi = in->src_npi;
	mo.esm_class = in->ussd_op >= 0 ? 0 : 0x40;
	mo.pid = 0x7f;
	mo.dcs = 0xf6;
	mo.ussd_op = in->ussd_op == 2 ? 18 : in->ussd_op;
	memcpy(mo.ud, o->reply_ud, (size_t)o->reply_len);
	mo.ud_len = (size_t)o->reply_len;
	smpp_client_send_sm(c, SUBMIT_SM, &mo, NULL);
}

static int handle(struct smpp_client *c, const struct opts *o, const uint8_t *pdu, int n, struct progress *p)
{
	struct smpp_hdr h;
	struct smpp_sm sm;
	char why[160], msgid[66];

	smpp_hdr_get(pdu, &h);
	if (h.id == SUBMIT_SM_RESP || h.id == DATA_SM_RESP) {
		smpp_decode_resp_msgid(pdu, (size_t)n, msgid, sizeof(msgid));
		print_resp(o, &h, msgid);
		if (h.status == ESME_ROK)
			p->acked++;
		else
			p->failed++;
		return 0;
	}
	if (h.id != DELIVER_SM)
		return 0;
	if (smpp_pdu_check(pdu, (size_t)n, why, sizeof(why)) != ESME_ROK ||
	    smpp_decode_sm(pdu, (size_t)n, &sm, why, sizeof(why)) != ESME_ROK) {
		fprintf(stderr, "smpp-send: bad deliver_sm: %s\n", why);
		smpp_client_send_resp(c, DELIVER_SM_RESP, ESME_RSYSERR, h.seq, NULL);
		return -1;
	}
	if ((sm.esm_class & 0x3c) == SMPP34_DELIVERY_RECEIPT) {
		p->receipts++;
		print_deliver(o, &sm, true);
		smpp_client_send_resp(c, DELIVER_SM_RESP, ESME_ROK, h.seq, NULL);
		return 0;
	}
	p->delivers++;
	print_deliver(o, &sm, false);
	smpp_client_send_resp(c, DELIVER_SM_RESP, o->resp_status, h.seq, NULL);
	if (o->reply_len > 0 && o->resp_status == ESME_ROK) {
		reply_mo(c, o, &sm);
		p->sent++;
	}
	return 0;
}

static bool done(const struct opts *o, const struct progress *p)
{
	return p->acked + p->failed >= p->sent && p->submitted >= (o->have_ud ? o->count : 0) &&
	       p->receipts >= o->expect_receipts && p->delivers >= o->listen;
}

static int run(struct smpp_client *c, struct opts *o)
{
	struct progress p = { 0 };
	uint8_t pdu[SMPP_MAX_PDU];
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done(o, &p)) {
		struct timespec t;
		int n;

		while (o->have_ud && p.submitted < o->count && p.sent - p.acked - p.failed < o->window) {
			if (o->vary) {
				uint32_t k = (uint32_t)p.submitted;

				memcpy(o->sm.ud + o->sm.ud_len - 4, (uint8_t[]){ k >> 24, k >> 16, k >> 8, k }, 4);
			}
			if (smpp_client_send_sm(c, o->submit_cmd, &o->sm, NULL) < 0)
				return 1;
			p.sent++;
			p.submitted++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000L + (t.tv_nsec - t0.tv_nsec) / 1000000L > o->timeout_ms)
			break;
		n = smpp_client_recv(c, pdu, sizeof(pdu), 200);
		if (n < 0)
			return 1;
		if (n > 0 && handle(c, o, pdu, n, &p) < 0)
			return 1;
	}
	if (!done(o, &p)) {
		fprintf(stderr, "smpp-send: timeout: %lu/%lu answered, %lu receipts of %lu, %lu deliver_sm of %lu\n",
			p.acked + p.failed, p.sent, p.receipts, o->expect_receipts, p.delivers, o->listen);
		return 1;
	}
	return p.failed ? 1 : 0;
}

static int raw(struct smpp_client *c, struct opts *o)
{
	uint8_t pdu[SMPP_MAX_PDU];
	struct smpp_hdr h;
	char msgid[66] = "";
	int n;

	if (smpp_client_send_raw(c, o->raw, (size_t)o->raw_len) < 0)
		return 1;
	n = smpp_client_recv(c, pdu, sizeof(pdu), o->timeout_ms);
	if (n <= 0) {
		printf(n == 0 ? "no response\n" : "connection closed\n");
		return 1;
	}
	smpp_hdr_get(pdu, &h);
	if (h.id == SUBMIT_SM_RESP)
		smpp_decode_resp_msgid(pdu, (size_t)n, msgid, sizeof(msgid));
	print_resp(o, &h, msgid);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .host = "127.0.0.1", .bind = BIND_TRANSCEIVER, .system_type = "", .submit_cmd = SUBMIT_SM,
			  .count = 1, .window = 1, .timeout_ms = 10000 };
	struct smpp_bind b = { 0 };
	struct smpp_client *c;
	char why[160];
	long st;
	int rc;

	smpp_sm_init(&o.sm);
	o.sm.src_ton = o.sm.src_npi = o.sm.dst_ton = o.sm.dst_npi = 1;
	parse(argc, argv, &o);
	c = smpp_client_connect(o.host, (uint16_t)o.port, o.timeout_ms, why, sizeof(why));
	if (!c) {
		fprintf(stderr, "smpp-send: %s\n", why);
		return 1;
	}
	b.cmd = o.bind;
	snprintf(b.system_id, sizeof(b.system_id), "%s", o.system_id);
	snprintf(b.password, sizeof(b.password), "%s", o.password);
	snprintf(b.system_type, sizeof(b.system_type), "%s", o.system_type);
	st = smpp_client_bind_as(c, &b, o.timeout_ms);
	if (st != ESME_ROK) {
		printf("bind status=%s\n", st < 0 ? smpp_client_error(c) : smpp_status_name((uint32_t)st));
		smpp_client_close(c);
		return 1;
	}
	rc = o.raw_len > 0 ? raw(c, &o) : run(c, &o);
	if (rc == 0)
		smpp_client_unbind(c, 2000);
	smpp_client_close(c);
	return rc;
}
