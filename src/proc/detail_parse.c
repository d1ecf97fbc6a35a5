/*
 * detail_parse.c - parsers for the /proc files only `pmon inspect` and
 * `pmon orphans` read (see inspect.h).  Pure: text in, fields out.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proc/inspect.h"

/* ---- status ------------------------------------------------------------ */

/* How a status line's value is written. */
enum sd_format { SDF_HEX, SDF_DEC, SDF_KB, SDF_OCT };

/* The numeric lines of /proc/PID/status inspect shows, by key. */
static const struct {
	const char *key;
	enum sd_field field;
	enum sd_format format;
} status_keys[] = {
	{"CapInh", SD_CAP_INH, SDF_HEX},
	{"CapPrm", SD_CAP_PRM, SDF_HEX},
	{"CapEff", SD_CAP_EFF, SDF_HEX},
	{"CapBnd", SD_CAP_BND, SDF_HEX},
	{"CapAmb", SD_CAP_AMB, SDF_HEX},
	{"NoNewPrivs", SD_NO_NEW_PRIVS, SDF_DEC},
	{"Seccomp", SD_SECCOMP, SDF_DEC},
	{"Seccomp_filters", SD_SECCOMP_FILTERS, SDF_DEC},
	{"SigPnd", SD_SIG_PND, SDF_HEX},
	{"ShdPnd", SD_SHD_PND, SDF_HEX},
	{"SigBlk", SD_SIG_BLK, SDF_HEX},
	{"SigIgn", SD_SIG_IGN, SDF_HEX},
	{"SigCgt", SD_SIG_CGT, SDF_HEX},
	{"VmPeak", SD_VM_PEAK, SDF_KB},
	{"VmSize", SD_VM_SIZE, SDF_KB},
	{"VmLck", SD_VM_LCK, SDF_KB},
	{"VmHWM", SD_VM_HWM, SDF_KB},
	{"VmRSS", SD_VM_RSS, SDF_KB},
	{"VmSwap", SD_VM_SWAP, SDF_KB},
	{"Threads", SD_THREADS, SDF_DEC},
	{"TracerPid", SD_TRACER, SDF_DEC},
	{"Umask", SD_UMASK, SDF_OCT},
	{"voluntary_ctxt_switches", SD_CTXT_VOL, SDF_DEC},
	{"nonvoluntary_ctxt_switches", SD_CTXT_INVOL, SDF_DEC},
	{"Tgid", SD_TGID, SDF_DEC},
};

/* Digits in base at s (after spaces and tabs); false when there are none. */
static bool number_at(const char *s, const char *end, int base,
		      unsigned long long *v, const char **after)
{
	unsigned long long n = 0;
	const char *start;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	start = s;
	for (; s < end; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		n = n * (unsigned)base + (unsigned)d;
	}
	if (after)
		*after = s;
	*v = n;
	return s > start;
}

/* Up to max numbers of a line ("Uid:\t0\t0\t0\t0", "NSpid:\t12\t1"); how
 * many were there (those past max are counted, not kept). */
static size_t numbers_of(const char *s, const char *end, unsigned long long *v,
			 size_t max)
{
	unsigned long long x;
	size_t n = 0;

	while (number_at(s, end, 10, &x, &s)) {
		if (n < max)
			v[n] = x;
		n++;
	}
	return n;
}

static void parse_groups(const char *s, const char *end, struct status_detail *out)
{
	unsigned long long x;

	while (number_at(s, end, 10, &x, &s)) {
		out->groups = xreallocarray(out->groups, out->ngroups + 1,
					    sizeof(*out->groups));
		out->groups[out->ngroups++] = (gid_t)x;
	}
	out->have_groups = true;
}

/* The lines with several values: ids and NSpid. */
static bool parse_list_line(const char *key, size_t klen, const char *v,
			    const char *eol, struct status_detail *out)
{
	unsigned long long ids[PROC_NS_MAX];
	size_t n;

	if (klen == 3 && (memcmp(key, "Uid", 3) == 0 || memcmp(key, "Gid", 3) == 0)) {
		if (numbers_of(v, eol, ids, ID_KINDS) != ID_KINDS)
			return true;
		for (int i = 0; i < ID_KINDS; i++) {
			if (key[0] == 'U')
				out->uid[i] = (uid_t)ids[i];
			else
				out->gid[i] = (gid_t)ids[i];
		}
		*(key[0] == 'U' ? &out->have_uid : &out->have_gid) = true;
		return true;
	}
	if (klen == 6 && memcmp(key, "Groups", 6) == 0) {
		parse_groups(v, eol, out);
		return true;
	}
	if (klen == 5 && memcmp(key, "NSpid", 5) == 0) {
		n = numbers_of(v, eol, ids, PROC_NS_MAX);
		out->ns_levels = (int)(n < PROC_NS_MAX ? n : PROC_NS_MAX);
		for (int i = 0; i < out->ns_levels; i++)
			out->ns_pid[i] = (pid_t)ids[i];
		return true;
	}
	return false;
}

