/*
 * syscalls.c - see syscalls.h.
 *
 * Inject stops a thread with PTRACE_INTERRUPT, which wakes a blocking
 * call as a signal would.  Most calls then return one of the kernel's
 * -ERESTART* codes, and since no signal is delivered the kernel restarts
 * them on the way out.  The calls below return -EINTR instead, and the
 * program sees it.  Measured on Linux 6.18 (a thread blocked in each,
 * PTRACE_SEIZE + PTRACE_INTERRUPT, then detach): EINTR from epoll_wait,
 * epoll_pwait, epoll_pwait2 (with and without a timeout), rt_sigtimedwait,
 * semop, semtimedop, io_getevents, io_uring_enter, and read, recvfrom and
 * accept on a socket with SO_RCVTIMEO and send on one with SO_SNDTIMEO;
 * restarted: poll, ppoll, select, pselect6, nanosleep, clock_nanosleep,
 * futex, futex_waitv, io_pgetevents, wait4, waitid, pause, rt_sigsuspend,
 * msgrcv, mq_timedreceive, flock, read and accept on a socket without a
 * timeout, and read of a pipe, eventfd, signalfd, timerfd or inotify
 * descriptor.  signal(7) lists the same calls as failing with EINTR after
 * a stop signal and SIGCONT.  Setting -ERESTARTNOHAND in place of -EINTR
 * at the stop made each of the EINTR calls without a timeout restart.
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "act/syscalls.h"
#include "util/util.h"

#if defined(__x86_64__)

/* How a listed call's timeout is passed. */
enum timeout { NO_TIMEOUT, INT_MS, POINTER, UNSEEN };

static const struct call {
	long nr;
	const char *name;
	enum timeout timeout;
	int arg;          /* the timeout's argument, or the socket's */
	bool on_socket;   /* EINTR only on a socket with a timeout */
} calls[] = {
	{SYS_epoll_wait, "epoll_wait", INT_MS, 3, false},
	{SYS_epoll_pwait, "epoll_pwait", INT_MS, 3, false},
	{SYS_epoll_pwait2, "epoll_pwait2", POINTER, 3, false},
	{SYS_rt_sigtimedwait, "rt_sigtimedwait", POINTER, 2, false},
	{SYS_semop, "semop", NO_TIMEOUT, 0, false},
	{SYS_semtimedop, "semtimedop", POINTER, 3, false},
	{SYS_io_getevents, "io_getevents", POINTER, 4, false},
	/* A timeout rides in IORING_ENTER_EXT_ARG's struct, unread. */
	{SYS_io_uring_enter, "io_uring_enter", UNSEEN, 0, false},
	{SYS_read, "read", NO_TIMEOUT, 0, true},
	{SYS_readv, "readv", NO_TIMEOUT, 0, true},
	{SYS_recvfrom, "recvfrom", NO_TIMEOUT, 0, true},
	{SYS_recvmsg, "recvmsg", NO_TIMEOUT, 0, true},
	{SYS_recvmmsg, "recvmmsg", NO_TIMEOUT, 0, true},
	{SYS_accept, "accept", NO_TIMEOUT, 0, true},
	{SYS_accept4, "accept4", NO_TIMEOUT, 0, true},
	{SYS_write, "write", NO_TIMEOUT, 0, true},
	{SYS_writev, "writev", NO_TIMEOUT, 0, true},
	{SYS_sendto, "sendto", NO_TIMEOUT, 0, true},
	{SYS_sendmsg, "sendmsg", NO_TIMEOUT, 0, true},
	{SYS_sendmmsg, "sendmmsg", NO_TIMEOUT, 0, true},
	{SYS_sendfile, "sendfile", NO_TIMEOUT, 0, true},
	{SYS_connect, "connect", NO_TIMEOUT, 0, true},
};

struct call_info syscall_restart(long nr, const unsigned long long args[6])
{
	for (size_t i = 0; i < ARRAY_LEN(calls); i++) {
		const struct call *c = &calls[i];
		struct call_info info = {.name = c->name};

		if (c->nr != nr)
			continue;
		if (c->on_socket) {
			info.restart = CALL_EINTR_ON_SOCKET;
			info.fd_arg = c->arg;
			return info;
		}
		switch (c->timeout) {
		case NO_TIMEOUT:
			info.restart = CALL_EINTR_UNTIMED;
			break;
		case INT_MS: /* a negative int waits for ever */
			info.restart = (int)args[c->arg] < 0 ? CALL_EINTR_UNTIMED
							     : CALL_EINTR_TIMED;
			break;
		case POINTER: /* NULL waits for ever */
			info.restart = args[c->arg] ? CALL_EINTR_TIMED
						    : CALL_EINTR_UNTIMED;
			break;
		case UNSEEN:
			info.restart = CALL_EINTR_TIMED;
			info.timeout_unseen = true;
			break;
		}
		return info;
	}
	return (struct call_info){.restart = CALL_RESTARTS};
}

bool syscall_is_fork(long nr)
{
	return nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3;
}

#else /* inject is x86_64 only: nothing to tell apart elsewhere */

struct call_info syscall_restart(long nr, const unsigned long long args[6])
{
	(void)nr, (void)args;
	return (struct call_info){.restart = CALL_RESTARTS};
}

bool syscall_is_fork(long nr)
{
	(void)nr;
	return false;
}

#endif
