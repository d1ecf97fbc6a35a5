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

static json_t *json_int_if(bool have, json_int_t v)
{
	return have ? json_integer(v) : json_null();
}

/* pid */
static void pid_text(const struct proc *p, struct buf *o) { buf_printf(o, "%d", (int)p->pid); }
static json_t *pid_json(const struct proc *p) { return json_integer(p->pid); }
static int pid_cmp(const struct proc *a, const struct proc *b) { return CMP(a->pid, b->pid); }

/* ppid */
static void ppid_text(const struct proc *p, struct buf *o) { buf_printf(o, "%d", (int)p->ppid); }
static json_t *ppid_json(const struct proc *p) { return json_int_if(HAVE(p, PI_PPID), p->ppid); }
static int ppid_cmp(const struct proc *a, const struct proc *b) { return CMP(a->ppid, b->ppid); }

/* state */
static void state_text(const struct proc *p, struct buf *o) { buf_putc(o, p->state); }
static json_t *state_json(const struct proc *p)
{
	char s[2] = {p->state, '\0'};

	return HAVE(p, PI_STATE) && p->state ? json_string(s) : json_null();
}
static int state_cmp(const struct proc *a, const struct proc *b) { return CMP(a->state, b->state); }

/* stat */
static void stat_text(const struct proc *p, struct buf *o) { buf_puts(o, p->stat); }
static json_t *stat_json(const struct proc *p)
{
	return HAVE(p, PI_STAT) ? json_string(p->stat) : json_null();
}
static int stat_cmp(const struct proc *a, const struct proc *b) { return strcmp(a->stat, b->stat); }

/* uid */
static void uid_text(const struct proc *p, struct buf *o) { buf_printf(o, "%u", (unsigned)p->uid); }
static json_t *uid_json(const struct proc *p) { return json_int_if(HAVE(p, PI_UID), p->uid); }
static int uid_cmp(const struct proc *a, const struct proc *b) { return CMP(a->uid, b->uid); }

/* user */
static void user_text(const struct proc *p, struct buf *o) { buf_puts(o, p->user ? p->user : "?"); }
static json_t *user_json(const struct proc *p) { return HAVE(p, PI_USER) ? json_text(p->user) : json_null(); }
static int user_cmp(const struct proc *a, const struct proc *b)
{
	return strcmp(a->user ? a->user : "", b->user ? b->user : "");
}

/* comm */
static void comm_text(const struct proc *p, struct buf *o) { buf_puts(o, p->comm ? p->comm : "?"); }
static json_t *comm_json(const struct proc *p) { return HAVE(p, PI_COMM) ? json_text(p->comm) : json_null(); }
static int comm_cmp(const struct proc *a, const struct proc *b)
{
	return strcmp(a->comm ? a->comm : "", b->comm ? b->comm : "");
}

/* cmdline: like ps, a process without arguments shows as [comm] */
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
	return strcmp(a->cmdline ? a->cmdline : "", b->cmdline ? b->cmdline : "");
}

/* threads */
static void threads_text(const struct proc *p, struct buf *o) { buf_printf(o, "%d", p->threads); }
static json_t *threads_json(const struct proc *p) { return json_int_if(HAVE(p, PI_THREADS), p->threads); }
static int threads_cmp(const struct proc *a, const struct proc *b) { return CMP(a->threads, b->threads); }

/* nice */
static void nice_text(const struct proc *p, struct buf *o) { buf_printf(o, "%d", p->nice); }
static json_t *nice_json(const struct proc *p) { return json_int_if(HAVE(p, PI_NICE), p->nice); }
static int nice_cmp(const struct proc *a, const struct proc *b) { return CMP(a->nice, b->nice); }

/* rss */
static void rss_text(const struct proc *p, struct buf *o) { buf_printf(o, "%lu", p->rss_kb); }
static json_t *rss_json(const struct proc *p) { return json_int_if(HAVE(p, PI_RSS), (json_int_t)p->rss_kb); }
static int rss_cmp(const struct proc *a, const struct proc *b) { return CMP(a->rss_kb, b->rss_kb); }

