/*
 * procstat.h - pure logic about process states: ps-style STAT strings,
 * state names and the per-state counts of a summary line.  No I/O here,
 * so the unit tests can pin every rule down.
 */
#ifndef PMON_PROCSTAT_H
#define PMON_PROCSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* State letter, "<" or "N", "L", "s", "l", "+" and the NUL. */
#define STAT_MAX 8

/* What the STAT modifiers are computed from (all of it from /proc/PID/stat
 * except `locked`, which is VmLck from /proc/PID/status). */
struct stat_inputs {
	char state;      /* R S D T t Z X I P ... */
	int nice;        /* < 0 gives '<', > 0 gives 'N' */
	bool locked;     /* pages locked into memory: 'L' */
	pid_t pid;
	pid_t session;   /* pid == session: session leader, 's' */
	int threads;     /* > 1: multi-threaded, 'l' */
	pid_t pgrp;
	pid_t tpgid;     /* pgrp == tpgid: foreground process group, '+' */
};

/* Writes the STAT string in exactly ps's order: state < N L s l +. */
void format_stat(const struct stat_inputs *in, char out[STAT_MAX]);

/* "running", "sleeping", ... for a state letter; "unknown" otherwise. */
const char *state_name(char state);

/* Per-state counts for the summary lines of ps and top. */
enum { STATE_SLOTS = 9 };
struct state_counts {
	size_t total;
	size_t n[STATE_SLOTS]; /* indexed by state_slot() */
	size_t leader_exited;  /* Z with threads running: not a zombie */
};

/* The letters counted, in summary order: R S D T t Z I X, then "other". */
extern const char state_slot_letters[STATE_SLOTS];
int state_slot(char state);
/* Count a process in state `state` with `threads` threads.  A
 * thread-group leader that exited while its threads run shows Z, but is
 * no zombie: it is counted apart (the one meaning of zombie pmon has,
 * proc_is_zombie). */
void state_counts_add(struct state_counts *c, char state, int threads);
/* The processes in any of the states letters. */
size_t state_counts_of(const struct state_counts *c, const char *letters);
/* "312 processes: 1 running, 290 sleeping, ..." (states with 0 are kept
 * for R S D T Z, which scripts look for, and left out otherwise). */
size_t format_state_counts(const struct state_counts *c, char *out, size_t size);

/* A duration as ps writes one: [[DD-]hh:]mm:ss, the hours always with
 * hours (ps's TIME: [DD-]hh:mm:ss), only when there are some without
 * (ps's ELAPSED).  Negative input gives "-"; cut to size - 1 bytes and
 * always ended, as snprintf would. */
void format_duration(long seconds, bool hours, char *out, size_t size);
/* ELAPSED: format_duration without forced hours. */
void format_elapsed(long seconds, char *out, size_t size);

#endif