static void parse_status_line(const char *line, const char *eol,
			      struct status_detail *out)
{
	const char *colon = memchr(line, ':', (size_t)(eol - line));
	size_t klen;
	unsigned long long v;

	if (!colon)
		return;
	klen = (size_t)(colon - line);
	if (parse_list_line(line, klen, colon + 1, eol, out))
		return;
	for (size_t i = 0; i < ARRAY_LEN(status_keys); i++) {
		static const int base[] = {[SDF_HEX] = 16, [SDF_DEC] = 10,
					   [SDF_KB] = 10, [SDF_OCT] = 8};

		if (strlen(status_keys[i].key) != klen ||
		    memcmp(status_keys[i].key, line, klen) != 0)
			continue;
		if (number_at(colon + 1, eol, base[status_keys[i].format], &v, NULL)) {
			out->v[status_keys[i].field] = v;
			out->have |= 1ull << status_keys[i].field;
		}
		return;
	}
}

void parse_status_detail(const char *buf, size_t len, struct status_detail *out)
{
	const char *line = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));

		if (!eol)
			eol = end;
		parse_status_line(line, eol, out);
		line = eol + 1;
	}
}

void status_detail_free(struct status_detail *sd)
{
	free(sd->groups);
	sd->groups = NULL;
	sd->ngroups = 0;
}

/* ---- syscall ----------------------------------------------------------- */

/* A number written as the kernel writes these: decimal, "-1", or 0x hex. */
static bool word_at(const char **s, const char *end, unsigned long long *v,
		    bool *negative)
{
	const char *p = *s;

	while (p < end && *p == ' ')
		p++;
	*negative = p < end && *p == '-';
	if (*negative)
		p++;
	if (end - p > 2 && p[0] == '0' && p[1] == 'x') {
		if (!number_at(p + 2, end, 16, v, s))
			return false;
	} else if (!number_at(p, end, 10, v, s)) {
		return false;
	}
	return *s == end || **s == ' ' || **s == '\n';
}

int parse_syscall_line(const char *buf, size_t len, struct syscall_line *out)
{
	const char *p = buf, *end = buf + len;
	unsigned long long v, words[9];
	bool neg;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (len >= 7 && memcmp(buf, "running", 7) == 0) {
		out->kind = SYSCALL_RUNNING;
		return 0;
	}
	if (!word_at(&p, end, &v, &neg))
		return -1;
	out->nr = neg ? -(long)v : (long)v;
	while (n < ARRAY_LEN(words) - 1 && word_at(&p, end, &words[n], &neg))
		n++;
	if (out->nr == -1 && n == 2) {
		out->kind = SYSCALL_NONE;
		out->sp = words[0];
		out->pc = words[1];
		return 0;
	}
	if (out->nr < 0 || n != 8)
		return -1;
	out->kind = SYSCALL_IN;
	memcpy(out->args, words, sizeof(out->args));
	out->sp = words[6];
	out->pc = words[7];
	return 0;
}

/* ---- limits ------------------------------------------------------------ */

/* The next word of s (at most size - 1 bytes kept); false at the end. */
static bool next_word(const char **s, const char *end, char *word, size_t size)
{
	const char *p = *s, *start;
	size_t n;

	while (p < end && *p == ' ')
		p++;
	start = p;
	while (p < end && *p != ' ')
		p++;
	n = (size_t)(p - start);
	if (!n)
		return false;
	if (n >= size)
		n = size - 1;
	memcpy(word, start, n);
	word[n] = '\0';
	*s = p;
	return true;
}

static bool limit_value(const char *word, long long *v)
{
	unsigned long long n;
	const char *after;

	if (strcmp(word, "unlimited") == 0) {
		*v = LIMIT_UNLIMITED;
		return true;
	}
	if (!number_at(word, word + strlen(word), 10, &n, &after) || *after)
		return false;
	*v = (long long)n;
	return true;
}

