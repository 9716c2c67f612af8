/* otactl, the operator CLI: the command-group handler type the dispatcher's table is made of, the exit codes every
 * group shares, and the few helpers all groups use to report errors and print JSON the same way. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Exit codes of every otactl command: 0 ok, 1 a check failed (bad MAC, counter refused), 2 usage or input error. */
enum otactl_exit {
	OTACTL_OK = 0,
	OTACTL_CHECK_FAILED = 1,
	OTACTL_USAGE = 2,
};

/* Options given before the group name (`otactl --json packet ...`); groups also accept them after their own. */
struct otactl_global {
	bool json;
};

/* A command group: argv[0] is the group's name, argv[1..] what follows it. Returns an enum otactl_exit value. */
typedef int (*otactl_group_fn)(int argc, char **argv, const struct otactl_global *global);

struct otactl_group {
	const char *name;
	otactl_group_fn run;
	const char *help; /* one line for `otactl --help` */
};

/* The groups. */
int otactl_packet(int argc, char **argv, const struct otactl_global *global);

/* Print "otactl: MESSAGE" as one line on stderr; returns OTACTL_USAGE so callers can `return otactl_fail(...)`. */
int otactl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a JSON value (indented, keys in insertion order) and a newline on stdout, then release it.
 * Returns 0, or OTACTL_USAGE with a message when the value could not be built or written. */
int otactl_print_json(json_t *value);

/* The hex operand of a command: the positional arguments joined with spaces (so "00 20 15 ..." may be pasted
 * unquoted), or standard input when the only operand is "-". Writes a NUL-terminated string into buf.
 * Returns 0, or OTACTL_USAGE with a message naming 'what'. */
int otactl_operand(int argc, char **argv, const char *what, char *buf, size_t size);
