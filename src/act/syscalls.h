/*
 * syscalls.h - what an inject's stop does to the system call a thread is
 * blocked in: the kernel restarts most of them unseen, a few return EINTR
 * to the program.  Pure: the caller reads the call (proc_thread_syscall,
 * or the registers of a held thread).
 */
#ifndef PMON_ACT_SYSCALLS_H
#define PMON_ACT_SYSCALLS_H

#include <stdbool.h>

enum call_restart {
	CALL_RESTARTS,        /* the kernel restarts it after the stop, unseen */
	CALL_EINTR_UNTIMED,   /* returns EINTR, but waits without a timeout:
	                         pmon restarts it as the kernel would restart
	                         a call it had interrupted (-ERESTARTNOHAND) */
	CALL_EINTR_TIMED,     /* returns EINTR, and its timeout has partly
	                         run: pmon cannot restart it with the time
	                         left (or cannot see whether it has one) */
	CALL_EINTR_ON_SOCKET, /* returns EINTR when its descriptor (fd_arg)
	                         is a socket with a timeout (SO_RCVTIMEO,
	                         SO_SNDTIMEO), which /proc does not show */
};

struct call_info {
	enum call_restart restart;
	const char *name;     /* "epoll_wait"; NULL for a call not listed */
	int fd_arg;           /* CALL_EINTR_ON_SOCKET: its descriptor's index */
	bool timeout_unseen;  /* CALL_EINTR_TIMED: whether it has a timeout
	                         cannot be seen (io_uring_enter) */
};

/* Call nr (x86_64 numbering) with arguments args.  Anything not listed
 * restarts; so does everything on an architecture without inject. */
struct call_info syscall_restart(long nr, const unsigned long long args[6]);

/* Is nr a call that makes a new process and, for a vfork, waits in state
 * D until the child execs or exits (vfork, clone, clone3)? */
bool syscall_is_fork(long nr);

#endif
