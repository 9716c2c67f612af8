/* Response packets / Proof of Receipt (TS 102 225 clause 5.1.2, TS 31.115 clauses 4.2 SMS-PP and 6.3 USSD),
 * secured as the command's SPI byte 2 asks with the command's KIc/KID algorithms and keys. Layout:
 *   [RPI (USSD)] RPL RHL TAR(3) | CNTR(5) PCNTR status RC/CC/DS data padding
 * Unlike a command, the SMS user data header 02 71 00 is part of the checksum input (TS 31.115 clause 4.2). */
#include <string.h>

#include "secured_packet_internal.h"

static const uint8_t sms_rsp_udh[3] = { 0x02, 0x71, 0x00 };
/* UDH or RPI, a 3-byte RPL, RHL, TAR, CNTR, PCNTR, status */
#define RSP_HEAD_MAX (3 + 3 + 1 + 3 + 7)

static enum sp_verdict por_sec(const struct sp_cmd_hdr *cmd, bool unsecured, struct sp_sec *s, struct sg_error *err)
{
	uint8_t spi2 = cmd->spi[1];
	uint8_t chk = (spi2 & SP_SPI2_POR_CHK_MASK) >> SP_SPI2_POR_CHK_SHIFT;

	if (unsecured)
		return sp_sec_resolve(SP_SPI1_CHK_NONE, false, cmd->kic, cmd->kid, s, err);
	if (chk == SP_SPI1_CHK_DS) {
		memset(s, 0, sizeof(*s));
		sg_err(err, "spi: PoR with digital signature (DS) is not supported");
		return SP_VERDICT_UNSUPPORTED;
	}
	return sp_sec_resolve(chk, spi2 & SP_SPI2_POR_CIPHER, cmd->kic, cmd->kid, s, err);
}

/* The checksum's first piece: [02 71 00] || RPL..status (for SMS the header is part of the input). */
static size_t rsp_chk_head(enum sp_dialect d, const uint8_t *pkt, size_t body, uint8_t *head)
{
	size_t n = 0;

	if (d == SP_DIALECT_SMS) {
		memcpy(head, sms_rsp_udh, 3);
		n = 3;
	}
	memcpy(head + n, pkt, body + 7);
	return n + body + 7;
}

static size_t write_header(const struct sp_cmd_hdr *cmd, enum sp_dialect d, size_t rpl, uint8_t rhl, uint8_t *out)
{
	size_t n = 0;

	if (d == SP_DIALECT_USSD)
		out[n++] = SP_USSD_RPI;
	n += sp_len_put(d, out + n, rpl);
	out[n++] = rhl;
	memcpy(out + n, cmd->tar, 3);
	return n + 3;
}

static int response_build(const struct sp_cmd_hdr *cmd, uint8_t status, const uint8_t *data, size_t data_len,
			  const struct sp_keys *keys, enum sp_dialect dialect, bool unsecured, uint8_t *out,
			  size_t out_size, size_t *out_len, struct sg_error *err)
{
	uint8_t head[RSP_HEAD_MAX];
	struct sp_layout l;
	struct sp_sec s;
	size_t body, chk_off;

	if (cmd->cntr > SP_CNTR_MAX)
		return sg_err(err, "cntr: %llu does not fit 40 bits", (unsigned long long)cmd->cntr);
	if (!unsecured && sp_spi2_check(cmd->spi[1], err) < 0)
		return -1;
	if (por_sec(cmd, unsecured, &s, err) != SP_VERDICT_OK || sp_sec_keys_ok(&s, keys, err) < 0 ||
	    sp_layout(&s, dialect, 7, SP_RSP_FIXED_HDR, data_len, out_size, "PoR", &l, err) < 0)
		return -1;
	body = write_header(cmd, dialect, l.len_value, (uint8_t)(SP_RSP_FIXED_HDR + s.chk_len), out);
	chk_off = body + 7;
	sp_put_cntr(out + body, cmd->cntr);
	out[body + 5] = (uint8_t)l.pcntr;
	out[body + 6] = status;
	if (data_len)
		memcpy(out + chk_off + s.chk_len, data, data_len);
	memset(out + chk_off + s.chk_len + data_len, 0, l.pcntr);
	if (sp_seal(&s, keys, head, rsp_chk_head(dialect, out, body, head), out, body, chk_off, l.total, err) < 0)
		return -1;
	*out_len = l.total;
	return 0;
}

/* Which security the PoR really carries: as SPI2 asked, or none at all (a card's answer to a failed command,
 * TS 102 225 clause 5.1.2: no checksum on an error PoR). Ciphering without a checksum leaves RHL at 10 either
 * way; then a ciphered part that is not a whole number of blocks can only be clear. */
static enum sp_verdict rsp_effective(const struct sp_cmd_hdr *cmd, const struct sp_frame *f, size_t len,
				     struct sp_sec *s, bool *secured, struct sg_error *err)
{
	struct sg_error local;
	enum sp_verdict v = por_sec(cmd, false, s, &local);

