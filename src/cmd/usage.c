/*
 * usage.c - the errors of a command line: a message, the usage line and
 * a pointer to the help, exit 2; and the parsers of option values that
 * end in one (numbers, PIDs, users).
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/usage.h"
#include "view/escape.h"

static bool utf8_locale(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

const char *usage_quote(const char *s, char *out, size_t size)
{
	return esc_string_message(s, utf8_locale(), out, size);
}

/* The message, escaped: it quotes what was typed ("unknown field 'x'"),
 * and a command line can carry an escape sequence for the terminal that
 * shows the error (a script passing on what it was given).  The one
 * escaping choke point (view/escape.c) sees it once, here: callers pass
 * arguments raw.  A backslash stays one: "bad pattern '\d+(': Unmatched
 * ( or \(" reads as typed and as regerror wrote it. */
void usage_error(const char *fmt, ...)
{
	struct buf raw = {0}, shown = {0};
	const char *cur_name, *cur_usage;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	esc_append_message(&shown, raw.data, raw.len, utf8_locale());
	pmon_warn("%s", shown.data);
	pmon_command(&cur_name, &cur_usage);
	if (cur_name) {
		fprintf(stderr, "usage: pmon %s %s\n", cur_name, cur_usage);
		fprintf(stderr, "Try 'pmon help %s' for more information.\n",
			cur_name);
	} else {
		fputs("Try 'pmon --help' for more information.\n", stderr);
	}
	exit(EXIT_USAGE);
}

void usage_bad_option(int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		usage_error("option '%s' needs a value", arg);
	/* A long option given a value it does not take ("--help=x") comes
	 * back with optopt set to its short letter: name it as written. */
	if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') && optopt)
		usage_error("option '%.*s' takes no value", (int)strcspn(arg, "="), arg);
	if (optopt && strncmp(arg, "--", 2) != 0)
		usage_error("unknown option '-%c'", optopt);
	usage_error("unknown option '%s'", arg);
}

long estrtonum(const char *s, long min, long max, const char *what)
{
	long v;

	if (parse_long(s, min, max, &v) == 0)
		return v;
	if (errno == ERANGE)
		usage_error("%s '%s' is out of range (%ld to %ld)", what, s,
			    min, max);
	usage_error("%s '%s' is not a number", what, s);
}

pid_t estrtopid(const char *s)
{
	pid_t pid;

	if (parse_pid(s, &pid) == 0)
		return pid;
	if (errno == ERANGE)
		usage_error("PID '%s' is out of range (1 to %d)", s, INT_MAX);
	usage_error("PID '%s' is not a number", s);
}

/* Append the PIDs of one comma-separated field ("12" or "12 13") to
 * *pids; returns how many the field held. */
static size_t parse_pid_field(char *field, pid_t **pids, size_t *n,
			      size_t *cap)
{
	size_t before = *n;
	char *save = NULL, *tok;

	for (tok = strtok_r(field, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 8;
			*pids = xreallocarray(*pids, *cap, sizeof(**pids));
		}
		(*pids)[(*n)++] = estrtopid(tok);
	}
	return *n - before;
}

void add_pid_list(const char *s, pid_t **pids, size_t *n)
{
	size_t cap = *n;
	char *copy, *rest, *field;

	if (s[strspn(s, " ")] == '\0')
		usage_error("--pid needs a list of PIDs, as in --pid 1,2,3");
	copy = rest = xstrdup(s);
	/* strsep, not strtok: "1,,2" and "1," must not pass for "1,2". */
	while ((field = strsep(&rest, ",")))
		if (parse_pid_field(field, pids, n, &cap) == 0)
			usage_error("--pid '%s' has an empty entry; separate PIDs "
				    "with single commas, as in --pid 1,2,3", s);
	free(copy);
}

void add_user_list(const char *s, uid_t **uids, size_t *n)
{
	char *copy, *rest, *name;

	if (!*s)
		usage_error("--user needs a list of users, as in --user root,www-data");
	copy = rest = xstrdup(s);
	/* strsep, as for PIDs: "root,,www" must not pass for "root,www". */
	while ((name = strsep(&rest, ","))) {
		if (!*name)
			usage_error("--user '%s' has an empty entry; separate users "
				    "with single commas", s);
		*uids = xreallocarray(*uids, *n + 1, sizeof(uid_t));
		if (lookup_uid(name, &(*uids)[*n]) < 0)
			usage_error("no such user '%s'", name);
		++*n;
	}
	free(copy);
}

