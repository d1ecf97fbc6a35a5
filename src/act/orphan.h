/*
 * orphan.h - which processes were adopted (by init or a child subreaper)
 * and what kind of orphan each is, for `pmon orphans`, `pmon tree
 * --orphans`, `pmon ps --orphans` and `pmon inspect`, so that all four
 * agree.
 *
 * /proc does not keep a process's original parent, nor whether a process
 * is a child subreaper, so the class is built from evidence:
 *
 *   re-parented  its session is not its parent's, and it did not start it
 *                (it is not its session's leader).  A child inherits its
 *                parent's session, and only setsid() changes a session,
 *                making the caller its leader: so whoever forked it was in
 *                that session, and its parent now is not.  (The one
 *                exception: a parent that forked it and then called
 *                setsid() itself.)
 *   leader gone  no live process leads its session: the shell of a closed
 *                terminal, or the middle process of a double fork.
 *   terminal     one of its descriptors 0-2 is a terminal device (the
 *                kernel takes the controlling terminal from the whole
 *                session when its leader exits, but not its descriptors).
 *   orphaned     its process group has no member whose parent is in
 *   group        another group of the same session: no shell can continue
 *                a stopped member (POSIX job control).
 *
 * A parent that holds a re-parented process is init, the init of a PID
 * namespace, or (proven by that) a child subreaper.
 */
#ifndef PMON_ORPHAN_H
#define PMON_ORPHAN_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/proc.h"
#include "util/util.h"

enum orphan_kind {
	ORPHAN_NONE,
	ORPHAN_DAEMON,       /* re-parented, session leader gone, no terminal:
	                        the double fork */
	ORPHAN_TERMINAL_JOB, /* re-parented, session leader gone, standard
	                        descriptors on a terminal: left behind by a
	                        closed terminal or ssh session */
	ORPHAN_STOPPED,      /* stopped (T) in an orphaned process group */
	ORPHAN_ADOPTED,      /* re-parented while its session lives on: the
	                        process that forked it exited */
	ORPHAN_OWN_SESSION,  /* leads its own session, no terminal, under init
	                        or a subreaper: a service, or a daemon that
	                        forked once; no evidence either way */
	ORPHAN_KINDS
};

/* The evidence behind a class (what the text explains). */
enum {
	OE_REPARENTED = 1u << 0,
	OE_LEADER_GONE = 1u << 1,
	OE_ON_TERMINAL = 1u << 2,
	OE_TERMINAL_CLOSED = 1u << 3,
	OE_FDS_UNREADABLE = 1u << 4,
	OE_STOPPED = 1u << 5,
	OE_PGRP_ORPHANED = 1u << 6,
	OE_OWN_SESSION = 1u << 7,
	OE_NO_TERMINAL = 1u << 8,
};

/* Who holds it now. */
enum adopter_kind {
	ADOPTER_INIT,       /* PID 1 */
	ADOPTER_NS_INIT,    /* PID 1 of a PID namespace (a container's init) */
	ADOPTER_SUBREAPER,  /* another process: a child subreaper */
	ADOPTER_UNKNOWN,    /* not visible from here */
};

/* What the classifier looks at. */
struct orphan_facts {
	const struct proc *p;      /* PI_PPID | PI_STAT | PI_TTY | PI_STATE */
	const struct proc *parent; /* NULL: not visible */
	enum adopter_kind adopter;
	bool leader_alive;         /* a live process leads p's session */
	int pgrp_orphaned;         /* 1, 0, or -1 unknown */
	int terminal;              /* a descriptor 0-2 on a terminal: 1, 0,
	                              or -1 unreadable */
	bool terminal_closed;      /* that terminal has been hung up */
	char terminal_path[64];
	bool parent_adopts;        /* the parent holds re-parented processes */
};

struct orphan_class {
	enum orphan_kind kind;
	unsigned evidence;         /* OE_* */
};

/* Was p forked by someone other than parent (see above)?  Both need
 * PI_PPID | PI_STAT. */
bool orphan_reparented(const struct proc *p, const struct proc *parent);

/* Who parent is as a holder of orphans (NULL: unknown).  Needs PI_TRACE
 * (NSpid) to know a namespace's init; without it, only PID 1 is one. */
enum adopter_kind orphan_adopter_kind(const struct proc *parent);

struct orphan_class orphan_classify(const struct orphan_facts *f);

/* Would the class of f change with what its descriptors show? */
bool orphan_needs_terminal(const struct orphan_facts *f);

/* "daemon", "terminal-job", "stopped", "adopted", "own-session", or
 * "none": the JSON value and the mark of tree and ps. */
const char *orphan_kind_name(enum orphan_kind k);
/* The title of the group of `pmon orphans`. */
const char *orphan_kind_title(enum orphan_kind k);

/* "init (PID 1)", "PID 812 (systemd), a child subreaper", ... */
void orphan_adopter_text(const struct orphan_facts *f, struct buf *out);
/* The evidence, in words (one sentence per fact, raw: names inside). */
void orphan_evidence_text(const struct orphan_facts *f,
			  const struct orphan_class *c, struct buf *out);
/* What to do about it. */
void orphan_advice_text(const struct orphan_facts *f,
			const struct orphan_class *c, struct buf *out);

/*
 * Every orphan among procs[0..n) (sorted by pid, as a snapshot, read
 * with ORPHAN_NEED).  terminal() is asked about the processes whose
 * class depends on their descriptors (orphan_std_terminal, or a test's
 * fake).  ORPHAN_OWN_SESSION ones only when all is set.  Returns how
 * many, in pid order, in *out (free with free()).
 */
#define ORPHAN_NEED (PI_PPID | PI_STAT | PI_STATE | PI_THREADS | PI_TTY)
struct orphan_entry {
	size_t index;              /* into procs */
	struct orphan_facts facts;
	struct orphan_class cls;
};
typedef int (*orphan_terminal_fn)(pid_t pid, char *path, size_t size,
				  bool *closed);
size_t orphans_find(const struct proc *procs, size_t n, bool all,
		    orphan_terminal_fn terminal, struct orphan_entry **out);

/* The real terminal(): proc_std_terminal. */
int orphan_std_terminal(pid_t pid, char *path, size_t size, bool *closed);

/*
 * The orphans of the machine now (own-session ones left out), from a
 * scan of every /proc/PID/stat: for `pmon ps --orphans` and `pmon tree
 * --orphans`, which look them up by pid and start time.  How many (in
 * *out, by pid; free()), or -1 with errno when /proc cannot be read.
 */
struct orphan_mark {
	pid_t pid;
	unsigned long long start_ticks;
	enum orphan_kind kind;
};
ssize_t orphan_marks(struct orphan_mark **out);
/* The kind marked for p (ORPHAN_NONE when it is not among marks). */
enum orphan_kind orphan_mark_of(const struct orphan_mark *marks, size_t n,
				const struct proc *p);

/* Is process group pgrp of session sid orphaned among procs[0..n)? */
bool orphan_pgrp_orphaned(const struct proc *procs, size_t n, pid_t pgrp);

#endif
