/*
 * usage.h - the errors of a command line, and the parsers of option
 * values that end in one.  A usage error is "pmon: CMD: message" with the
 * message escaped (usage.c says why), then the command's usage line and
 * a pointer to its help, and exit 2.  Arguments are passed raw.
 */
#ifndef PMON_CMD_USAGE_H
#define PMON_CMD_USAGE_H

#include <stddef.h>
#include <sys/types.h>

#include "util/util.h"

_Noreturn void usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* What was typed (a path that cannot be opened), escaped as usage_error
 * escapes what it quotes, into out: for the other messages that quote
 * it.  Returns out. */
const char *usage_quote(const char *s, char *out, size_t size);

/* For getopt_long's ':' and '?' (commands pass an optstring starting with
 * ':'): "option -x needs a value" or "unknown option", as a usage error. */
_Noreturn void usage_bad_option(int c, char **argv);

/* parse_long and parse_pid (util.h), a bad value a usage error that
 * names the option (`what`), or "PID '+1' is not a number". */
long estrtonum(const char *s, long min, long max, const char *what);
pid_t estrtopid(const char *s);

/* -p PIDS ("1,2,3" or "1 2") and -u USERS may be given more than once:
 * each list is added to the array (*n entries so far) the earlier ones
 * made.  A bad or empty entry ("1,,2", "1,") or an unknown user is a
 * usage error. */
void add_pid_list(const char *s, pid_t **pids, size_t *n);
void add_user_list(const char *s, uid_t **uids, size_t *n);

#endif
