/* libFuzzer target for the response packet (PoR) decoder (sending entity): input = selector byte (dialect, AES key
 * sizes, see secured_packet_keys.h), the command's SPI2, KIc, KID and 5-byte counter, then the PoR. The command's
 * TAR is taken from the PoR so that echoes can match. Whatever verifies must survive a rebuild and a second pass. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secured_packet_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void rebuild(const struct sp_cmd_hdr *cmd, const struct sp_response *rsp, const struct sp_keys *keys,
		    enum sp_dialect d)
{
	static uint8_t out[SP_MAX_PACKET], plain[SP_MAX_PACKET];
	struct sp_response again;
	struct sg_error err;
	bool ok;
	size_t n;

	/* a PoR without the checksum SPI2 asks is an unsecured one; anything else is rebuilt as SPI2 asks */
	bool unsecured = rsp->chk_len == 0 && (cmd->spi[1] & SP_SPI2_POR_CHK_MASK);

	if (sp_response_build(cmd, rsp->status, rsp->data, rsp->data_len, keys, d, unsecured, out, sizeof(out), &n,
			      &err) < 0)
		return;
	if (sp_response_verify(out, n, cmd, keys, d, &again, &ok, plain, sizeof(plain), &err) != SP_VERDICT_OK ||
	    again.status != rsp->status || again.data_len != rsp->data_len ||
	    memcmp(again.data, rsp->data, rsp->data_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t plain[SP_MAX_PACKET + 64];
	struct sp_cmd_hdr cmd = { { 0x00, 0x00 }, 0, 0, { 0 }, 0 };
	struct sp_response rsp;
	struct sp_keys keys;
	struct sg_error err = { "" };
	enum sp_dialect d;
	enum sp_verdict v;
	const uint8_t *por;
	size_t len, off, i;
	bool ok;

	if (size < 9 || size > sizeof(plain))
		return 0;
	d = data[0] & 1 ? SP_DIALECT_USSD : SP_DIALECT_SMS;
	cmd.spi[0] = 0x16;
	cmd.spi[1] = data[1];
	cmd.kic = data[2];
	cmd.kid = data[3];
	for (i = 4; i < 9; i++)
		cmd.cntr = cmd.cntr << 8 | data[i];
	por = data + 9;
	len = size - 9;
	/* TAR right after [RPI] RPL RHL */
	off = d == SP_DIALECT_SMS ? 3 : 1 + (len > 1 && por[1] == 0x81 ? 2 : len > 1 && por[1] == 0x82 ? 3 : 1) + 1;
	if (len >= off + 3)
		memcpy(cmd.tar, por + off, 3);
	fz_keys(&keys, data[0], cmd.kic, cmd.kid);
	v = sp_response_verify(por, len, &cmd, &keys, d, &rsp, &ok, plain, sizeof(plain), &err);
	if (v != SP_VERDICT_OK) {
		if (!err.msg[0] || ok)
			abort();
		return 0;
	}
	if ((rsp.data_len && (rsp.data < plain || rsp.data + rsp.data_len > plain + len)) || rsp.chk_len > 8 ||
	    (ok && !rsp.chk_len))
		abort();
	rebuild(&cmd, &rsp, &keys, d);
	return 0;
}
