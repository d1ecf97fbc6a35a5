/*
 * parse.h - parsers for the text of /proc/PID/stat, /proc/PID/status
 * and /proc/PID/cmdline.  Pure functions over a buffer, so that the unit
 * tests can feed them hostile names and odd kernels; proc.c does the I/O.
 */
#ifndef PMON_PROCPARSE_H
#define PMON_PROCPARSE_H

#include <stddef.h>

#include "util/util.h"
#include "proc/proc.h"

/*
 * /proc/PID/stat: "pid (comm) state ppid pgrp session tty tpgid flags ...".
 * comm is raw and may itself hold ") " or newlines, so it ends at the
 * last ')'.  Fills every field below up to rss_pages (comm NUL-terminated,
 * cut at 63 bytes).  Returns 0, or -1 when the text is malformed.
 */
struct stat_line {
	pid_t pid, ppid, pgrp, session, tpgid;
	int tty_nr;
	char state;
	char comm[64];
	unsigned long flags;
	unsigned long long cpu_ticks; /* utime + stime */
	int priority, nice, threads;
	unsigned long long start_ticks;
	unsigned long rss_pages;      /* a per-CPU estimate on current kernels */
};
int parse_stat_line(const char *buf, size_t len, struct stat_line *out);

/* /proc/PID/status (NUL-terminated), the lines pmon uses.  A line that is
 * missing leaves its field at the value it had (zero from the caller);
 * parsing stops once every STATUS_HAVE_* bit in want has been found. */
struct status_lines {
	uid_t uid;                       /* effective, the second Uid: field */
	unsigned long vm_lck_kb, vm_rss_kb;
	unsigned long long sig_ignored, sig_caught; /* SigIgn, SigCgt */
	pid_t tracer_pid;                /* TracerPid: 0 when not traced */
	int seccomp;                     /* Seccomp: 0 off, 1 strict, 2 filter */
	int ns_levels;                   /* NSpid: entries, outermost first */
	pid_t ns_pids[PROC_NS_MAX];
	unsigned have;                   /* STATUS_HAVE_* bits found */
	pid_t tgid;                      /* Tgid: the process a thread is of */
};
enum {
	STATUS_HAVE_UID = 1u << 0,
	STATUS_HAVE_VMLCK = 1u << 1,
	STATUS_HAVE_VMRSS = 1u << 2,
	STATUS_HAVE_SIGNALS = 1u << 3,
	STATUS_HAVE_TRACER = 1u << 4,
	STATUS_HAVE_SECCOMP = 1u << 5,
	STATUS_HAVE_NSPID = 1u << 6,
	STATUS_HAVE_TGID = 1u << 7,
};
void parse_status(const char *buf, size_t len, unsigned want,
		  struct status_lines *out);

/* /proc/PID/statm: size resident shared ... (pages).  0, or -1 when
 * malformed. */
struct statm_line {
	unsigned long size, resident, shared;
};
int parse_statm(const char *buf, size_t len, struct statm_line *out);

/* /proc/PID/io: read_bytes and write_bytes (what reached the storage
 * layer).  0, or -1 when either line is missing. */
int parse_io(const char *buf, size_t len, unsigned long long *read_bytes,
	     unsigned long long *write_bytes);

/* /proc/PID/cmdline: NUL-separated arguments into one line joined by
 * spaces (the trailing NUL dropped).  out is reset first. */
void join_cmdline(const char *buf, size_t len, struct buf *out);

/* One numeric field of /proc/PID/stat by its number in proc(5) (4 = ppid
 * ... 39 = processor, 52 = exit_code).  0, or -1 when malformed/absent. */
int parse_stat_field(const char *buf, size_t len, int field,
		     unsigned long long *v);

/* /proc/PID/sched: se.exec_start ("12345.678901", milliseconds on the
 * scheduler's clock) in nanoseconds.  0, or -1 when the line is absent. */
int parse_sched_exec_start(const char *buf, size_t len,
			   unsigned long long *ns);

#endif
