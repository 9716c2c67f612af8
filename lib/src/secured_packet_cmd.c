/* Command packets (TS 102 225 clause 5.1.1, TS 31.115 clauses 4.1 SMS-PP and 6.1 USSD): build as the sending
 * entity, peek and verify as the receiving entity. Layout from the length field on:
 *   [CPI 03 (USSD)] CPL CHL SPI(2) KIc KID TAR(3) | CNTR(5) PCNTR RC/CC/DS data padding
 * where everything after the bar is ciphered when SPI1 asks for it, and the checksum covers every byte except
 * itself (the SMS user data header is not part of the packet). */
#include <stdio.h>
#include <string.h>

#include "secured_packet_internal.h"

/* A PoR the card could not secure as asked (e.g. an RC with a KID that only names a CC algorithm) is refused
 * when the command is built rather than discovered when the card answers. */
static int check_por_request(const struct sp_cmd_hdr *hdr, struct sg_error *err)
{
	uint8_t spi2 = hdr->spi[1], chk = (spi2 & SP_SPI2_POR_CHK_MASK) >> SP_SPI2_POR_CHK_SHIFT;
	struct sp_sec s;

	if ((spi2 & SP_SPI2_POR_MASK) == SP_SPI2_POR_NONE)
		return 0;
	if (chk == SP_SPI1_CHK_DS)
		return sg_err(err, "spi: PoR with digital signature (DS) is not supported");
	if (sp_sec_resolve(chk, spi2 & SP_SPI2_POR_CIPHER, hdr->kic, hdr->kid, &s, err) == SP_VERDICT_OK)
		return 0;
	if (err) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, " (asked for the PoR)");
	}
	return -1;
}

static int check_hdr(const struct sp_cmd_hdr *hdr, struct sg_error *err)
{
	if (hdr->cntr > SP_CNTR_MAX)
		return sg_err(err, "cntr: %llu does not fit 40 bits", (unsigned long long)hdr->cntr);
	if (sp_spi1_check(hdr->spi[0], err) < 0 || sp_spi2_check(hdr->spi[1], err) < 0)
		return -1;
	return 0;
}

static size_t write_header(const struct sp_cmd_hdr *hdr, enum sp_dialect d, size_t cpl, uint8_t chl, uint8_t *out)
{
	size_t n = 0;

	if (d == SP_DIALECT_USSD)
		out[n++] = SP_USSD_CPI;
	n += sp_len_put(d, out + n, cpl);
	out[n++] = chl;
	out[n++] = hdr->spi[0];
	out[n++] = hdr->spi[1];
	out[n++] = hdr->kic;
	out[n++] = hdr->kid;
	memcpy(out + n, hdr->tar, 3);
	return n + 3;
}

static int command_build(const struct sp_cmd_hdr *hdr, const uint8_t *data, size_t data_len, const struct sp_keys *keys,
			 enum sp_dialect dialect, uint8_t *out, size_t out_size, size_t *out_len, struct sg_error *err)
{
	struct sp_layout l;
	struct sp_sec s;
	size_t body, chk_off;

	if (check_hdr(hdr, err) < 0)
		return -1;
	if (sp_sec_resolve(hdr->spi[0] & SP_SPI1_CHK_MASK, hdr->spi[0] & SP_SPI1_CIPHER, hdr->kic, hdr->kid, &s, err) !=
	    SP_VERDICT_OK)
		return -1;
	if (sp_sec_keys_ok(&s, keys, err) < 0 || check_por_request(hdr, err) < 0 ||
	    sp_layout(&s, dialect, 6, SP_CMD_FIXED_HDR, data_len, out_size, "packet", &l, err) < 0)
		return -1;
	body = write_header(hdr, dialect, l.len_value, (uint8_t)(SP_CMD_FIXED_HDR + s.chk_len), out);
	chk_off = body + 6;
	sp_put_cntr(out + body, hdr->cntr);
	out[body + 5] = (uint8_t)l.pcntr;
	if (data_len)
		memcpy(out + chk_off + s.chk_len, data, data_len);
	memset(out + chk_off + s.chk_len + data_len, 0, l.pcntr);
	if (sp_seal(&s, keys, out, chk_off, out, body, chk_off, l.total, err) < 0)
		return -1;
	*out_len = l.total;
	return 0;
}

static void read_hdr(const uint8_t *pkt, const struct sp_frame *f, struct sp_cmd_hdr *hdr)
{
	const uint8_t *p = pkt + f->prefix + 1;

	memset(hdr, 0, sizeof(*hdr));
	hdr->spi[0] = p[0];
	hdr->spi[1] = p[1];
	hdr->kic = p[2];
	hdr->kid = p[3];
	memcpy(hdr->tar, p + 4, 3);
}

static int peek(const uint8_t *pkt, size_t len, enum sp_dialect dialect, struct sp_cmd_hdr *hdr, struct sp_frame *f,
		struct sg_error *err)
{
	int chk_len;