/* One row: the kernel writes the name in the first 25 columns ("%-25s "),
 * then the soft and hard limits and the unit. */
static bool parse_limit_row(const char *line, const char *eol, struct limit_row *r)
{
	enum { NAME_COLS = 25 };
	const char *p = line + NAME_COLS;
	size_t n = NAME_COLS;
	char word[32];

	if (eol - line <= NAME_COLS)
		return false;
	while (n > 0 && line[n - 1] == ' ')
		n--;
	if (n == 0 || n >= sizeof(r->name))
		return false;
	memset(r, 0, sizeof(*r));
	memcpy(r->name, line, n);
	if (!next_word(&p, eol, word, sizeof(word)) || !limit_value(word, &r->soft) ||
	    !next_word(&p, eol, word, sizeof(word)) || !limit_value(word, &r->hard))
		return false;
	if (!next_word(&p, eol, r->unit, sizeof(r->unit)))
		r->unit[0] = '\0';
	return true;
}

size_t parse_limits(const char *buf, size_t len, struct limit_row *rows,
		    size_t max)
{
	const char *line = buf, *end = buf + len;
	size_t n = 0;
	bool title = true;

	while (line < end && n < max) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));

		if (!eol)
			eol = end;
		if (!title && parse_limit_row(line, eol, &rows[n]))
			n++;
		title = false;
		line = eol + 1;
	}
	return n;
}

const struct limit_row *limit_find(const struct limit_row *rows, size_t n,
				   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

/* ---- io, fdinfo, children, fd targets ------------------------------------ */

const char *const io_field_names[IO_FIELDS] = {
	"rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes",
	"cancelled_write_bytes",
};

void parse_io_detail(const char *buf, size_t len, struct io_detail *out)
{
	const char *line = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *colon;

		if (!eol)
			eol = end;
		colon = memchr(line, ':', (size_t)(eol - line));
		for (int i = 0; colon && i < IO_FIELDS; i++) {
			size_t k = strlen(io_field_names[i]);

			if ((size_t)(colon - line) == k &&
			    memcmp(line, io_field_names[i], k) == 0 &&
			    number_at(colon + 1, eol, 10, &out->v[i], NULL))
				out->have |= 1u << i;
		}
		line = eol + 1;
	}
}

size_t parse_epoll_watched(const char *buf, size_t len)
{
	const char *line = buf, *end = buf + len;
	size_t n = 0;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));

		if (!eol)
			eol = end;
		if (eol - line > 4 && memcmp(line, "tfd:", 4) == 0)
			n++;
		line = eol + 1;
	}
	return n;
}

void parse_pid_list(const char *buf, size_t len, pid_t **pids, size_t *n)
{
	const char *p = buf, *end = buf + len;
	unsigned long long v;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\n'))
			p++;
		if (!number_at(p, end, 10, &v, &p) || v == 0 || v > 0x7fffffff)
			break;
		*pids = xreallocarray(*pids, *n + 1, sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)v;
	}
}

