/*
 * util.c - error reporting, bounded number parsing, allocation and the
 * growable buffer shared by every command.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

/* The running command's name and usage line, for every message. */
static const char *cur_name, *cur_usage;

void pmon_set_command(const char *name, const char *usage)
{
	cur_name = name;
	cur_usage = usage;
}

void pmon_command(const char **name, const char **usage)
{
	*name = cur_name;
	*usage = cur_usage;
}

static void vwarn_errno(int err, const char *fmt, va_list ap)
{
	fflush(stdout); /* keep stdout and stderr in order on one terminal */
	fputs("pmon: ", stderr);
	if (cur_name)
		fprintf(stderr, "%s: ", cur_name);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void pmon_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(0, fmt, ap);
	va_end(ap);
}

void pmon_warn_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(err, fmt, ap);
	va_end(ap);
}

void pmon_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(0, fmt, ap);
	va_end(ap);
	exit(status);
}

void pmon_die_errno(int status, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(err, fmt, ap);
	va_end(ap);
	exit(status);
}

const char *privilege_hint(int err)
{
	if (err != EPERM && err != EACCES)
		return "";
	if (geteuid() == 0)
		return " (even root is refused here: a security module or a"
		       " PID namespace boundary stands in the way)";
	return " (you need to own the process, or run as root or with"
	       " CAP_KILL/CAP_SYS_PTRACE)";
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s || (*s != '-' && *s != '+' && (*s < '0' || *s > '9'))) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int parse_pid(const char *s, pid_t *out)
{
	long v;

	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	if (parse_long(s, 1, INT_MAX, &v) < 0)
		return -1;
	*out = (pid_t)v;
	return 0;
}

double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static _Noreturn void out_of_memory(size_t n)
{
	pmon_die(EXIT_FAIL, "out of memory (asked for %zu bytes)", n);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		out_of_memory(nmemb * size);
	return p;
}

/*
 * A one-shot pmon has to fault in every page of the process table it
 * reads: with the BPF backend a pass (1.6 MB at 10,000 processes), its
 * index (0.5 MB) and the rows made from it (2.5 MB); from /proc the rows
 * (2.5 MB: 620 faults, 15 ms of the 170 of `pmon tree` here).  On the machine this was measured on (a PVM guest: a
 * fault is an exit to the host) the 4 KiB faults were half the CPU of
 * `pmon ps` with the pin: 72 ms, 39 ms with 2 MiB pages (medians of 11,
 * 10,000 processes, load ~500; in a loop without the rest of pmon:
 * decode 1.1 -> 0.5 ms, fill 1.9 -> 0.8 ms).  Measured there again
 * (bench/README.md): a 4 KiB fault costs 24 us of CPU, a 2 MiB one with
 * its zeroing 0.3 ms; on bare metal about 1 us and 0.1 ms.  So from
 * 256 KiB (64 small faults: 1.5 ms here, 64 us on metal) one huge page
 * costs about as much as the small ones on metal and far less here.
 * The first threshold, 2 MiB, left a pass at 10,000 processes (1.8 MB
 * asked for) in 440 small faults: 10 ms, a fifth of a one-shot `pmon
 * tree`.
 */
enum { BIG_MIN = 256 * 1024 };

