/*
 * field.c - the field registry (see field.h).
 */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "view/escape.h"
#include "view/field.h"

#define HAVE(p, item) (((p)->have & (item)) == (item))
#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* ---- text without printf ------------------------------------------------- */

/*
 * A batch frame of top at 10,000 processes formats 50,000 numbers, and
 * vfprintf was a fifth of pmon's own CPU time (measured), so numbers are
 * written right to left into a small buffer instead.
 */
static void put_uint(struct buf *o, unsigned long long v)
{
	char tmp[24], *end = tmp + sizeof(tmp), *s = end;

	do
		*--s = (char)('0' + v % 10);
	while (v /= 10);
	buf_append(o, s, (size_t)(end - s));
}

static void put_int(struct buf *o, long long v)
{
	if (v < 0) {
		buf_putc(o, '-');
		put_uint(o, (unsigned long long)-v);
	} else {
		put_uint(o, (unsigned long long)v);
	}
}

static void put_2digits(struct buf *o, unsigned long long v)
{
	buf_putc(o, (char)('0' + v / 10 % 10));
	buf_putc(o, (char)('0' + v % 10));
}

/* One decimal, rounded half up as printf's %.1f does for these values. */
static void put_tenths(struct buf *o, double v)
{
	unsigned long long t = v > 0 ? (unsigned long long)(v * 10 + 0.5) : 0;

	put_uint(o, t / 10);
	buf_putc(o, '.');
	buf_putc(o, (char)('0' + t % 10));
}

static long clock_hz(void)
{
	static long hz;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	return hz;
}

json_t *json_text(const char *s)
{
	struct buf b = {0};
	json_t *j;

	if (!s)
		return json_null();
	utf8_sanitize(&b, s, strlen(s));
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return j ? j : json_null();
}

static int strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* ---- the fields ------------------------------------------------------------ */

/*
 * Most fields are a number of struct proc behind one item: INT_FIELD
 * makes the three functions of such a field from the expression that
 * reads it.  The others are written out.
 */
#define INT_FIELD(name, item, expr)                                           \
	static void name##_text(const struct proc *p, struct buf *o)         \
	{                                                                     \
		if (HAVE(p, item))                                            \
			put_int(o, (long long)(expr));                        \
		else                                                          \
			buf_putc(o, '-');                                     \
	}                                                                     \
	static json_t *name##_json(const struct proc *p)                      \
	{                                                                     \
		return HAVE(p, item) ? json_integer((json_int_t)(expr))       \
				     : json_null();                           \
	}                                                                     \
	static int name##_cmp(const struct proc *a, const struct proc *b)    \
	{                                                                     \
		const struct proc *p = a;                                     \
		long long x = (long long)(expr);                              \
		p = b;                                                        \
		return CMP(x, (long long)(expr));                             \
	}

INT_FIELD(pid, 0, p->pid)
INT_FIELD(ppid, PI_PPID, p->ppid)
INT_FIELD(uid, PI_UID, p->uid)
INT_FIELD(threads, PI_THREADS, p->threads)
INT_FIELD(nice, PI_NICE, p->nice)
INT_FIELD(pri, PI_NICE, p->priority)
INT_FIELD(pgrp, PI_STAT, p->pgrp)
INT_FIELD(session, PI_STAT, p->session)
INT_FIELD(tpgid, PI_STAT, p->tpgid)
INT_FIELD(rss, PI_RSS, p->rss_kb)
INT_FIELD(vsz, PI_MEM, p->vsize_kb)
INT_FIELD(shr, PI_MEM, p->shared_kb)
INT_FIELD(start, PI_START, p->start_time)
INT_FIELD(io_read, PI_IO, p->io_read_bytes)
INT_FIELD(io_write, PI_IO, p->io_write_bytes)
INT_FIELD(oom, PI_OOM, p->tail ? p->tail->oom_score : 0)
INT_FIELD(oom_adj, PI_OOM, p->tail ? p->tail->oom_adj : 0)

