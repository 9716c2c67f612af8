/* libFuzzer target for the text formats pcsc-tools reads from outside: scriptor APDU scripts, replayed-card files
 * and user answer files. The first input byte picks the parser; whatever they accept must be self-consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/answers.h"
#include "pcsct/replay.h"
#include "pcsct/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void script(void *ctx, const char *text, size_t len)
{
	struct pcsct_script s;
	struct sg_error err;
	size_t i;

	if (pcsct_script_parse(ctx, text, len, &s, &err) < 0) {
		if (!err.msg[0] || s.n)
			abort();
		return;
	}
	for (i = 0; i < s.n; i++)
		if (s.steps[i].kind == PCSCT_STEP_APDU && (s.steps[i].len < 4 || s.steps[i].len > APDU_SHORT_MAX))
			abort();
}

static void replay(void *ctx, const char *text, size_t len)
{
	struct pcsct_replay r;
	struct sg_error err;
	size_t i;

	if (pcsct_replay_parse(ctx, text, len, &r, &err) < 0) {
		if (!err.msg[0])
			abort();
		return;
	}
	for (i = 0; i < r.n; i++) {
		if (!r.items[i].has_answer || (!r.items[i].mute && r.items[i].rsp_len < 2))
			abort();
		/* a pattern without wildcards matches its own bytes */
		if (!memchr(r.items[i].any, 1, r.items[i].cmd_len) &&
		    !pcsct_replay_match(&r.items[i], r.items[i].cmd, r.items[i].cmd_len))
			abort();
	}
}

static void answers(void *ctx, const char *text, size_t len)
{
	struct pcsct_answers as;
	struct pcsct_answer a;
	struct sg_error err;
	size_t i;

	if (pcsct_answers_parse(ctx, text, len, &as, &err) < 0) {
		if (!err.msg[0])
			abort();
		return;
	}
	for (i = 0; i <= as.n; i++) {
		pcsct_answers_next(&as, &a);
		if (a.kind == PCSCT_ANS_TEXT && strlen(a.text) >= sizeof(a.text))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *ctx;

	if (size < 1)
		return 0;
	ctx = talloc_new(NULL);
	switch (data[0] % 3) {
	case 0:
		script(ctx, (const char *)data + 1, size - 1);
		break;
	case 1:
		replay(ctx, (const char *)data + 1, size - 1);
		break;
	default:
		answers(ctx, (const char *)data + 1, size - 1);
		break;
	}
	talloc_free(ctx);
	return 0;
}