void *big_alloc(size_t bytes)
{
	const size_t huge = 2u << 20;
	size_t len = (bytes + huge - 1) / huge * huge;
	void *p;

	if (bytes < BIG_MIN || posix_memalign(&p, huge, len) != 0)
		return NULL;
	(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}

size_t big_size(size_t bytes)
{
	const size_t huge = 2u << 20;

	return bytes < BIG_MIN ? bytes : (bytes + huge - 1) / huge * huge;
}

void *xbig_calloc(size_t nmemb, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(nmemb, size, &bytes))
		out_of_memory(SIZE_MAX);
	p = big_alloc(bytes);
	if (!p)
		return xcalloc(nmemb, size);
	memset(p, 0, bytes);
	return p;
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	size_t bytes;

	if (size && nmemb > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	bytes = nmemb * size;
	p = realloc(p, bytes ? bytes : 1);
	if (!p)
		out_of_memory(bytes);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

void str_copy(char *dst, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

void buf_grow(struct buf *b, size_t more)
{
	size_t need;

	if (more > SIZE_MAX - 1 - b->len) /* overflow */
		out_of_memory(SIZE_MAX);
	need = b->len + more + 1;
	if (need <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < need)
		b->cap *= 2;
	b->data = xreallocarray(b->data, b->cap, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int finish_stdout(int status)
{
	int err = 0;

	if (fflush(stdout) != 0 || ferror(stdout))
		err = errno ? errno : EIO;
	if (fclose(stdout) != 0 && !err)
		err = errno;
	if (err && err != EPIPE) {
		pmon_warn_errno(err, "cannot write the output");
		return EXIT_FAIL;
	}
	return err == EPIPE ? EXIT_FAIL : status;
}

/* Names of uids, looked up once per run: NSS can be slow (LDAP). */
const char *uid_name(uid_t uid)
{
	static struct {
		uid_t uid;
		char *name;
	} *cache;
	static size_t n, cap;
	struct passwd *pw;
	char num[16];

	for (size_t i = 0; i < n; i++)
		if (cache[i].uid == uid)
			return cache[i].name;
	if (n == cap) {
		cap = cap ? 2 * cap : 16;
		cache = xreallocarray(cache, cap, sizeof(*cache));
	}
	pw = getpwuid(uid);
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	cache[n].uid = uid;
	cache[n].name = xstrdup(pw ? pw->pw_name : num);
	return cache[n++].name;
}

int self_caps(uint64_t *effective)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	*effective = (uint64_t)data[1].effective << 32 | data[0].effective;
	return 0;
}

int lookup_uid(const char *name, uid_t *uid)
{
	struct passwd *pw = getpwnam(name);
	long v;

	if (pw) {
		*uid = pw->pw_uid;
		return 0;
	}
	if (parse_long(name, 0, UINT32_MAX - 1, &v) == 0) {
		*uid = (uid_t)v;
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* ---- regular expressions --------------------------------------------------- */

/*
 * How many copies of its atoms an extended regular expression makes when
 * glibc compiles it, roughly: glibc copies the tree under a bound ({m,n}:
 * n copies) and under + (two), so stacked or nested repetitions multiply
 * ("x+++..." with 50 +, found by make fuzz, took over 2 GiB).  Copies of
 * an expression that may match nothing cost more than their number: here,
 * "a?" under 9, 10, 11 and 12 stacked + (512 to 4,096 copies) took 0.14,
 * 0.5, 2.5 and 14 s of CPU to compile, "x{9999}" nothing much.  No pattern
 * a person writes to pick processes comes near REGEX_COPIES_MAX; patterns
 * come from a terminal, a rules file or an option, so each is bounded.
 *
 * The number of copies is not enough: glibc's closure of the nodes that
 * match nothing explodes when such a node is repeated, above all beside
 * an anchor.  Within the bound, "^a????++++" (make fuzz) and
 * "xa?{2,9}{9}+y" ran for more than 15 minutes, "^" and 20 "a?+" 1.9 s,
 * 30 of them over 10 s.  So a repetition of what may match nothing ("a??",
 * "(a*)+", "(x|)*", "^*") is refused, and repetitions of repetitions
 * (stacked, which POSIX leaves undefined, or through groups) go at most
 * REGEX_DEPTH_MAX deep: every pattern so left, made of up to three of ?,
 * *, +, {2,9}, {0,9}, {9} and {1,40} stacked or grouped, alone, between
 * letters and beside ^, $ and |, compiled here in under 1.1 ms.
 */
#define REGEX_COPIES_MAX 500.0
#define REGEX_DEPTH_MAX 3

enum { NEST_MAX = 64 };

/* The factor of a repetition at p (its length into *len, whether it
 * may repeat nothing into *optional), 0 if none. */
static double repeat_factor(const char *p, size_t *len, bool *optional)
{
	char *end;
	long m, n;

	*len = 1;
	*optional = *p != '+';
	/* + is copied; ? and * add a node that may match nothing, which
	 * costs as much once they are stacked or nested ("o" under 30 ? and
	 * 4 + took over 5 s under the fuzzer): all count as two. */
	if (*p == '+' || *p == '*' || *p == '?')
		return 2;
	if (*p != '{')
		return 0;
	/* counts past RE_DUP_MAX are regcomp's to refuse; clamped here so
	 * that m + 1 cannot overflow (make fuzz: "{9223372036854775807,}") */
	m = strtol(p + 1, &end, 10);
	m = m < 0 ? 0 : m > RE_DUP_MAX ? RE_DUP_MAX : m;
	*optional = m == 0;
	n = *end == ',' ? (end[1] == '}' ? m + 1 : strtol(end + 1, &end, 10)) : m;
	n = n < 0 ? 0 : n > RE_DUP_MAX ? RE_DUP_MAX : n;
	if (*end == ',')
		end++;
	end = strchr(end, '}');
	if (!end)
		return 0; /* regcomp says what is wrong */
	*len = (size_t)(end - p) + 1;
	return (double)(n > m ? n : m) + 1;
}

/* The end of the bracket expression that starts at p ('['). */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']')
		p++;
	return *p ? p : p - 1;
}

/* Per nesting level: the copies made so far and by the last atom; how
 * deep repetitions go in the last atom and in any so far; whether the
 * last atom, the branch before it, and any finished branch may match
 * nothing. */
struct regex_level {
	double sum, last;
	int depth_last, depth_max;
	bool empty_last, empty_before, empty_branch;
};

static void regex_atom(struct regex_level *l, double copies, int depth, bool empty)
{
	l->empty_before = l->empty_before && l->empty_last;
	l->last = copies;
	l->sum += copies;
	l->depth_last = depth;
	l->empty_last = empty;
}

/* A new level (a group, or the whole pattern): an empty branch so far. */
static void regex_open(struct regex_level *l)
{
	*l = (struct regex_level){.empty_last = true, .empty_before = true};
}

static bool regex_too_costly(const char *re)
{
	struct regex_level lv[NEST_MAX + 1];
	int d = 0;

	regex_open(&lv[0]);
	for (const char *p = re; *p; p++) {
		size_t len;
		bool optional;
		double f = repeat_factor(p, &len, &optional);
		struct regex_level *l = &lv[d];

		if (f > 0 && p != re) {
			if (l->empty_last)
				return true; /* a repetition of what may match nothing */
			l->sum += l->last * (f - 1);
			l->last *= f;
			l->depth_last++;
			l->empty_last = optional;
			p += len - 1;
		} else if (*p == '(' && d < NEST_MAX) {
			regex_open(&lv[++d]);
			continue;
		} else if (*p == ')' && d > 0) {
			struct regex_level *in = l;
			bool empty = in->empty_branch || (in->empty_before && in->empty_last);

			l = &lv[--d];
			regex_atom(l, in->sum ? in->sum : 1, in->depth_max, empty);
		} else if (*p == '|') {
			l->empty_branch = l->empty_branch || (l->empty_before && l->empty_last);
			l->empty_before = l->empty_last = true;
		} else {
			/* ^ and $ match nothing but a place */
			bool empty = *p == '^' || *p == '$';

			if (*p == '\\' && p[1])
				p++;
			else if (*p == '[')
				p = bracket_end(p);
			regex_atom(l, 1, 0, empty);
		}
		if (l->depth_last > l->depth_max)
			l->depth_max = l->depth_last;
		if (l->sum > REGEX_COPIES_MAX || l->last > REGEX_COPIES_MAX ||
		    l->depth_max > REGEX_DEPTH_MAX)
			return true;
	}
	return false;
}

int regex_compile(regex_t *re, const char *pattern, int flags, char *why,
		  size_t why_size)
{
	int rc;

	if (regex_too_costly(pattern)) {
		snprintf(why, why_size, "its repetitions would make more than %.0f"
			 " copies, go more than %d deep, or repeat what may match"
			 " nothing (as (a?)+ or a*? do)", REGEX_COPIES_MAX,
			 REGEX_DEPTH_MAX);
		return -1;
	}
	rc = regcomp(re, pattern, flags);
	if (rc != 0) {
		regerror(rc, re, why, why_size);
		return -1;
	}
	return 0;
}

/* How many bytes of s to keep so as to keep at most max without cutting
 * a UTF-8 character in two (s has more than max). */
size_t utf8_cut(const char *s, size_t max)
{
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}