/* start time, and elapsed since then (sorting by either is by age) */
static void start_text(const struct proc *p, struct buf *o)
{
	struct tm tm;
	char s[32];

	if (!localtime_r(&p->start_time, &tm) || !strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(s, sizeof(s), "%lld", (long long)p->start_time);
	buf_puts(o, s);
}
static json_t *start_json(const struct proc *p) { return json_int_if(HAVE(p, PI_START), p->start_time); }
static int start_cmp(const struct proc *a, const struct proc *b) { return CMP(a->start_ticks, b->start_ticks); }

static void elapsed_text(const struct proc *p, struct buf *o)
{
	char s[32];

	format_elapsed(p->elapsed_s, s, sizeof(s));
	buf_puts(o, s);
}
static json_t *elapsed_json(const struct proc *p) { return json_int_if(HAVE(p, PI_START), p->elapsed_s); }
static int elapsed_cmp(const struct proc *a, const struct proc *b) { return CMP(a->elapsed_s, b->elapsed_s); }

/* cumulative CPU time, as ps's TIME: [DD-]hh:mm:ss */
static long clock_ticks(void)
{
	static long hz;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	return hz;
}
static void time_text(const struct proc *p, struct buf *o)
{
	long s = (long)(p->cpu_ticks / (unsigned long long)clock_ticks());

	if (s >= 86400)
		buf_printf(o, "%ld-", s / 86400);
	buf_printf(o, "%02ld:%02ld:%02ld", s / 3600 % 24, s / 60 % 60, s % 60);
}
static json_t *time_json(const struct proc *p)
{
	return HAVE(p, PI_CPU) ? json_real((double)p->cpu_ticks / clock_ticks()) : json_null();
}
static int time_cmp(const struct proc *a, const struct proc *b) { return CMP(a->cpu_ticks, b->cpu_ticks); }

#define ROW(id, hdr, key, w, need_, name) \
	[id] = {hdr, key, w, need_, name##_text, name##_json, name##_cmp}

const struct field fields[FLD_COUNT] = {
	ROW(FLD_PID,     "PID",     "pid",        7, 0,          pid),
	ROW(FLD_PPID,    "PPID",    "ppid",       7, PI_PPID,    ppid),
	ROW(FLD_STATE,   "S",       "state",     -1, PI_STATE,   state),
	ROW(FLD_STAT,    "STAT",    "stat",      -4, PI_STAT,    stat),
	ROW(FLD_UID,     "UID",     "uid",        5, PI_UID,     uid),
	ROW(FLD_USER,    "USER",    "user",      -8, PI_USER,    user),
	ROW(FLD_COMM,    "COMMAND", "comm",       0, PI_COMM,    comm),
	ROW(FLD_CMDLINE, "COMMAND", "cmdline",    0, PI_CMDLINE | PI_COMM, cmdline),
	ROW(FLD_THREADS, "THR",     "threads",    4, PI_THREADS, threads),
	ROW(FLD_NICE,    "NI",      "nice",       3, PI_NICE,    nice),
	ROW(FLD_RSS,     "RSS",     "rss_kb",     8, PI_RSS,     rss),
	ROW(FLD_START,   "STARTED", "start_time", -19, PI_START, start),
	ROW(FLD_ELAPSED, "ELAPSED", "elapsed_s", 11, PI_START,   elapsed),
	ROW(FLD_TIME,    "TIME",    "cpu_time_s", 11, PI_CPU,     time),
};

const struct field *field_find(const char *name)
{
	for (size_t i = 0; i < FLD_COUNT; i++)
		if (strcmp(fields[i].json_key, name) == 0)
			return &fields[i];
	for (size_t i = 0; i < FLD_COUNT; i++)
		if (strcasecmp(fields[i].header, name) == 0)
			return &fields[i];
	return NULL;
}

unsigned fields_need(const enum field_id *ids, size_t n)
{
	unsigned need = 0;

	for (size_t i = 0; i < n; i++)
		need |= fields[ids[i]].need;
	return need;
}

const enum field_id json_process_fields[] = {
	FLD_PID, FLD_PPID, FLD_STATE, FLD_STAT, FLD_UID, FLD_USER, FLD_COMM,
	FLD_CMDLINE, FLD_THREADS, FLD_NICE, FLD_RSS, FLD_START, FLD_ELAPSED,
};
const size_t json_process_nfields = ARRAY_LEN(json_process_fields);

unsigned json_process_need(void)
{
	return fields_need(json_process_fields, json_process_nfields) | PI_LOCKED;
}

json_t *proc_to_json(const struct proc *p)
{
	json_t *obj = json_object();

	if (!obj)
		pmon_die(EXIT_FAIL, "out of memory building JSON");
	for (size_t i = 0; i < json_process_nfields; i++) {
		const struct field *f = &fields[json_process_fields[i]];

		json_object_set_new(obj, f->json_key, f->json(p));
	}
	return obj;
}