bool fd_target_is_terminal(const char *target, bool *closed)
{
	/* The devices a login or a terminal emulator gives a shell. */
	static const char *const prefixes[] = {
		"/dev/pts/", "/dev/tty", "/dev/console",
	};
	static const char deleted[] = " (deleted)";
	size_t len = strlen(target), dl = sizeof(deleted) - 1;

	*closed = len > dl && strcmp(target + len - dl, deleted) == 0;
	for (size_t i = 0; i < ARRAY_LEN(prefixes); i++)
		if (strncmp(target, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	*closed = false;
	return false;
}

/* ---- sockets: /proc/PID/net/{tcp,udp,unix} -------------------------------- */

/* The TCP states of include/net/tcp_states.h, by number. */
static const char *const tcp_states[] = {
	[1] = "established", [2] = "syn-sent", [3] = "syn-received",
	[4] = "fin-wait-1", [5] = "fin-wait-2", [6] = "time-wait",
	[7] = "closed", [8] = "close-wait", [9] = "last-ack",
	[10] = "listening", [11] = "closing", [12] = "new-syn-received",
};

/* "0100007F:1F90" (IPv4: the address as the kernel's 32-bit word, in
 * host order) or 32 hex digits (IPv6: four such words), then the port,
 * as "127.0.0.1:8080" or "[::1]:8080". */
static bool inet_address(const char *s, const char *end, struct buf *out)
{
	const char *colon = memchr(s, ':', (size_t)(end - s));
	size_t hex = colon ? (size_t)(colon - s) : 0;
	unsigned char bytes[16];
	char text[INET6_ADDRSTRLEN];
	unsigned long long port;

	if (!colon || (hex != 8 && hex != 32) ||
	    !number_at(colon + 1, end, 16, &port, NULL))
		return false;
	for (size_t i = 0; i < hex / 8; i++) {
		char word[9];
		unsigned long w;

		memcpy(word, s + 8 * i, 8);
		word[8] = '\0';
		w = strtoul(word, NULL, 16);
		for (int b = 0; b < 4; b++)
			bytes[4 * i + (size_t)b] = (unsigned char)(w >> (8 * b));
	}
	if (!inet_ntop(hex == 8 ? AF_INET : AF_INET6, bytes, text, sizeof(text)))
		return false;
	buf_printf(out, hex == 8 ? "%s:%llu" : "[%s]:%llu", text, port);
	return true;
}

/* The nth space-separated word of a line (0-based), or NULL. */
static const char *nth_word(const char *line, const char *eol, int nth,
			    const char **word_end)
{
	const char *p = line;

	for (int i = 0; p < eol; i++) {
		while (p < eol && *p == ' ')
			p++;
		if (p >= eol)
			break;
		*word_end = p;
		while (*word_end < eol && **word_end != ' ')
			(*word_end)++;
		if (i == nth)
			return p;
		p = *word_end;
	}
	return NULL;
}

/* A line of tcp/udp: "sl local remote st ... uid timeout inode ...". */
static bool inet_line(const char *line, const char *eol, const char *proto,
		      unsigned long long ino, struct buf *out)
{
	enum { W_LOCAL = 1, W_REMOTE, W_STATE, W_INODE = 9 };
	const char *we, *w = nth_word(line, eol, W_INODE, &we);
	unsigned long long v, st;

	if (!w || !number_at(w, we, 10, &v, NULL) || v != ino)
		return false;
	buf_printf(out, "%s ", proto);
	if ((w = nth_word(line, eol, W_LOCAL, &we)))
		inet_address(w, we, out);
	if ((w = nth_word(line, eol, W_STATE, &we)) && number_at(w, we, 16, &st, NULL)) {
		bool tcp = proto[0] == 'T';

		if (tcp && st < ARRAY_LEN(tcp_states) && tcp_states[st])
			buf_printf(out, " %s", tcp_states[st]);
		if ((st == 1 || (!tcp && st != 7)) &&
		    (w = nth_word(line, eol, W_REMOTE, &we))) {
			buf_puts(out, " to ");
			inet_address(w, we, out);
		}
	}
	return true;
}

/* A line of unix: "Num RefCount Protocol Flags Type St Inode [Path]". */
static bool unix_line(const char *line, const char *eol, unsigned long long ino,
		      struct buf *out)
{
	enum { W_FLAGS = 3, W_TYPE, W_STATE, W_INODE, W_PATH };
	static const char *const types[] = {[1] = "stream", [2] = "datagram",
					    [5] = "seqpacket"};
	const char *we, *w = nth_word(line, eol, W_INODE, &we);
	unsigned long long v, type = 0, flags = 0;

	if (!w || !number_at(w, we, 10, &v, NULL) || v != ino)
		return false;
	if ((w = nth_word(line, eol, W_TYPE, &we)))
		number_at(w, we, 16, &type, NULL);
	if ((w = nth_word(line, eol, W_FLAGS, &we)))
		number_at(w, we, 16, &flags, NULL);
	buf_printf(out, "unix %s", type < ARRAY_LEN(types) && types[type] ?
		   types[type] : "socket");
	if (flags & 0x10000) /* __SO_ACCEPTCON */
		buf_puts(out, " listening");
	if ((w = nth_word(line, eol, W_PATH, &we))) {
		buf_puts(out, " ");
		/* The rest of the line: a path may hold spaces. */
		buf_append(out, w, (size_t)(eol - w));
	}
	return true;
}

int parse_socket_table(const char *buf, size_t len, const char *proto,
		       unsigned long long ino, struct buf *out)
{
	const char *line = buf, *end = buf + len;
	bool title = true;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));

		if (!eol)
			eol = end;
		if (!title && (strcmp(proto, "unix") == 0 ?
			       unix_line(line, eol, ino, out) :
			       inet_line(line, eol, proto, ino, out)))
			return 0;
		title = false;
		line = eol + 1;
	}
	return -1;
}
