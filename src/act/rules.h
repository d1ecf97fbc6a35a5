/*
 * rules.h - the rules of `pmon watch` and the change detection behind
 * them, as plain data: a rule from an option or a line of a rules file,
 * and a state that takes one sample of the processes after another and
 * says what changed, once per change.  No I/O here (the caller reads the
 * processes and says what it read), so that the rules and the detection
 * can be tested with made-up samples.
 *
 * The rules:
 *   zombies N          a parent's zombies reach N, then each time they
 *                      grow; and once when they fall back under N
 *   exit PID           PID exits (the caller polls a pidfd and reports
 *                      it with rules_exit_event)
 *   stuck-d SECONDS    a process in D (uninterruptible) that long; and
 *                      once when it leaves D
 *   cpu PCT:SECONDS    a process over PCT % of a CPU that long; and once
 *                      when it is back under
 *   rss SIZE:SECONDS   a process over SIZE of RSS that long (SIZE: bytes
 *                      with an optional K, M, G or T, powers of 1024);
 *                      and once when it is back under
 */
#ifndef PMON_ACT_RULES_H
#define PMON_ACT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/util.h"

enum rule_kind { RULE_ZOMBIES, RULE_EXIT, RULE_STUCK_D, RULE_CPU, RULE_RSS,
		 RULE_KINDS };

struct rule {
	enum rule_kind kind;
	long count;                   /* zombies: N */
	pid_t pid;                    /* exit: PID */
	double pct;                   /* cpu: PCT */
	unsigned long long rss_kb;    /* rss: SIZE in KiB */
	double secs;                  /* stuck-d, cpu, rss: SECONDS */
};

/* The rule's word in a file and, with "--" before it, its option. */
extern const char *const rule_words[RULE_KINDS];

/* Parse the value of rule kind (an option's argument).  0, or -1 with
 * why filled in. */
int rule_parse(enum rule_kind kind, const char *arg, struct rule *r,
	       char *why, size_t why_size);
/* Parse a line of a rules file: "WORD VALUE", blank, or a # comment.
 * 1 with *r set, 0 for nothing on it, -1 with why filled in. */
int rule_parse_line(const char *line, struct rule *r, char *why,
		    size_t why_size);
/* The rule as a file line says it ("cpu 90:60"). */
void rule_format(const struct rule *r, struct buf *out);

/* What a sample says of one process. */
struct rule_proc {
	pid_t pid, ppid;
	unsigned long long start_ticks;   /* its identity with pid */
	char state;
	bool zombie;
	unsigned long long cpu_ticks;     /* utime + stime */
	unsigned long rss_kb;
	const char *comm;                 /* raw; copied into events */
};

/* One change, for the caller to print and post. */
enum rule_change { CHANGE_ON, CHANGE_GREW, CHANGE_OFF };
struct rule_event {
	const struct rule *rule;
	enum rule_change change;
	pid_t pid;
	char comm[32];                    /* raw (the caller escapes) */
	long count, before;               /* zombies: now, at the last event */
	double value;                     /* cpu %, RSS KiB, seconds in D */
	double secs;                      /* how long the condition held */
	/* exit */
	bool child;                       /* our child: status is known */
	int status;                       /* waitid's si_status */
	bool signalled;                   /* killed by signal status */
	/* rules_end: the end of a condition said early, as the watch ends */
	bool ending;
	bool still;                       /* ending, and the condition held at
					   * the last sample: nobody watches it
					   * now */
	double under_since;               /* back under since (as now); 0:
					   * not back under (exited) */
	/* the process exited (a zombie, or gone) with the condition on */
	bool exited;
};

struct rules_state;

/* A state for rules[0..n) (kept by reference: they must outlive it). */
struct rules_state *rules_new(const struct rule *rules, size_t n);
void rules_free(struct rules_state *s);

/*
 * Take a sample: procs[0..n) sorted by pid, read at now (monotonic
 * seconds) with hz clock ticks per second.  The events of what changed
 * since the last sample are appended to *ev (*nev of them, grown with
 * realloc); each condition is reported once when it starts to hold (or
 * grows, for zombies) and once when it stops.  A process that exits (a
 * zombie, or gone) ends the conditions reported of it, each with an
 * event (CHANGE_OFF, .exited; .under_since when it was back under but
 * not yet for its time): the room heard it start, and hears it end.
 */
void rules_sample(struct rules_state *s, const struct rule_proc *procs,
		  size_t n, double now, long hz, struct rule_event **ev,
		  size_t *nev);

/*
 * The watch is ending: an event (CHANGE_OFF, .ending) for each condition
 * that was reported and has not been said to end: with .under_since when
 * the last sample found it back under, but not yet for its rule's
 * seconds (its end, which would otherwise never be said); with .still
 * when it still held (.secs so far, .count a zombie rule's count last
 * reported), so that the room knows no one watches it any more.  The
 * state is left as it is.
 */
void rules_end(const struct rules_state *s, struct rule_event **ev, size_t *nev);

/* The event of an exit rule: our child (with its waitid status), or a
 * process that is gone. */
void rules_exit_event(const struct rule *r, const char *comm, bool child,
		      int code, bool signalled, struct rule_event *ev);

#endif