/* elapsed: [[DD-]hh:]mm:ss as ps's etime */
static void elapsed_text(const struct proc *p, struct buf *o)
{
	char s[32];

	if (!HAVE(p, PI_START)) {
		buf_putc(o, '-');
		return;
	}
	format_elapsed(p->elapsed_s, s, sizeof(s));
	buf_puts(o, s);
}
static json_t *elapsed_json(const struct proc *p) { return HAVE(p, PI_START) ? json_integer(p->elapsed_s) : json_null(); }
static int elapsed_cmp(const struct proc *a, const struct proc *b) { return CMP(a->elapsed_s, b->elapsed_s); }

/* started: the local date and time */
static void started_text(const struct proc *p, struct buf *o)
{
	struct tm tm;
	char s[32];

	if (!HAVE(p, PI_START) || !localtime_r(&p->start_time, &tm) ||
	    !strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(s, sizeof(s), "-");
	buf_puts(o, s);
}

/* state and STAT */
static void state_text(const struct proc *p, struct buf *o) { buf_putc(o, HAVE(p, PI_STATE) && p->state ? p->state : '-'); }
static json_t *state_json(const struct proc *p)
{
	char s[2] = {p->state, '\0'};

	return HAVE(p, PI_STATE) && p->state ? json_string(s) : json_null();
}
static int state_cmp(const struct proc *a, const struct proc *b) { return CMP(a->state, b->state); }

static void stat_text(const struct proc *p, struct buf *o) { buf_puts(o, HAVE(p, PI_STAT) ? p->stat : "-"); }
static json_t *stat_json(const struct proc *p) { return HAVE(p, PI_STAT) ? json_string(p->stat) : json_null(); }
static int stat_cmp(const struct proc *a, const struct proc *b) { return strcmp(a->stat, b->stat); }

/* text fields: user, comm, cmdline */
static void user_text(const struct proc *p, struct buf *o) { buf_puts(o, HAVE(p, PI_USER) && p->user ? p->user : "-"); }
static json_t *user_json(const struct proc *p) { return HAVE(p, PI_USER) ? json_text(p->user) : json_null(); }
static int user_cmp(const struct proc *a, const struct proc *b) { return strcmp0(a->user, b->user); }

static void comm_text(const struct proc *p, struct buf *o) { buf_puts(o, p->comm ? p->comm : "?"); }
static json_t *comm_json(const struct proc *p) { return HAVE(p, PI_COMM) ? json_text(p->comm) : json_null(); }
static int comm_cmp(const struct proc *a, const struct proc *b) { return strcmp0(a->comm, b->comm); }

/* like ps, a process without arguments shows as [comm] */
static void cmdline_text(const struct proc *p, struct buf *o)
{
	if (p->cmdline && *p->cmdline)
		buf_puts(o, p->cmdline);
	else
		buf_printf(o, "[%s]", p->comm ? p->comm : "?");
}
static json_t *cmdline_json(const struct proc *p) { return HAVE(p, PI_CMDLINE) ? json_text(p->cmdline) : json_null(); }
static int cmdline_cmp(const struct proc *a, const struct proc *b)
{
	return strcmp0(a->cmdline && *a->cmdline ? a->cmdline : a->comm,
		       b->cmdline && *b->cmdline ? b->cmdline : b->comm);
}

/* TIME: cumulative CPU, [DD-]hh:mm:ss; seconds in JSON */
static void time_text(const struct proc *p, struct buf *o)
{
	char s[32];

	if (!HAVE(p, PI_CPU)) {
		buf_putc(o, '-');
		return;
	}
	format_duration((long)(p->cpu_ticks / (unsigned long long)clock_hz()), true,
			s, sizeof(s));
	buf_puts(o, s);
}
static json_t *time_json(const struct proc *p)
{
	return HAVE(p, PI_CPU) ? json_real((double)p->cpu_ticks / (double)clock_hz()) : json_null();
}
static int time_cmp(const struct proc *a, const struct proc *b) { return CMP(a->cpu_ticks, b->cpu_ticks); }

/* %CPU and %MEM */
static void cpu_pct_text(const struct proc *p, struct buf *o)
{
	if (HAVE(p, PI_PCPU))
		put_tenths(o, p->cpu_pct);
	else
		buf_putc(o, '-');
}
static json_t *cpu_pct_json(const struct proc *p) { return HAVE(p, PI_PCPU) ? json_real(p->cpu_pct) : json_null(); }
static int cpu_pct_cmp(const struct proc *a, const struct proc *b) { return CMP(a->cpu_pct, b->cpu_pct); }

static void mem_pct_text(const struct proc *p, struct buf *o)
{
	if (HAVE(p, PI_PCPU))
		put_tenths(o, p->mem_pct);
	else
		buf_putc(o, '-');
}
static json_t *mem_pct_json(const struct proc *p) { return HAVE(p, PI_PCPU) ? json_real(p->mem_pct) : json_null(); }
static int mem_pct_cmp(const struct proc *a, const struct proc *b) { return CMP(a->mem_pct, b->mem_pct); }

/* TTY */
static void tty_text(const struct proc *p, struct buf *o)
{
	if (HAVE(p, PI_TTY))
		tty_name(p->tty_nr, o);
	else
		buf_putc(o, '-');
}
static json_t *tty_json(const struct proc *p)
{
	struct buf b = {0};
	json_t *j;

	if (!HAVE(p, PI_TTY) || p->tty_nr == 0)
		return json_null();
	tty_name(p->tty_nr, &b);
	j = json_string(b.data);
	buf_free(&b);
	return j;
}
static int tty_cmp(const struct proc *a, const struct proc *b) { return CMP(a->tty_nr, b->tty_nr); }

/* The long tail: strings from libproc2; "-" in text when not there or
 * empty (JSON tells the two apart: null, "") */
#define TAIL_TEXT_FIELD(name, item, member)                                   \
	static const char *name##_of(const struct proc *p)                    \
	{                                                                     \
		return HAVE(p, item) && p->tail ? p->tail->member : NULL;    \
	}                                                                     \
	static void name##_text(const struct proc *p, struct buf *o)         \
	{                                                                     \
		const char *s = name##_of(p);                                 \
									      \
		buf_puts(o, s && *s ? s : "-");                               \
	}                                                                     \
	static json_t *name##_json(const struct proc *p)                      \
	{                                                                     \
		return json_text(name##_of(p));                               \
	}                                                                     \
	static int name##_cmp(const struct proc *a, const struct proc *b)    \
	{                                                                     \
		return strcmp0(name##_of(a), name##_of(b));                   \
	}

TAIL_TEXT_FIELD(wchan, PI_WCHAN, wchan)
TAIL_TEXT_FIELD(cgroup, PI_CGROUP, cgroup)
TAIL_TEXT_FIELD(groups, PI_GROUPS, groups)

/* The environment: its entries joined by spaces in a table (escaped
 * there like any outside text), an array of them in JSON. */
static const char *const *environ_of(const struct proc *p)
{
	return HAVE(p, PI_ENVIRON) && p->tail ? p->tail->environ : NULL;
}

static void environ_text(const struct proc *p, struct buf *o)
{
	const char *const *v = environ_of(p);

	if (!v || !v[0])
		buf_putc(o, '-');
	for (size_t i = 0; v && v[i]; i++)
		buf_printf(o, "%s%s", i ? " " : "", v[i]);
}

static json_t *environ_json(const struct proc *p)
{
	const char *const *v = environ_of(p);
	json_t *a = v ? json_array() : json_null();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_text(v[i]));
	return a;
}

static int environ_cmp(const struct proc *a, const struct proc *b)
{
	const char *const *x = environ_of(a), *const *y = environ_of(b);
	size_t i = 0;
	int r = 0;

	if (!x || !y)
		return (x != NULL) - (y != NULL);
	while (!r && x[i] && y[i]) {
		r = strcmp(x[i], y[i]);
		i++;
	}
	return r ? r : (x[i] != NULL) - (y[i] != NULL);
}

/* Namespaces: one field each, the inode number of /proc/PID/ns/KIND. */
#define NS_FIELD(name, kind) INT_FIELD(name, PI_NS, p->tail ? p->tail->ns[kind] : 0)
NS_FIELD(ns_cgroup, NS_CGROUP)
NS_FIELD(ns_ipc, NS_IPC)
NS_FIELD(ns_mnt, NS_MNT)
NS_FIELD(ns_net, NS_NET)
NS_FIELD(ns_pid, NS_PID)
NS_FIELD(ns_time, NS_TIME)
NS_FIELD(ns_user, NS_USER)
NS_FIELD(ns_uts, NS_UTS)

/* TIME+: top's cumulative CPU to the hundredth, [m]m:ss.hh */
static void time_plus_text(const struct proc *p, struct buf *o)
{
	unsigned long long hz = (unsigned long long)clock_hz(), t;

	if (!HAVE(p, PI_CPU)) {
		buf_putc(o, '-');
		return;
	}
	t = p->cpu_ticks * 100 / hz; /* hundredths */
	put_uint(o, t / 6000);
	buf_putc(o, ':');
	put_2digits(o, t / 100 % 60);
	buf_putc(o, '.');
	put_2digits(o, t % 100);
}

/* START: ps's, the time of day for a process started today, else the
 * month and day (local time) */
static void start_clock_text(const struct proc *p, struct buf *o)
{
	time_t now = time(NULL);
	struct tm tm, today;
	char s[16];

	if (!HAVE(p, PI_START) || !localtime_r(&p->start_time, &tm) ||
	    !localtime_r(&now, &today)) {
		buf_putc(o, '-');
		return;
	}
	strftime(s, sizeof(s), tm.tm_yday == today.tm_yday && tm.tm_year == today.tm_year ?
		 "%H:%M" : "%b%d", &tm);
	buf_puts(o, s);
}

/* Rates and sizes for the eye: 1023, 12.3K, 4.5M, 1.2G (powers of 1024,
 * as top's and htop's memory and I/O columns). */
static void put_human(struct buf *o, double v)
{
	static const char units[] = "KMGTP";
	int u = -1;

	if (v < 1024) {
		put_uint(o, (unsigned long long)(v + 0.5));
		return;
	}
	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	if (v < 100)
		put_tenths(o, v);
	else
		put_uint(o, (unsigned long long)(v + 0.5));
	buf_putc(o, units[u]);
}

#define RATE_FIELD(name, item, expr)                                          \
	static void name##_text(const struct proc *p, struct buf *o)         \
	{                                                                     \
		if (HAVE(p, item))                                            \
			put_human(o, (double)(expr));                         \
		else                                                          \
			buf_putc(o, '-');                                     \
	}                                                                     \
	static json_t *name##_json(const struct proc *p)                      \
	{                                                                     \
		return HAVE(p, item) ? json_real((double)(expr)) : json_null(); \
	}                                                                     \
	static int name##_cmp(const struct proc *a, const struct proc *b)    \
	{                                                                     \
		/* unreadable sorts below every number */                     \
		double x = HAVE(a, item) ? (double)(a->expr_##name) : -1;     \
		double y = HAVE(b, item) ? (double)(b->expr_##name) : -1;     \
		return CMP(x, y);                                             \
	}

#define expr_io_read_rate io_read_rate
#define expr_io_write_rate io_write_rate
#define expr_gpu_pct gpu_pct
#define expr_gpu_mem gpu_mem_bytes
RATE_FIELD(io_read_rate, PI_IO_RATE, p->io_read_rate)
RATE_FIELD(io_write_rate, PI_IO_RATE, p->io_write_rate)
RATE_FIELD(gpu_mem, PI_GPU, p->gpu_mem_bytes)

static void gpu_pct_text(const struct proc *p, struct buf *o)
{
	if (HAVE(p, PI_GPU))
		put_tenths(o, p->gpu_pct);
	else
		buf_putc(o, '-');
}
static json_t *gpu_pct_json(const struct proc *p) { return HAVE(p, PI_GPU) ? json_real(p->gpu_pct) : json_null(); }
static int gpu_pct_cmp(const struct proc *a, const struct proc *b)
{
	double x = HAVE(a, PI_GPU) ? a->gpu_pct : -1, y = HAVE(b, PI_GPU) ? b->gpu_pct : -1;

	return CMP(x, y);
}

/* CONTAINER: "-" when the cgroup names none (or could not be read). */
static const char *container_of(const struct proc *p)
{
	return HAVE(p, PI_CONTAINER) && p->container && *p->container ? p->container : NULL;
}
static void container_text(const struct proc *p, struct buf *o) { buf_puts(o, container_of(p) ? container_of(p) : "-"); }
static json_t *container_json(const struct proc *p) { return json_text(container_of(p)); }
static int container_cmp(const struct proc *a, const struct proc *b) { return strcmp0(container_of(a), container_of(b)); }

static const char *cgroup_path_of(const struct proc *p)
{
	return HAVE(p, PI_CONTAINER) ? p->cgroup_path : NULL;
}
static void cgroup_path_text(const struct proc *p, struct buf *o) { buf_puts(o, cgroup_path_of(p) ? cgroup_path_of(p) : "-"); }
static json_t *cgroup_path_json(const struct proc *p) { return json_text(cgroup_path_of(p)); }
static int cgroup_path_cmp(const struct proc *a, const struct proc *b) { return strcmp0(cgroup_path_of(a), cgroup_path_of(b)); }

INT_FIELD(tgid, 0, p->tgid ? p->tgid : p->pid)

/* STARTED: a local date for the eye; its JSON and order are start_time's. */
static json_t *started_json(const struct proc *p) { return start_json(p); }
static int started_cmp(const struct proc *a, const struct proc *b) { return start_cmp(a, b); }
static json_t *start_clock_json(const struct proc *p) { return start_json(p); }
static int start_clock_cmp(const struct proc *a, const struct proc *b) { return start_cmp(a, b); }
static json_t *time_plus_json(const struct proc *p) { return time_json(p); }
static int time_plus_cmp(const struct proc *a, const struct proc *b) { return time_cmp(a, b); }

/* key, alias, title, width, need, type, flags, functions, help */
/* A field's other names, as a list the registry can walk. */
#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ROW(key_, aliases_, title_, width_, need_, type_, flags_, fn, help_) \
	{key_, aliases_, title_, help_, width_, need_, type_, flags_,       \
	 fn##_text, fn##_json, fn##_cmp}
#define DESC FIELD_DESCENDING
#define OURS FIELD_OURS
#define STATE (FIELD_OURS | FIELD_STATE)
#define NAME FIELD_NAME

const struct field fields[] = {
	ROW("pid", NULL, "PID", 7, 0, FJ_INT, 0, pid, "process id"),
	ROW("ppid", NULL, "PPID", 7, PI_PPID, FJ_INT, 0, ppid, "parent's process id"),
	ROW("state", NULL, "S", -1, PI_STATE, FJ_TEXT, STATE, state, "state letter: R S D T t Z X I"),
	ROW("stat", NULL, "STAT", -4, PI_STAT, FJ_TEXT, STATE, stat, "state with ps's modifiers < N L s l + (L: ps only)"),
	ROW("uid", NAMES("euid"), "UID", 5, PI_UID, FJ_INT, 0, uid, "effective user id"),
	ROW("user", NAMES("euser"), "USER", -8, PI_USER, FJ_TEXT, 0, user, "effective user name"),
	ROW("comm", NAMES("ucomm", "ucmd"), "COMMAND", -15, PI_COMM, FJ_TEXT, NAME, comm, "name (comm)"),
	ROW("cmdline", NAMES("args", "cmd", "command"), "COMMAND", -30, PI_CMDLINE | PI_COMM, FJ_TEXT, NAME, cmdline, "command line ([comm] without one)"),
	ROW("threads", NAMES("nlwp", "thcount"), "THR", 4, PI_THREADS, FJ_INT, DESC, threads, "number of threads"),
	ROW("nice", NAMES("ni"), "NI", 3, PI_NICE, FJ_INT, 0, nice, "nice value"),
	ROW("pri", NAMES("priority"), "PRI", 4, PI_NICE, FJ_INT, 0, pri, "kernel priority (as top's PR)"),
	ROW("rss_kb", NAMES("rss", "rsz", "rssize"), "RSS", 8, PI_RSS, FJ_INT, DESC, rss, "resident memory, KiB (exact)"),
	ROW("vsz_kb", NAMES("virt", "vsz", "vsize"), "VIRT", 9, PI_MEM, FJ_INT, DESC, vsz, "virtual memory size, KiB"),
	ROW("shr_kb", NAMES("shr"), "SHR", 8, PI_MEM, FJ_INT, DESC, shr, "shared resident memory, KiB"),
	ROW("cpu_pct", NAMES("cpu", "pcpu"), "%CPU", 5, PI_PCPU | PI_CPU | PI_START, FJ_REAL, DESC, cpu_pct, "CPU use of one CPU: top, last interval; ps, lifetime"),
	ROW("mem_pct", NAMES("mem", "pmem"), "%MEM", 5, PI_PCPU | PI_RSS, FJ_REAL, DESC, mem_pct, "resident memory of MemTotal"),
	ROW("cpu_time_s", NAMES("time", "cputime"), "TIME", 11, PI_CPU, FJ_REAL, DESC, time, "CPU time used (user + system)"),
	ROW("start_time", NULL, "START_S", 10, PI_START, FJ_INT, 0, start, "start time, seconds since the epoch"),
	ROW("started", NAMES("lstart"), "STARTED", -19, PI_START, FJ_INT, 0, started, "start time, local date and time"),
	ROW("elapsed_s", NAMES("etime"), "ELAPSED", 11, PI_START, FJ_INT, DESC, elapsed, "time since it started"),
	ROW("tty", NAMES("tt", "tname"), "TTY", -8, PI_TTY, FJ_TEXT, OURS, tty, "controlling terminal"),
	ROW("pgrp", NAMES("pgid"), "PGRP", 7, PI_STAT, FJ_INT, 0, pgrp, "process group"),
	ROW("session", NAMES("sid", "sess"), "SID", 7, PI_STAT, FJ_INT, 0, session, "session id"),
	ROW("tpgid", NULL, "TPGID", 7, PI_STAT, FJ_INT, 0, tpgid, "foreground process group of its terminal"),
	ROW("io_read_bytes", NAMES("read"), "READ", 11, PI_IO, FJ_INT, DESC, io_read, "bytes read from storage (io)"),
	ROW("io_write_bytes", NAMES("write"), "WRITE", 11, PI_IO, FJ_INT, DESC, io_write, "bytes written to storage (io)"),
	ROW("wchan", NULL, "WCHAN", -16, PI_WCHAN, FJ_TEXT, 0, wchan, "kernel function it sleeps in"),
	ROW("oom_score", NAMES("oom"), "OOM", 5, PI_OOM, FJ_INT, DESC, oom, "OOM killer score"),
	ROW("oom_adj", NULL, "OOMADJ", 6, PI_OOM, FJ_INT, 0, oom_adj, "oom_score_adj"),
	ROW("cgroup", NULL, "CGROUP", -30, PI_CGROUP, FJ_TEXT, 0, cgroup, "control groups"),
	ROW("groups", NAMES("supgids", "supgid"), "GROUPS", -16, PI_GROUPS, FJ_TEXT, 0, groups, "supplementary group ids"),
	ROW("environ", NAMES("env"), "ENVIRONMENT", -30, PI_ENVIRON, FJ_TEXTS, 0, environ, "environment: its entries (in JSON, an array)"),
	ROW("ns_cgroup", NULL, "CGROUPNS", 10, PI_NS, FJ_INT, 0, ns_cgroup, "cgroup namespace inode"),
	ROW("ns_ipc", NULL, "IPCNS", 10, PI_NS, FJ_INT, 0, ns_ipc, "IPC namespace inode"),
	ROW("ns_mnt", NULL, "MNTNS", 10, PI_NS, FJ_INT, 0, ns_mnt, "mount namespace inode"),
	ROW("ns_net", NULL, "NETNS", 10, PI_NS, FJ_INT, 0, ns_net, "network namespace inode"),
	ROW("ns_pid", NULL, "PIDNS", 10, PI_NS, FJ_INT, 0, ns_pid, "PID namespace inode"),
	ROW("ns_time", NULL, "TIMENS", 10, PI_NS, FJ_INT, 0, ns_time, "time namespace inode"),
	ROW("ns_user", NULL, "USERNS", 10, PI_NS, FJ_INT, 0, ns_user, "user namespace inode"),
	ROW("ns_uts", NULL, "UTSNS", 10, PI_NS, FJ_INT, 0, ns_uts, "UTS namespace inode"),
	ROW("time_plus", NAMES("time+"), "TIME+", 9, PI_CPU, FJ_REAL, DESC, time_plus, "CPU time used, m:ss.hh (top's TIME+)"),
	ROW("start", NULL, "START", 5, PI_START, FJ_INT, 0, start_clock, "start time: hh:mm today, else MmmDD"),
	ROW("io_read_rate", NAMES("rd/s"), "READ/s", 7, PI_IO | PI_IO_RATE, FJ_REAL, DESC | OURS, io_read_rate, "bytes/s read from storage: top, last interval; ps, lifetime"),
	ROW("io_write_rate", NAMES("wr/s"), "WRITE/s", 7, PI_IO | PI_IO_RATE, FJ_REAL, DESC | OURS, io_write_rate, "bytes/s written to storage: top, last interval; ps, lifetime"),
	ROW("container", NAMES("ctr"), "CONTAINER", -22, PI_CONTAINER, FJ_TEXT, 0, container, "container or systemd unit its cgroup names (docker:ID, podman:ID, nginx.service)"),
	ROW("cgroup_path", NAMES("cgpath"), "CGPATH", -30, PI_CONTAINER, FJ_TEXT, 0, cgroup_path, "cgroup path (unified, else systemd's v1)"),
	ROW("gpu_mem_bytes", NAMES("gpumem"), "GPUMEM", 6, PI_GPU, FJ_REAL, DESC | OURS, gpu_mem, "GPU memory of its DRM clients, bytes (fdinfo)"),
	ROW("gpu_pct", NAMES("gpu"), "%GPU", 5, PI_GPU, FJ_REAL, DESC, gpu_pct, "GPU engine time of wall time: top, last interval; ps, lifetime"),
	ROW("tgid", NULL, "TGID", 7, 0, FJ_INT, 0, tgid, "the process a thread row belongs to (its own pid otherwise)"),
};
const size_t nfields = ARRAY_LEN(fields);

/* Is name one of list's (NULL: none), in any case? */
static bool names_have(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcasecmp(*list, name) == 0)
			return true;
	return false;
}

const struct field *field_find(const char *name)
{
	for (size_t i = 0; i < nfields; i++)
		if (strcasecmp(fields[i].key, name) == 0 ||
		    names_have(fields[i].aliases, name))
			return &fields[i];
	for (size_t i = 0; i < nfields; i++)
		if (strcasecmp(fields[i].title, name) == 0)
			return &fields[i];
	return NULL;
}

/* ---- lists, sorting, help ------------------------------------------------- */

int field_list_parse(struct field_list *l, const char *spec, const char *where,
		     char *why, size_t why_size)
{
	char *copy = xstrdup(spec), *rest = copy, *key;
	int rc = 0;

	/* strsep, not strtok: "pid,,user" is an empty key, not "pid,user". */
	while ((key = strsep(&rest, ","))) {
		const struct field *f = field_find(key);

		if (!f) {
			snprintf(why, why_size, "unknown field '%.64s' in %s"
				 " (pmon ps -o help lists them)",
				 *key ? key : "(empty)", where);
			rc = -1;
			break;
		}
		if (l->n == ARRAY_LEN(l->f)) {
			snprintf(why, why_size, "more than %zu columns in %s",
				 ARRAY_LEN(l->f), where);
			rc = -1;
			break;
		}
		l->f[l->n++] = f;
	}
	free(copy);
	return rc;
}

void field_list_of(struct field_list *l, const char *const *keys, size_t n)
{
	l->n = 0;
	for (size_t i = 0; i < n && l->n < ARRAY_LEN(l->f); i++) {
		const struct field *f = field_find(keys[i]);

		if (!f)
			pmon_die(EXIT_FAIL, "internal error: no field '%s'", keys[i]);
		l->f[l->n++] = f;
	}
}

bool field_list_has(const struct field_list *l, const struct field *f)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->f[i] == f)
			return true;
	return false;
}

unsigned field_list_need(const struct field_list *l)
{
	unsigned need = 0;

	for (size_t i = 0; i < l->n; i++)
		need |= l->f[i]->need;
	return need;
}

/* The names of list (NULL: none), as a JSON array. */
static json_t *aliases_json(const char *const *list)
{
	json_t *a = json_array();

	for (; a && list && *list; list++)
		json_array_append_new(a, json_string(*list));
	return a;
}

json_t *field_help_json(const struct field *f)
{
	static const char *const types[] = {
		[FJ_INT] = "integer", [FJ_REAL] = "number", [FJ_TEXT] = "string",
		[FJ_TEXTS] = "array of strings",
	};
	struct buf source = {0};
	json_t *o;

	proc_items_source(f->need, &source);
	o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:b, s:s, s:b}",
		      "key", f->key, "aliases", aliases_json(f->aliases),
		      "title", f->title,
		      "help", f->help, "type", types[f->type],
		      "descending", (f->flags & FIELD_DESCENDING) != 0,
		      "source", source.data,
		      "privileged", proc_item_needs_privilege(f->need));
	buf_free(&source);
	if (!o)
		pmon_die(EXIT_FAIL, "out of memory");
	return o;
}

