/* libFuzzer target for the ota-server's JSON request reading: body parsing (size, duplicates, top-level object),
 * the field table check, and for bodies that pass, the anti-theft parameter checks and the command encoder the
 * values end up in. Invariant: whatever passes the checks encodes within the buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otasrv/antitheft.h"
#include "otasrv/commands.h"
#include "otasrv/json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode(json_t *body)
{
	struct osv_at_params p = { .origin = OSV_AT_ORIGIN_OWNER, .tone = -1 };
	const char *cmd = json_string_value(json_object_get(body, "command"));
	const char *v;
	uint8_t out[512];
	struct sg_error err;

	if ((v = json_string_value(json_object_get(body, "message"))))
		strncpy(p.message, v, sizeof(p.message) - 1);
	if ((v = json_string_value(json_object_get(body, "contact"))))
		strncpy(p.contact, v, sizeof(p.contact) - 1);
	if (json_is_integer(json_object_get(body, "duration")))
		p.duration = (int)json_integer_value(json_object_get(body, "duration"));
	if (json_is_integer(json_object_get(body, "tone")))
		p.tone = (int)json_integer_value(json_object_get(body, "tone"));
	p.proof = json_object_get(body, "secret") != NULL;
	if (osv_at_params_check(&p, &err) == 0 && osv_at_verb(cmd) &&
	    osv_at_encode(osv_at_verb(cmd), 1, 1, &p, out, sizeof(out), &err) < 0)
		abort(); /* checked values must always encode */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[200];
	json_t *body = osv_json_body((const char *)data, size, 65536, why, sizeof(why));

	if (!body) {
		if (!why[0])
			abort();
		return 0;
	}
	if (osv_json_check(body, osv_command_fields, why, sizeof(why)) == 0)
		encode(body);
	else if (!why[0])
		abort();
	json_decref(body);
	return 0;
}
