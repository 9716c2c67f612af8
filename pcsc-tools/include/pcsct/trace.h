/* APDU traces on the terminal side (simtool -v, handset-sim --trace) with secrets blanked, whatever the card:
 * PIN and ADM values in VERIFY / CHANGE / DISABLE / ENABLE / UNBLOCK PIN, everything AUTHENTICATE returns but its
 * tag (RES, CK, IK, Kc), and the user data key the anti-theft applet hands out (ENVELOPE CF). Response data that
 * comes by GET RESPONSE is judged by the command that produced it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pcsct_tracer {
	FILE *out; /* where lines go; NULL: through the callback below */
	void (*line)(void *arg, const char *text);
	void *arg;
	int secret_pending; /* how secret the last command's answer is, also when it comes by GET RESPONSE */
};

/* A pcsct_trace_cb: arg is a struct pcsct_tracer. Prints "> CMD" and "< RSP" with secrets replaced by "**". */
void pcsct_trace_redacted(void *arg, const uint8_t *cmd, size_t cmd_len, const uint8_t *rsp, size_t rsp_len);