void field_help(struct buf *out)
{
	buf_puts(out, "KEY            TITLE       WHAT (READ FROM)\n");
	for (size_t i = 0; i < nfields; i++) {
		const struct field *f = &fields[i];

		buf_printf(out, "%-14s %-11s %s (", f->key, f->title, f->help);
		proc_items_source(f->need, out);
		buf_printf(out, "%s)", proc_item_needs_privilege(f->need) ?
			   "; root or the same user" : "");
		for (const char *const *a = f->aliases; a && *a; a++)
			buf_printf(out, "%s%s", a == f->aliases ? "; also -o " : ", ", *a);
		buf_putc(out, '\n');
	}
}

int field_sort_parse(struct field_sort *s, const char *spec)
{
	s->reverse = spec[0] == '-';
	s->f = field_find(spec + (spec[0] == '-' || spec[0] == '+'));
	return s->f ? 0 : -1;
}

int field_sort_cmp(const struct field_sort *s, const struct proc *a,
		   const struct proc *b)
{
	int r = s->f->cmp(a, b);

	if (s->reverse)
		r = -r;
	return r ? r : CMP(a->pid, b->pid);
}

/* ---- JSON ------------------------------------------------------------------ */

static const char *const json_default_keys[] = {
	"pid", "ppid", "state", "stat", "uid", "user", "comm", "cmdline",
	"threads", "nice", "rss_kb", "start_time", "elapsed_s",
};

