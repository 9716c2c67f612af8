/* Helpers every otactl command group shares: one-line error reports, JSON output, reading the hex operand. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "otasrv/otactl.h"

int otactl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("otactl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return OTACTL_USAGE;
}

int otactl_print_json(json_t *value)
{
	int rc;

	if (!value)
		return otactl_fail("out of memory building the JSON output");
	rc = json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(value);
	if (rc < 0 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
		return otactl_fail("cannot write to standard output");
	return OTACTL_OK;
}

static int read_stdin(const char *what, char *buf, size_t size)
{
	size_t n = fread(buf, 1, size, stdin);

	if (ferror(stdin))
		return otactl_fail("%s: cannot read standard input", what);
	if (n == size)
		return otactl_fail("%s: standard input longer than %zu characters", what, size - 1);
	buf[n] = '\0';
	/* A trailing newline (echo, a previous otactl) is not part of the hex. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return OTACTL_OK;
}

int otactl_operand(int argc, char **argv, const char *what, char *buf, size_t size)
{
	size_t used = 0;
	int i;

	if (argc == 0)
		return otactl_fail("%s: missing (give it as the last argument, or - to read standard input)", what);
	if (argc == 1 && !strcmp(argv[0], "-"))
		return read_stdin(what, buf, size);
	buf[0] = '\0';
	for (i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (used + len + 2 > size)
			return otactl_fail("%s: longer than %zu characters", what, size - 1);
		if (i > 0)
			buf[used++] = ' ';
		memcpy(buf + used, argv[i], len + 1);
		used += len;
	}
	return OTACTL_OK;
}
