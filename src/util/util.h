/*
 * util.h - the bottom layer, shared by every other: exit statuses, error
 * reporting, bounded number parsing, allocation and a growable buffer.
 */
#ifndef PMON_UTIL_H
#define PMON_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <regex.h>

#ifndef PMON_VERSION
#define PMON_VERSION "0.0.0-dev"
#endif

/* Exit statuses, the same for every command (see EXIT STATUS in pmon(1)). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* a runtime failure: the command could not do its job */
	EXIT_USAGE = 2, /* the command line was wrong; nothing was done */
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/*
 * Errors.  Every message goes to stderr as "pmon: CMD: message" where CMD
 * is the running command, which the dispatcher names with
 * pmon_set_command (with its usage line, for usage_error).  The _errno
 * variants append ": strerror(err)", so callers only say what they tried.
 */
void pmon_set_command(const char *name, const char *usage);
/* What pmon_set_command was last told (NULLs before). */
void pmon_command(const char **name, const char **usage);

void pmon_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
void pmon_warn_errno(int err, const char *fmt, ...) PRINTF_LIKE(2, 3);
_Noreturn void pmon_die(int status, const char *fmt, ...) PRINTF_LIKE(2, 3);
_Noreturn void pmon_die_errno(int status, int err, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
/* A hint for EPERM/EACCES that names the privilege that is missing. */
const char *privilege_hint(int err);

/*
 * Bounded number parsing (sbase's estrtonum): the whole string must be a
 * decimal number within [min, max]: 0, or -1 with errno EINVAL (not a
 * number) or ERANGE (out of bounds).  (cmd/usage.h's estrtonum makes
 * either a usage error.)
 */
int parse_long(const char *s, long min, long max, long *out);
/* A PID: decimal digits only (no sign, no space), 1 to INT_MAX; 0 or -1
 * as parse_long. */
int parse_pid(const char *s, pid_t *out);
/* The name of a uid (or the uid as text), looked up once per run and
 * kept until exit (NSS can take seconds under LDAP).  Not thread-safe. */
const char *uid_name(uid_t uid);
/* Resolve a user name or numeric uid; -1 with errno ENOENT if unknown. */
int lookup_uid(const char *name, uid_t *uid);

/* pmon's effective capability set, bit N for capability N (CAP_KILL is
 * 5): 0, or -1 when the kernel will not say (capget(2)). */
int self_caps(uint64_t *effective);

/* Seconds on the monotonic clock: for intervals and deadlines. */
double mono_now(void);

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* How many bytes of s to keep so as to keep at most max without cutting
 * a UTF-8 character in two (s has more than max). */
size_t utf8_cut(const char *s, size_t max);
/* s into dst, cut to size - 1 bytes and always ended (size > 0): what
 * snprintf(dst, size, "%s", s) does, at a tenth of its cost, for the
 * copies made once a process a refresh. */
void str_copy(char *dst, size_t size, const char *s);
/* Room for bytes (uninitialised, for free()) in 2 MiB pages when at
 * least 256 KiB is asked for (transparent huge pages, madvise): NULL
 * below that, or when it cannot be had.  For the arrays of a whole
 * process table (see util.c for why).  big_size: the room it gives. */
void *big_alloc(size_t bytes);
size_t big_size(size_t bytes);
/* Like xcalloc, in 2 MiB pages where big_alloc gives them. */
void *xbig_calloc(size_t nmemb, size_t size);

/* A growable byte buffer; data is always NUL-terminated. */
struct buf {
	char *data;
	size_t len, cap;
};

/* Room for more bytes and the NUL: the growing, out of line. */
void buf_grow(struct buf *b, size_t more);

/* Inline, these and buf_putc: a top frame at 10,000 processes makes some
 * 600,000 appends (cells, the gaps between them, digits); as calls,
 * buf_putc was 10% of BPF top -b's user-space instructions and
 * buf_reserve 6% (callgrind). */
static inline void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 > b->cap || b->len + more + 1 < b->len)
		buf_grow(b, more);
}

static inline void buf_append(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void buf_putc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

static inline void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
static inline void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b);

/*
 * Flush and close stdout, reporting a write error (a full disk, a closed
 * pipe) instead of exiting 0 after losing output.  Returns the status the
 * command should exit with, given the status it wanted.
 */
int finish_stdout(int status);

/* write(2) all of p[0..n) to fd, again after EINTR and a short write.
 * 0, or -1 with errno. */
int write_all(int fd, const void *p, size_t n);

/* regcomp(3), after refusing a pattern whose repetitions (stacked +,
 * nested bounds) would make glibc build more than 500 copies of its
 * parts: one such filter took over 2 GiB.  0, or -1 with the reason in
 * why. */
int regex_compile(regex_t *re, const char *pattern, int flags, char *why,
		  size_t why_size);

#endif