	if (sp_frame_parse(pkt, len, dialect, &sp_cmd_frame, f, err) < 0)
		return -1;
	read_hdr(pkt, f, hdr);
	chk_len = sp_chk_len(hdr->spi[0], hdr->kid);
	if (chk_len >= 0 && f->hl != SP_CMD_FIXED_HDR + chk_len)
		return sg_err(err, "packet: CHL %u does not match the SPI and KID (a %d-byte RC/CC/DS makes CHL %d)",
			      f->hl, chk_len, SP_CMD_FIXED_HDR + chk_len);
	/* The counter travels ciphered when SPI1 asks for ciphering: only verification reveals it. */
	if (!(hdr->spi[0] & SP_SPI1_CIPHER))
		hdr->cntr = sp_get_cntr(pkt + f->body);
	return 0;
}

int sp_command_peek(const uint8_t *pkt, size_t len, enum sp_dialect dialect, struct sp_cmd_hdr *hdr,
		    struct sg_error *err)
{
	struct sp_frame f;

	return peek(pkt, len, dialect, hdr, &f, err);
}

/* Structure and algorithms: everything that makes a packet unprocessable before any key is used. */
static enum sp_verdict cmd_prepare(const uint8_t *pkt, size_t len, enum sp_dialect d, const struct sp_keys *keys,
				   struct sp_frame *f, struct sp_command *cmd, struct sp_sec *s, struct sg_error *err)
{
	enum sp_verdict v;

	if (peek(pkt, len, d, &cmd->hdr, f, err) < 0)
		return SP_VERDICT_FORMAT;
	if (sp_spi1_check(cmd->hdr.spi[0], err) < 0)
		return SP_VERDICT_FORMAT;
	v = sp_sec_resolve(cmd->hdr.spi[0] & SP_SPI1_CHK_MASK, cmd->hdr.spi[0] & SP_SPI1_CIPHER, cmd->hdr.kic,
			   cmd->hdr.kid, s, err);
	if (v != SP_VERDICT_OK)
		return v;
	if (f->hl != SP_CMD_FIXED_HDR + s->chk_len) {
		sg_err(err, "packet: CHL %u does not match the SPI and KID (CHL %zu expected)", f->hl,
		       SP_CMD_FIXED_HDR + s->chk_len);
		return SP_VERDICT_FORMAT;
	}
	/* Keys that do not fit the packet's algorithms: the receiver cannot process it (status 06). */
	if (sp_sec_keys_ok(s, keys, err) < 0)
		return SP_VERDICT_UNSUPPORTED;
	return SP_VERDICT_OK;
}

static enum sp_verdict cmd_check(const struct sp_sec *s, const struct sp_keys *keys, const uint8_t *plain,
				 const struct sp_frame *f, size_t len, struct sp_command *cmd, struct sg_error *err)
{
	size_t chk_off = f->body + 6, data_start = chk_off + s->chk_len;
	enum sp_verdict v;

	cmd->chk_len = s->chk_len;
	memcpy(cmd->chk, plain + chk_off, s->chk_len);
	v = sp_chk_verify(s, keys, plain, chk_off, plain, chk_off, len, "packet", err);
	if (v != SP_VERDICT_OK)
		return v;
	cmd->pcntr = plain[f->body + 5];
	if (cmd->pcntr > len - data_start) {
		sg_err(err, "pcntr: %u padding bytes, but only %zu bytes of secured data", cmd->pcntr,
		       len - data_start);
		return s->cipher ? SP_VERDICT_CIPHER : SP_VERDICT_FORMAT;
	}
	/* SPI2 only steers the PoR; judged once the checksum vouched for it, so a flipped bit reads as tampering. */
	if (sp_spi2_check(cmd->hdr.spi[1], err) < 0)
		return SP_VERDICT_FORMAT;
	cmd->hdr.cntr = sp_get_cntr(plain + f->body);
	cmd->cpl = (uint16_t)f->len_value;
	cmd->chl = f->hl;
	cmd->data = plain + data_start;
	cmd->data_len = len - data_start - cmd->pcntr;
	return SP_VERDICT_OK;
}

static enum sp_verdict command_verify(const uint8_t *pkt, size_t len, enum sp_dialect dialect,
				      const struct sp_keys *keys, struct sp_command *cmd, uint8_t *plain,
				      size_t plain_size, struct sg_error *err)
{
	struct sp_frame f;
	struct sp_sec s;
	enum sp_verdict v;

	memset(cmd, 0, sizeof(*cmd));
	v = cmd_prepare(pkt, len, dialect, keys, &f, cmd, &s, err);
	if (v == SP_VERDICT_OK)
		v = sp_open(&s, keys, pkt, len, f.body, plain, plain_size, "packet", err);
	if (v != SP_VERDICT_OK)
		return v;
	return cmd_check(&s, keys, plain, &f, len, cmd, err);
}

int sp_command_build(const struct sp_cmd_hdr *hdr, const uint8_t *data, size_t data_len, const struct sp_keys *keys,
		     enum sp_dialect dialect, uint8_t *out, size_t out_size, size_t *out_len, struct sg_error *err)
{
	int r = command_build(hdr, data, data_len, keys, dialect, out, out_size, out_len, err);

	ota_crypto_call_done();
	return r;
}

enum sp_verdict sp_command_verify(const uint8_t *pkt, size_t len, enum sp_dialect dialect, const struct sp_keys *keys,
				  struct sp_command *cmd, uint8_t *plain, size_t plain_size, struct sg_error *err)
{
	enum sp_verdict r = command_verify(pkt, len, dialect, keys, cmd, plain, plain_size, err);

	ota_crypto_call_done();
	return r;
}
