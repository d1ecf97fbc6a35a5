/*
 * loop.h - a small single-threaded event loop on epoll, in the manner of
 * redis's ae.c: a handler per descriptor, interest in reading and/or
 * writing, and a hook that runs before each sleep (where the server
 * flushes the output it queued during the iteration, so that everything
 * queued for one client goes out in one writev) and decides how long the
 * loop may sleep.
 */
#ifndef PMON_CHAT_LOOP_H
#define PMON_CHAT_LOOP_H

#include <stdbool.h>

enum {
	LOOP_READ = 1,
	LOOP_WRITE = 2,
};

struct loop;

/* mask: the LOOP_* conditions that are ready (an error or hang-up is
 * reported as LOOP_READ, so that the read finds it). */
typedef void loop_handler(struct loop *l, int fd, void *data, int mask);
/* Runs before each wait; returns the longest wait in milliseconds, or -1
 * for no limit. */
typedef int loop_before_sleep(struct loop *l, void *data);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watch fd for mask (0 keeps it registered but asleep: out of the epoll
 * set, so that not even a hang-up wakes the loop for it).  Returns 0, or
 * -1 with errno from epoll_ctl. */
int loop_add(struct loop *l, int fd, int mask, loop_handler *fn, void *data);
int loop_set_mask(struct loop *l, int fd, int mask);
int loop_get_mask(const struct loop *l, int fd);
/* Forget fd (before closing it). */
void loop_del(struct loop *l, int fd);

void loop_set_before_sleep(struct loop *l, loop_before_sleep *fn, void *data);
/* Run until loop_stop; returns 0, or -1 with errno if epoll_wait failed. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
