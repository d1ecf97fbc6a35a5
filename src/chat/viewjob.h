/*
 * viewjob.h - the room's shared views made off its loop.
 *
 * A view reads the whole process table: 160 to 210 ms of CPU at 10,000
 * processes (views.h), during which a room that made it on its loop
 * would answer nobody.  So the loop only starts a job: a child process
 * (fork, no exec) makes the view with the asker's rights as views.c
 * decides them, writes it on a pipe and exits; the loop reads the pipe
 * like any other descriptor, hands the view to done(), and reaps the
 * child when its pidfd says it has exited.  A child rather than a
 * thread, as the account lookups have (resolve.c): the process layer
 * keeps per-process state (the chosen backend, the BPF iterator, the
 * loaded libproc2) that a thread would share with the loop.
 *
 * One view at a time (the room's rate limit already spaces them); one
 * that takes longer than its time (chatd --view-timeout) is ended, and
 * done() says so.  The child asks to be killed if the server dies, so none
 * outlives it.
 */
#ifndef PMON_CHAT_VIEWJOB_H
#define PMON_CHAT_VIEWJOB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "chat/proto.h"
#include "chat/views.h"

#define VIEW_JOB_TIMEOUT 10 /* seconds a view may take, by default */

struct loop;
struct view_jobs;

enum view_kind { VIEW_ZOMBIES, VIEW_TREE, VIEW_PS, VIEW_INSPECT };

/* What to make, for whom. */
struct view_order {
	enum view_kind kind;
	struct view_asker asker;
	pid_t pid;                        /* /tree, /inspect */
	char pattern[CHAT_LINE_MAX + 1];  /* /ps */
	size_t pattern_len;
};

/* A view is made: rc and v as the view_* functions of views.h leave
 * them, or rc -1 and v->head saying why there is none (the child failed
 * or took too long).  v is the callee's to free (view_free). */
typedef void view_done_fn(void *ctx, int rc, struct shared_view *v);

/* Views read back on l, each given timeout seconds. */
struct view_jobs *view_jobs_new(struct loop *l, unsigned timeout);
/* End and reap every child (waiting up to a second for each: for the
 * server's end only). */
void view_jobs_free(struct view_jobs *j);
/* Is a view being made (or are too many children left unreaped)? */
bool view_jobs_busy(const struct view_jobs *j);
/* Start making o; done(ctx, ...) is called from the loop once it is
 * made.  0, or -1 with errno (busy: EBUSY; else pipe, fork, pidfd_open). */
int view_jobs_start(struct view_jobs *j, const struct view_order *o,
		    view_done_fn *done, void *ctx);
/* Nobody waits for the view being made any more: end it, call nothing. */
void view_jobs_cancel(struct view_jobs *j);
/* End the view being made if its time is up (done() is told), and reap
 * the children that could not be reaped when they exited.  Returns the
 * milliseconds until it must be called again, or -1 for never. */
int view_jobs_tick(struct view_jobs *j);

/* The child's side, for the tests: make o and write it on fd in the
 * form view_parse reads.  0, or -1 with errno from write. */
int view_write(int fd, const struct view_order *o);
/* Read a view written by view_write from text[0..n): 0 with *rc and v
 * filled, or -1 when it is not one (v->head says so). */
int view_parse(const char *text, size_t n, int *rc, struct shared_view *v);

#endif