void json_default_fields(struct field_list *l)
{
	field_list_of(l, json_default_keys, ARRAY_LEN(json_default_keys));
}

unsigned json_process_need(void)
{
	struct field_list l;

	json_default_fields(&l);
	return field_list_need(&l);
}

json_t *proc_to_json(const struct proc *p, const struct field_list *l)
{
	static struct field_list def;
	json_t *obj = json_object();

	if (!def.n)
		json_default_fields(&def);
	if (!l)
		l = &def;
	if (!obj)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	for (size_t i = 0; i < l->n; i++)
		json_object_set_new(obj, l->f[i]->key, l->f[i]->json(p));
	return obj;
}

/* ---- small texts ------------------------------------------------------------ */

void proc_name_suffix(const struct proc *p, struct buf *out)
{
	if (p->state != 'Z')
		return;
	if (proc_is_zombie(p))
		buf_puts(out, " <defunct>");
	else
		buf_printf(out, " <main thread exited, %d threads running>",
			   p->threads - 1);
}

void tty_name(int tty_nr, struct buf *out)
{
	unsigned major = ((unsigned)tty_nr >> 8) & 0xfff;
	unsigned minor = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);

	if (tty_nr == 0)
		buf_putc(out, '-');
	else if (major >= 136 && major <= 143)
		buf_printf(out, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		buf_printf(out, "tty%u", minor);
	else if (major == 4)
		buf_printf(out, "ttyS%u", minor - 64);
	else if (major == 5 && minor == 1)
		buf_puts(out, "console");
	else
		buf_printf(out, "%u:%u", major, minor);
}
