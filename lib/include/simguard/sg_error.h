/* Error reports for codecs: one line naming the field and the problem, e.g. "kic-key: 3DES needs 16 or 24 bytes". */
#pragma once

#include <stddef.h>

struct sg_error {
	char msg[160];
};

/* Format into err (if err is not NULL) and return -1, so callers can write `return sg_err(err, "...", ...);` */
int sg_err(struct sg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
