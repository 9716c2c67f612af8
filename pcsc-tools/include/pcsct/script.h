/* APDU script files in the format of pcsc-tools' scriptor: one command APDU per line in hex (with or without
 * spaces between bytes), a trailing '\' continues the command on the next line, '#' starts a comment line,
 * "reset" resets the card, "exit" ends the script; blank lines are skipped. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "simguard/apdu.h"
#include "simguard/sg_error.h"

enum pcsct_step_kind {
	PCSCT_STEP_APDU,
	PCSCT_STEP_RESET,
};

struct pcsct_step {
	enum pcsct_step_kind kind;
	unsigned int line; /* line where the step starts, 1-based */
	uint8_t apdu[APDU_SHORT_MAX];
	size_t len;
};

struct pcsct_script {
	struct pcsct_step *steps; /* talloc array */
	size_t n;
};

/* Parse a script text of len bytes (no NUL needed). Steps are a talloc child of ctx. A line that is neither a
 * keyword nor hex, an odd number of digits, a command shorter than 4 or longer than a short APDU, or a
 * continuation running into the end of the file is an error naming the line. Returns 0 or -1 with err. */
int pcsct_script_parse(void *ctx, const char *text, size_t len, struct pcsct_script *s, struct sg_error *err);
