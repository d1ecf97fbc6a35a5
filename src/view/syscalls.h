/*
 * syscalls.h - system calls in words: the name of each number, and for
 * the calls a process is commonly found blocked in, its arguments decoded
 * and what it is waiting for ("read(3 → pipe:[81234], 4096)", "data to
 * read from pipe:[81234]").  Pure: what a descriptor points at is looked
 * up by the caller (the process layer) and handed in.
 */
#ifndef PMON_SYSCALLS_H
#define PMON_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>

#include "proc/inspect.h"
#include "util/util.h"

/* The name of call nr ("read"), or NULL when this build does not know it. */
const char *syscall_name(long nr);
/* The number of a name, or -1. */
long syscall_number(const char *name);

/* What the caller found about a descriptor an argument names. */
struct syscall_fd {
	int fd;
	const char *target;    /* readlink of fd/N; NULL: not readable */
	const char *socket;    /* what a socket is (proc_socket_describe) or
	                          NULL */
	long watched;          /* an epoll instance: descriptors it watches;
	                          -1 unknown or not epoll */
};

/* The descriptors among sc's arguments that are worth resolving, into
 * fds[] (at most 6); how many, and for each whether it is an epoll
 * instance (*epoll bit i). */
size_t syscall_fd_args(const struct syscall_line *sc, int fds[6],
		       unsigned *epoll);

/*
 * The call as text into call ("read(3 → pipe:[81234], 4096)"; pointers
 * left out, since another process's memory is not read) and what it
 * waits for into waits ("data to read from pipe:[81234]"; empty when
 * pmon has no words for the call).  fds are what syscall_fd_args asked
 * for.  The text holds descriptor targets, which any process chooses:
 * escape it.  arrow: "→" (UTF-8) or "->".
 */
void syscall_describe(const struct syscall_line *sc, const struct syscall_fd *fds,
		      size_t nfds, bool utf8, struct buf *call, struct buf *waits);

/* For JSON: the decoded name of a futex operation ("FUTEX_WAIT_PRIVATE"). */
const char *futex_op_name(unsigned long long op, char *buf, size_t size);

#endif
