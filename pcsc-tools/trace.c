/* Redacted APDU traces (see trace.h). */
#include <string.h>

#include "pcsct/card_access.h"
#include "pcsct/trace.h"

#define ENV_USER_DATA_KEY 0xCF

/* How much of the command's answer is secret: 0 nothing; 1 everything; 2 all but the first byte (AUTHENTICATE
 * keeps its DB success / DC sync failure tag readable). */
static int secret_answer(const uint8_t *cmd, size_t len)
{
	if (len >= 4 && cmd[1] == APDU_INS_AUTHENTICATE)
		return 2;
	return len >= 6 && cmd[1] == APDU_INS_ENVELOPE && cmd[5] == ENV_USER_DATA_KEY ? 1 : 0;
}

/* Hex of b, with bytes from 'from' on shown as "**". */
static void hex_masked(char *out, size_t size, const uint8_t *b, size_t len, size_t from, size_t to)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 3 <= size; i++, n += 2) {
		if (i >= from && i < to)
			memcpy(out + n, "**", 2);
		else
			snprintf(out + n, 3, "%02X", b[i]);
	}
	out[n] = '\0';
}

static void emit(struct pcsct_tracer *t, char prefix, const char *hex)
{
	char text[2 * PCSCT_RAW_MAX + 8];

	snprintf(text, sizeof(text), "%c %s", prefix, hex);
	if (t->out)
		fprintf(t->out, "%s\n", text);
	else if (t->line)
		t->line(t->arg, text);
}

void pcsct_trace_redacted(void *arg, const uint8_t *cmd, size_t cmd_len, const uint8_t *rsp, size_t rsp_len)
{
	struct pcsct_tracer *t = arg;
	char hex[2 * PCSCT_RAW_MAX + 1];
	bool get_response = cmd_len >= 2 && cmd[1] == APDU_INS_GET_RESPONSE;
	int secret;

	hex_masked(hex, sizeof(hex), cmd, cmd_len, apdu_carries_pin(cmd, cmd_len) ? 5 : cmd_len, cmd_len);
	emit(t, '>', hex);
	secret = get_response ? t->secret_pending : secret_answer(cmd, cmd_len);
	if (!get_response)
		t->secret_pending = secret;
	if (!secret || rsp_len <= 2)
		hex_masked(hex, sizeof(hex), rsp, rsp_len, rsp_len, rsp_len);
	else
		hex_masked(hex, sizeof(hex), rsp, rsp_len, secret == 2 ? 1 : 0, rsp_len - 2);
	emit(t, '<', hex);
}
