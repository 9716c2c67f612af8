/* libFuzzer target for the command packet decoder (receiving entity): peek, then verify with fixed keys
 * (secured_packet_keys.h; first input byte = dialect and AES key sizes, the rest is the packet). Whatever verifies
 * must describe itself consistently and survive a rebuild and a second verification. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secured_packet_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void rebuild(const struct sp_command *cmd, const struct sp_keys *keys, enum sp_dialect d)
{
	static uint8_t out[SP_MAX_PACKET], plain[SP_MAX_PACKET];
	struct sp_command again;
	struct sg_error err;
	size_t n;

	/* a packet whose PoR request the card could not secure verifies, but is refused when built */
	if (sp_command_build(&cmd->hdr, cmd->data, cmd->data_len, keys, d, out, sizeof(out), &n, &err) < 0)
		return;
	if (sp_command_verify(out, n, d, keys, &again, plain, sizeof(plain), &err) != SP_VERDICT_OK ||
	    again.hdr.cntr != cmd->hdr.cntr || again.data_len != cmd->data_len ||
	    memcmp(again.data, cmd->data, cmd->data_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t plain[SP_MAX_PACKET + 64];
	struct sp_cmd_hdr hdr;
	struct sp_command cmd;
	struct sp_keys keys;
	struct sg_error err = { "" };
	enum sp_dialect d;
	enum sp_verdict v;

	if (size < 1 || size > sizeof(plain))
		return 0;
	d = data[0] & 1 ? SP_DIALECT_USSD : SP_DIALECT_SMS;
	if (sp_command_peek(data + 1, size - 1, d, &hdr, &err) < 0) {
		if (!err.msg[0] || sp_command_verify(data + 1, size - 1, d, NULL, &cmd, plain, sizeof(plain), &err) !=
					   SP_VERDICT_FORMAT)
			abort();
		return 0;
	}
	fz_keys(&keys, data[0], hdr.kic, hdr.kid);
	v = sp_command_verify(data + 1, size - 1, d, &keys, &cmd, plain, sizeof(plain), &err);
	if (v != SP_VERDICT_OK) {
		if (!err.msg[0])
			abort();
		return 0;
	}
	if (cmd.data < plain || cmd.data + cmd.data_len > plain + size - 1 || cmd.chk_len > 8 ||
	    cmd.cpl + 1 + (d == SP_DIALECT_USSD) > size - 1 || cmd.hdr.cntr > SP_CNTR_MAX ||
	    memcmp(cmd.hdr.tar, hdr.tar, 3) || cmd.hdr.kic != hdr.kic)
		abort();
	rebuild(&cmd, &keys, d);
	return 0;
}
