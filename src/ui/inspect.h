/*
 * inspect.h - the model of `pmon inspect`: everything read and decided
 * about one process (inspect_read.c), shown as text (inspect_show.c) or
 * JSON (cmd/inspect_json.c) from the same fields, so that the JSON
 * carries every one of them.  Top's detail view (topdetail.c) shows the
 * same model in the same text.
 *
 * It lives in ui, not act or view: it decides with act (orphan class,
 * zombie advice, reap's verdict) and decodes with view (the system call,
 * the state's words), and ui is the lowest layer that may use both.
 */
#ifndef PMON_UI_INSPECT_H
#define PMON_UI_INSPECT_H

#include "util/json_lib.h"
#include <stdbool.h>

#include "act/orphan.h"
#include "act/zombie.h"
#include "proc/inspect.h"
#include "proc/proc.h"
#include "view/output.h"
#include "view/syscalls.h"

enum { INSPECT_ANCESTORS_MAX = 64 };

struct ancestor {
	pid_t pid, session;
	char comm[64];
	enum adopter_kind kind;     /* init, a namespace's init, or another;
	                               unknown when not read (inspect_read.c) */
	int adopts;                 /* holds re-parented children: 1, 0, -1
	                               not looked at */
};

/* Who gets a process's children when it dies (the kernel's
 * find_new_reaper): the nearest ancestor that is a child subreaper,
 * else the init of its PID namespace. */
struct reaper {
	pid_t pid;
	char comm[64];
	enum adopter_kind kind;
	bool proven;                /* a subreaper by evidence (it holds
	                               re-parented processes) */
};

/* A descriptor named by the call it is blocked in. */
struct inspect_fd {
	struct syscall_fd fd;       /* points into the bufs below */
	struct buf target, socket;
	int err;
};

struct inspection {
	pid_t pid;
	int err;                    /* ESRCH: gone (or never there); 0 */
	pid_t thread_of;            /* pid is a thread of this process */

	/* The process, read with every item of pmon's reader; the rest of
	 * what it shows is in d.  The lookup owns the strings of every proc
	 * read (the process and its relatives). */
	struct proc_lookup *lookup;
	struct proc target;
	const struct proc *p;
	struct proc_detail d;
	struct proc_clock clock;
	/* The namespaces to compare with: init's, or pmon's own when
	 * init's cannot be read. */
	unsigned long long ref_ns[NS_KINDS];
	int ref_ns_err;
	bool ref_is_init;

	/* state */
	long in_state_s;            /* -1: the kernel does not say */

	/* family */
	struct ancestor anc[INSPECT_ANCESTORS_MAX];
	size_t nanc;
	pid_t anc_beyond;           /* the parent of anc[nanc - 1] when the
	                               walk stopped at the cap; else 0 */
	struct proc parent_p, leader_p;
	const struct proc *parent, *leader; /* NULL: not read */
	bool leader_alive;
	pid_t *kids;                /* its children now */
	size_t nkids, nzombies;     /* and how many of them are zombies */
	int pgrp_orphaned;          /* 1, 0, -1: not looked at (not stopped) */
	struct orphan_facts facts;
	struct orphan_class cls;
	struct reaper reaper;       /* where its children go if it dies
	                               (worked out only when nkids > 0) */

	/* waiting */
	struct inspect_fd fds[6];
	size_t nfds;
	struct buf call, waits;     /* syscall_describe's text */

	/* what its descriptors 0-2 are */
	struct buf std[3];
	int std_err[3];

	/* CPU */
	unsigned long long run0_ns, run1_ns;
	double t0, t1;
	bool cpu_exact;
	int cpu_err;                /* 0: run0/run1 were both read */
	bool sampled;

	bool my_ancestor;           /* pmon kill refuses it without --force */
	bool may_signal;            /* the kernel would let pmon (may_signal) */
};

/* Read everything about pid (for `pmon inspect`); ins->err says whether
 * it could.  The CPU sample's first reading is taken here. */
void inspect_read(pid_t pid, struct inspection *ins, bool utf8);
/* The second CPU reading (after the caller's pause). */
void inspect_sample(struct inspection *ins);
/* Or the CPU used between an earlier inspection of the same process and
 * this one (top's detail view, read at each refresh: no pause). */
void inspect_sample_since(struct inspection *ins, const struct inspection *before);
void inspect_free(struct inspection *ins);

/* The JSON object, and the text, of an inspection. */
json_t *inspect_json(const struct inspection *ins);
void inspect_print(struct output *out, const struct inspection *ins);

/* Words both the text and the JSON use (inspect_show.c). */
bool inspect_daemon(const struct inspection *ins, struct buf *why);
const char *inspect_not_orphan_why(const struct inspection *ins);
void inspect_kill_text(const struct inspection *ins, struct buf *b);
void inspect_reap_texts(const struct inspection *ins, struct buf *advice,
			struct buf *methods, bool *nudge, bool *inject,
			const char **refusal, char *why, size_t whysize);
const char *inspect_sigchld_words(enum sigchld_disp d);
int inspect_ns_compare(const struct inspection *ins, struct buf *b);
/* Whether any namespace inode was read (a zombie's are all gone: 0). */
bool inspect_ns_readable(const struct proc_detail *d);
/* Whether its children would be adopted if it ended: not for PID 1 (the
 * machine's end), a kernel thread (signals do not end it) or a zombie. */
bool inspect_children_adopted(const struct inspection *ins);
double inspect_cpu_life_pct(const struct inspection *ins);
double inspect_cpu_recent_pct(const struct inspection *ins, double *over);
const char *inspect_gid_name(gid_t gid, char *buf, size_t size);
const char *inspect_adopter_kind(enum adopter_kind k);

/* Why a part could not be read, for a reader: for EACCES/EPERM "not
 * readable (another account's process: run as root or as its user)", or,
 * when it is pmon's own account's (or pmon is root), that the kernel
 * refused (a process that is not dumpable, or holds more capabilities). */
const char *inspect_unreadable(const struct inspection *ins, int err);

#endif
