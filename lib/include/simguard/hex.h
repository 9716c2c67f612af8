/* Hex strings <-> bytes, for CLIs, logs of non-secret data and tests. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

/* Parse hex (upper or lower case; spaces allowed between byte pairs). Returns the byte count, or -1 with err
 * naming 'what' and the problem (odd number of digits, a non-hex character at position N, too long). */
long sg_hex_decode(const char *hex, uint8_t *out, size_t out_size, const char *what, struct sg_error *err);

/* Write 2*len upper-case hex digits and a NUL into out (out_size >= 2*len+1). Returns out. */
char *sg_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size);