	*secured = false;
	if (f->hl == SP_RSP_FIXED_HDR && (v != SP_VERDICT_OK || s->chk_len)) {
		return por_sec(cmd, true, s, err);
	}
	if (v != SP_VERDICT_OK) {
		if (err)
			*err = local;
		return v;
	}
	if (f->hl != SP_RSP_FIXED_HDR + s->chk_len) {
		sg_err(err, "por: RHL %u fits neither an unsecured PoR (%d) nor the %zu-byte checksum the SPI asks "
			    "(%zu)",
		       f->hl, SP_RSP_FIXED_HDR, s->chk_len, SP_RSP_FIXED_HDR + s->chk_len);
		return SP_VERDICT_FORMAT;
	}
	if (!s->chk_len && s->cipher && (len - f->body) % s->block)
		return por_sec(cmd, true, s, err);
	*secured = s->chk_len || s->cipher;
	return SP_VERDICT_OK;
}

/* A secured PoR must answer this very command: the checksum vouches for the echoed TAR and counter. */
static enum sp_verdict rsp_echo_check(const struct sp_cmd_hdr *cmd, const struct sp_response *rsp,
				      struct sg_error *err)
{
	if (memcmp(rsp->tar, cmd->tar, 3)) {
		sg_err(err, "tar: the PoR is for %02X%02X%02X, the command was for %02X%02X%02X", rsp->tar[0],
		       rsp->tar[1], rsp->tar[2], cmd->tar[0], cmd->tar[1], cmd->tar[2]);
		return SP_VERDICT_CHK_FAILED;
	}
	if (rsp->cntr != cmd->cntr) {
		sg_err(err, "cntr: the PoR echoes counter %llu, the command had %llu", (unsigned long long)rsp->cntr,
		       (unsigned long long)cmd->cntr);
		return SP_VERDICT_CHK_FAILED;
	}
	return SP_VERDICT_OK;
}

static enum sp_verdict rsp_check(const struct sp_sec *s, const struct sp_keys *keys, enum sp_dialect d,
				 const uint8_t *plain, const struct sp_frame *f, size_t len, struct sp_response *rsp,
				 struct sg_error *err)
{
	uint8_t head[RSP_HEAD_MAX];
	size_t chk_off = f->body + 7, data_start = chk_off + s->chk_len;
	enum sp_verdict v;

	memcpy(rsp->tar, plain + f->prefix + 1, 3);
	rsp->cntr = sp_get_cntr(plain + f->body);
	rsp->pcntr = plain[f->body + 5];
	rsp->status = plain[f->body + 6];
	rsp->chk_len = s->chk_len;
	memcpy(rsp->chk, plain + chk_off, s->chk_len);
	v = sp_chk_verify(s, keys, head, rsp_chk_head(d, plain, f->body, head), plain, chk_off, len, "PoR", err);
	if (v != SP_VERDICT_OK)
		return v;
	if (rsp->pcntr > len - data_start) {
		sg_err(err, "pcntr: %u padding bytes, but only %zu bytes of response data", rsp->pcntr,
		       len - data_start);
		return s->cipher ? SP_VERDICT_CIPHER : SP_VERDICT_FORMAT;
	}
	rsp->data = plain + data_start;
	rsp->data_len = len - data_start - rsp->pcntr;
	return SP_VERDICT_OK;
}

static enum sp_verdict response_verify(const uint8_t *pkt, size_t len, const struct sp_cmd_hdr *cmd,
				       const struct sp_keys *keys, enum sp_dialect dialect, struct sp_response *rsp,
				       bool *checksum_ok, uint8_t *plain, size_t plain_size, struct sg_error *err)
{
	struct sp_frame f;
	struct sp_sec s;
	enum sp_verdict v;
	bool secured;

	memset(rsp, 0, sizeof(*rsp));
	*checksum_ok = false;
	if (sp_frame_parse(pkt, len, dialect, &sp_rsp_frame, &f, err) < 0)
		return SP_VERDICT_FORMAT;
	v = rsp_effective(cmd, &f, len, &s, &secured, err);
	if (v != SP_VERDICT_OK)
		return v;
	if (sp_sec_keys_ok(&s, keys, err) < 0)
		return SP_VERDICT_UNSUPPORTED;
	v = sp_open(&s, keys, pkt, len, f.body, plain, plain_size, "PoR", err);
	if (v != SP_VERDICT_OK)
		return v;
	v = rsp_check(&s, keys, dialect, plain, &f, len, rsp, err);
	if (v == SP_VERDICT_OK && secured)
		v = rsp_echo_check(cmd, rsp, err);
	*checksum_ok = v == SP_VERDICT_OK && s.chk_len > 0;
	return v;
}

int sp_response_build(const struct sp_cmd_hdr *cmd, uint8_t status, const uint8_t *data, size_t data_len,
		      const struct sp_keys *keys, enum sp_dialect dialect, bool unsecured, uint8_t *out,
		      size_t out_size, size_t *out_len, struct sg_error *err)
{
	int r = response_build(cmd, status, data, data_len, keys, dialect, unsecured, out, out_size, out_len, err);

	ota_crypto_call_done();
	return r;
}

enum sp_verdict sp_response_verify(const uint8_t *pkt, size_t len, const struct sp_cmd_hdr *cmd,
				   const struct sp_keys *keys, enum sp_dialect dialect, struct sp_response *rsp,
				   bool *checksum_ok, uint8_t *plain, size_t plain_size, struct sg_error *err)
{
	enum sp_verdict r = response_verify(pkt, len, cmd, keys, dialect, rsp, checksum_ok, plain, plain_size, err);

	ota_crypto_call_done();
	return r;
}
