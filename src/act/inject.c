/*
 * inject.c - see inject.h.  The technique (x86_64):
 *
 *  1. PTRACE_SEIZE one live thread of the parent and PTRACE_INTERRUPT it.
 *     The stop it reaches is inside the kernel's signal handling
 *     (get_signal), where the registers still say whether an interrupted
 *     system call is to be restarted.  Save the whole register set there.
 *  2. Point the thread at a `syscall` instruction borrowed from its own
 *     vDSO (a busy loop has none of its own, and writing code into a
 *     process whose other threads run is unsafe), with rax = wait4 and
 *     orig_rax = -1 so the kernel does not take the injected set for an
 *     interrupted call to restart.  Run it up to the syscall-exit stop.
 *  3. A signal that arrives before the injected call runs shows up as a
 *     signal-delivery stop first: put the saved registers back, pass the
 *     signal on (the handler then sees the program as it was), stop the
 *     thread again and retry.
 *  4. To let go, put the registers back exactly, then PTRACE_INTERRUPT and
 *     continue, so the thread stops once more in get_signal and leaves
 *     through the kernel's own restart logic: pause(), read() or
 *     nanosleep() restart as if nothing happened.  Restoring at the
 *     syscall-exit stop and continuing would skip that logic and leak
 *     -ERESTARTNOHAND (-514) and friends to the program as errno.
 *     Detaching a thread whose process is group-stopped stops it again.
 *  5. A stopped process must not act on a pending signal before SIGCONT
 *     (a pending SIGTERM would kill it at once), so in a stopped thread
 *     pmon blocks every signal while it runs the call (PTRACE_SETSIGMASK)
 *     and puts the thread's own mask back before letting go.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "act/inject.h"
#include "act/signals.h"
#include "act/syscalls.h"
#include "util/util.h"
#include "proc/proc.h"

#if defined(__x86_64__)

#include <elf.h>
#include <sys/user.h>

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
/* The kernel's restart code (include/linux/errno.h), not in the uapi. */
#define ERESTARTNOHAND 514

bool inject_supported(void)
{
	return true;
}

enum stop {
	STOP_EVENT,   /* group-stop or PTRACE_INTERRUPT: inside get_signal */
	STOP_SYSCALL, /* syscall entry or exit (PTRACE_O_TRACESYSGOOD) */
	STOP_SIGNAL,  /* signal-delivery stop: a signal is to be delivered */
	STOP_GONE,    /* the thread exited (or was killed) */
	STOP_TIMEOUT,
	STOP_ERROR,
};

struct held {
	pid_t tid;
	struct user_regs_struct saved; /* as the thread was: put back at the end */
	bool regs_changed;             /* the thread holds our registers */
	bool at_syscall_stop;          /* not inside get_signal */
	bool group_stopped;            /* the process is stopped (T) */
	bool mask_changed;             /* the thread's signals are blocked */
	uint64_t mask;                 /* its own blocked set, to put back */
	struct inject_result *res;
};

static long elapsed_us(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000L +
	       (now.tv_nsec - since->tv_nsec) / 1000;
}

/* Wait for the next stop of tid; deadline NULL waits as long as it takes
 * (only used once the thread is ours and about to stop anyway).  SIGCHLD
 * is blocked in the helper, so it can be waited for without a race. */
static enum stop wait_stop(pid_t tid, const struct timespec *start,
			   long timeout_us, int *sig)
{
	sigset_t chld;
	int st;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		pid_t r = waitpid(tid, &st, __WALL | (start ? WNOHANG : 0));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return STOP_ERROR;
		if (r == 0) {
			long left = timeout_us - elapsed_us(start);
			struct timespec ts;

			if (left <= 0)
				return STOP_TIMEOUT;
			if (left > 20000)
				left = 20000; /* poll now and then anyway */
			ts.tv_sec = 0;
			ts.tv_nsec = left * 1000;
			sigtimedwait(&chld, NULL, &ts);
			continue;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return STOP_GONE;
		if (!WIFSTOPPED(st))
			continue;
		*sig = WSTOPSIG(st);
		if ((st >> 16) == PTRACE_EVENT_STOP)
			return STOP_EVENT;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			return STOP_SYSCALL;
		return STOP_SIGNAL;
	}
}

static int get_regs(pid_t tid, struct user_regs_struct *r)
{
	return (int)ptrace(PTRACE_GETREGS, tid, NULL, r);
}

static int set_regs(pid_t tid, const struct user_regs_struct *r)
{
	return (int)ptrace(PTRACE_SETREGS, tid, NULL, r);
}

static void fail(struct held *h, enum inject_status status, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static void fail(struct held *h, enum inject_status status, const char *fmt, ...)
{
	va_list ap;

	if (h->res->status != INJECT_DONE)
		return; /* keep the first reason */
	h->res->status = status;
	va_start(ap, fmt);
	vsnprintf(h->res->why, sizeof(h->res->why), fmt, ap);
	va_end(ap);
}

/* Bring the thread to a stop inside get_signal (an event stop) with its
 * own registers, passing on any signal that comes first, and save its
 * registers there.  start NULL: no time limit. */
static int hold(struct held *h, const struct timespec *start, long timeout_us)
{
	for (;;) {
		int sig = 0;

		switch (wait_stop(h->tid, start, timeout_us, &sig)) {
		case STOP_EVENT:
			/* An interrupt stop reports SIGTRAP, a group stop
			 * the signal that stopped the process. */
			h->group_stopped = sig != SIGTRAP;
			h->at_syscall_stop = false;
			if (get_regs(h->tid, &h->saved) < 0) {
				fail(h, INJECT_FAILED, "cannot read the parent's registers: %s",
				     strerror(errno));
				return -1;
			}
			return 0;
		case STOP_SIGNAL:
			/* Deliver it now, with the program's own registers;
			 * the stop trap was used up by this stop: ask again. */
			h->res->passed_signals++;
			ptrace(PTRACE_INTERRUPT, h->tid, NULL, NULL);
			if (ptrace(PTRACE_CONT, h->tid, NULL, (void *)(long)sig) < 0)
				goto gone;
			continue;
		case STOP_SYSCALL:
			ptrace(PTRACE_INTERRUPT, h->tid, NULL, NULL);
			if (ptrace(PTRACE_CONT, h->tid, NULL, NULL) < 0)
				goto gone;
			continue;
		case STOP_TIMEOUT:
			fail(h, INJECT_REFUSED,
			     "the parent did not stop within %ld ms (uninterruptible "
			     "sleep, state D?); nothing was changed", timeout_us / 1000);
			return -1;
		case STOP_GONE:
			goto gone;
		case STOP_ERROR:
			fail(h, INJECT_FAILED, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
gone:
	fail(h, INJECT_FAILED, "the parent exited while pmon held it");
	return -1;
}

/* One wait4 in the held thread, which is at an event stop or at the exit
 * stop of the previous injected call.  0 with *ret, or -1. */
static int inject_one(struct held *h, unsigned long sys_addr, pid_t zpid, long *ret)
{
	for (int attempt = 0; attempt < 1000; attempt++) {
		struct user_regs_struct r = h->saved;
		int sig = 0;
		enum stop kind;

		r.rip = sys_addr;
		r.rax = SYS_wait4;
		r.orig_rax = (unsigned long long)-1;
		r.rdi = (unsigned long long)zpid;
		r.rsi = 0;
		r.rdx = WNOHANG | __WALL;
		r.r10 = 0;
		if (set_regs(h->tid, &r) < 0) {
			fail(h, INJECT_FAILED, "cannot set the parent's registers: %s", strerror(errno));
			return -1;
		}
		h->regs_changed = true;
		if (ptrace(PTRACE_SYSCALL, h->tid, NULL, NULL) < 0)
			return fail(h, INJECT_FAILED, "the parent exited while pmon held it"), -1;
		kind = wait_stop(h->tid, NULL, 0, &sig);
		if (kind == STOP_SYSCALL) {
			if (get_regs(h->tid, &r) < 0 || r.orig_rax != SYS_wait4 ||
			    r.rip != sys_addr + 2) {
				fail(h, INJECT_FAILED, "the injected call did not start as expected");
				return -1;
			}
			if (ptrace(PTRACE_SYSCALL, h->tid, NULL, NULL) < 0 ||
			    wait_stop(h->tid, NULL, 0, &sig) != STOP_SYSCALL ||
			    get_regs(h->tid, &r) < 0) {
				fail(h, INJECT_FAILED, "the parent exited while pmon held it");
				return -1;
			}
			h->at_syscall_stop = true;
			*ret = (long)r.rax;
			return 0;
		}
		h->res->retries++;
		if (kind == STOP_SIGNAL) {
			/* The call has not run: put the program back as it was,
			 * let its signal in, stop it again and retry. */
			if (set_regs(h->tid, &h->saved) < 0)
				break;
			h->regs_changed = false;
			h->res->passed_signals++;
			ptrace(PTRACE_INTERRUPT, h->tid, NULL, NULL);
			if (ptrace(PTRACE_CONT, h->tid, NULL, (void *)(long)sig) < 0 ||
			    hold(h, NULL, 0) < 0)
				return -1;
			continue;
		}
		if (kind == STOP_EVENT) {
			/* A group stop (or a stray stop trap) came first: we
			 * are inside get_signal again, with our registers. */
			h->at_syscall_stop = false;
			if (set_regs(h->tid, &h->saved) < 0)
				break;
			h->regs_changed = false;
			continue;
		}
		break;
	}
	fail(h, INJECT_FAILED, "the parent exited while pmon held it");
	return -1;
}

/* Put the registers back and detach through one more stop inside
 * get_signal, so that an interrupted call restarts the kernel's way. */
static int release(struct held *h)
{
	struct user_regs_struct now;
	int sig = 0;

	if (!h->regs_changed && !h->at_syscall_stop && !h->mask_changed)
		return (int)ptrace(PTRACE_DETACH, h->tid, NULL, NULL);
	if (set_regs(h->tid, &h->saved) < 0)
		return -1;
	if (h->at_syscall_stop) {
		if (ptrace(PTRACE_INTERRUPT, h->tid, NULL, NULL) < 0 ||
		    ptrace(PTRACE_CONT, h->tid, NULL, NULL) < 0)
			return -1;
		for (;;) {
			switch (wait_stop(h->tid, NULL, 0, &sig)) {
			case STOP_EVENT:
				break;
			case STOP_SIGNAL:
				/* Inside get_signal too: let it in as we go. */
				if (h->mask_changed &&
				    ptrace(PTRACE_SETSIGMASK, h->tid, (void *)sizeof(h->mask),
					   &h->mask) < 0)
					return -1;
				return (int)ptrace(PTRACE_DETACH, h->tid, NULL,
						   (void *)(long)sig);
			case STOP_SYSCALL:
				ptrace(PTRACE_INTERRUPT, h->tid, NULL, NULL);
				if (ptrace(PTRACE_CONT, h->tid, NULL, NULL) < 0)
					return -1;
				continue;
			default:
				return -1;
			}
			break;
		}
		/* It ran no code of its own since the registers went back. */
		if (get_regs(h->tid, &now) == 0 &&
		    memcmp(&now, &h->saved, sizeof(now)) != 0)
			set_regs(h->tid, &h->saved);
	}
	if (h->mask_changed &&
	    ptrace(PTRACE_SETSIGMASK, h->tid, (void *)sizeof(h->mask), &h->mask) < 0)
		return -1;
	return (int)ptrace(PTRACE_DETACH, h->tid, NULL, NULL);
}

/*
 * A stopped process must not act on a signal before it is continued: a
 * pending SIGTERM would otherwise kill it now, not at SIGCONT.  So while
 * pmon runs the stopped thread, it blocks every signal in it; they stay
 * pending, and the thread's own mask is back before it is let go.
 */
static int block_signals_if_stopped(struct held *h)
{
	uint64_t all = ~(uint64_t)0;

	if (!h->group_stopped)
		return 0;
	if (ptrace(PTRACE_GETSIGMASK, h->tid, (void *)sizeof(h->mask), &h->mask) < 0 ||
	    ptrace(PTRACE_SETSIGMASK, h->tid, (void *)sizeof(all), &all) < 0)
		return -1;
	h->mask_changed = true;
	return 0;
}

/* A 64-bit x86 process: its register set is the 64-bit one, in the
 * 64-bit code segment. */
static bool is_x86_64(pid_t tid)
{
	struct user_regs_struct r;
	struct iovec iov = {.iov_base = &r, .iov_len = sizeof(r)};

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) < 0)
		return false;
	return iov.iov_len == sizeof(r) && r.cs == 0x33;
}

/* Is ref's process still there?  The pidfd check covers a pid recycled
 * (even within the clock tick, by the pidfs inode) and a /proc of another
 * PID namespace.  NULL, or why not (into buf). */
static const char *gone_why(const struct proc_ref *ref, char *buf, size_t size)
{
	int fd = pidfd_open_ref(ref);

	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	snprintf(buf, size, "%s; not touched", errno == ESTALE ?
		 "the parent's PID now names another process (recycled)" :
		 errno != EXDEV ? "the parent has exited" :
		 proc_pidns()->kind == PIDNS_FOREIGN ? PIDNS_FOREIGN_WORDS :
		 "the parent is " PIDNS_OUTSIDE_WORDS);
	return buf;
}

/*
 * The stop that holds the thread made the call it was blocked in return:
 * most calls with one of the kernel's -ERESTART codes, which the kernel
 * acts on when the thread goes on, so they restart unseen.  A few return
 * -EINTR (syscalls.h).  For one that waits without a timeout, pmon puts
 * -ERESTARTNOHAND in its place, the code the kernel gives such calls
 * elsewhere (ppoll, pause): restarted when no handler runs, EINTR when
 * one does, exactly as if the stop had not been.  Only when the stop was
 * pmon's (not a group stop, which makes the call return EINTR anyway) and
 * the thread sits just after a syscall instruction, so that the registers
 * are those of a call's return and not of a fault.
 */
static void settle_interrupted_call(struct held *h)
{
	const struct user_regs_struct *r = &h->saved;
	unsigned long long args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	struct call_info c;
	long before;

	if (h->group_stopped || (long long)r->orig_rax < 0 ||
	    (long long)r->rax != -EINTR)
		return;
	errno = 0;
	before = ptrace(PTRACE_PEEKTEXT, h->tid, (void *)(r->rip - 2), NULL);
	if (errno || (before & 0xffff) != 0x050f)
		return;
	c = syscall_restart((long)r->orig_rax, args);
	if (c.restart == CALL_RESTARTS)
		return; /* EINTR after a handler ran: the program's own */
	if (c.restart == CALL_EINTR_UNTIMED) {
		h->saved.rax = (unsigned long long)-ERESTARTNOHAND;
		h->regs_changed = true;
		snprintf(h->res->restarted, sizeof(h->res->restarted), "%s", c.name);
	} else {
		snprintf(h->res->eintr, sizeof(h->res->eintr), "%s", c.name);
	}
}

/* Is the thread this helper holds thread ptid of ref's process, as /proc
 * numbers it?  It was stopped by pmon's own number for it, which names
 * another thread if ptid exited and its number was reused, or if /proc is
 * another PID namespace's and the mapping met a sibling namespace. */
static bool holds_thread(const struct proc_ref *ref, pid_t ptid)
{
	pid_t tracer;

	return proc_thread_tracer(ref->pid, ptid, &tracer) == 0 &&
	       tracer == proc_self_pid();
}

/* In the helper: hold thread ptid of ref's process (tid as pmon's PID
 * namespace numbers it: what ptrace takes) and run the calls. */
static void helper_main(const struct proc_ref *ref, pid_t ptid, pid_t tid,
			unsigned long sys_addr, const pid_t *zpids,
			size_t n, int timeout_ms, long *rets,
			struct inject_result *res)
{
	struct held h = {.tid = tid, .res = res};
	struct timespec start;
	const char *gone;
	char why[200];
	long word;

	res->status = INJECT_DONE;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD) < 0) {
		int err = errno;

		if (err == EPERM)
			fail(&h, INJECT_REFUSED, "cannot ptrace the parent: it is "
			     "already traced, or permission is denied%s",
			     privilege_hint(err));
		else
			fail(&h, INJECT_REFUSED, "cannot ptrace the parent: %s", strerror(err));
		return;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 ||
	    hold(&h, &start, timeout_ms * 1000L) < 0)
		return; /* exiting detaches: nothing was changed */
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* Whatever comes next, the stop's effect on the call in progress
	 * is undone where it can be (even in a process pmon then leaves). */
	if (is_x86_64(tid))
		settle_interrupted_call(&h);
	if ((gone = gone_why(ref, why, sizeof(why)))) {
		fail(&h, INJECT_REFUSED, "%s", gone);
	} else if (!holds_thread(ref, ptid)) {
		fail(&h, INJECT_REFUSED, "the thread pmon stopped is not the "
		     "parent's (it exited and its number was reused); not touched");
	} else if (!is_x86_64(tid)) {
		fail(&h, INJECT_REFUSED, "the parent is not a 64-bit x86 process");
	} else {
		errno = 0;
		word = ptrace(PTRACE_PEEKTEXT, tid, (void *)sys_addr, NULL);
		if ((word & 0xffff) != 0x050f || errno)
			fail(&h, INJECT_REFUSED, "the parent's vDSO has no syscall instruction where expected");
	}
	if (res->status == INJECT_DONE && block_signals_if_stopped(&h) < 0)
		fail(&h, INJECT_FAILED, "cannot block its signals: %s", strerror(errno));
	for (size_t i = 0; i < n && res->status == INJECT_DONE; i++)
		if (inject_one(&h, sys_addr, zpids[i], &rets[i]) < 0)
			break;
	if (release(&h) < 0)
		fail(&h, INJECT_FAILED, "could not let go of it cleanly: %s",
		     strerror(errno));
	res->hold_us = elapsed_us(&start);
}

/* A `syscall` instruction (0f 05) in the parent's vDSO, read (through
 * the thread to hold: a leader that has exited has no memory) before it
 * is touched; ptid is that thread as /proc numbers it, tid as pmon's own
 * namespace does.  0, or -1 with why. */
static int find_vdso_syscall(pid_t ptid, pid_t tid, unsigned long *addr,
			     struct inject_result *res)
{
	unsigned long start, end;
	unsigned char *text;
	struct iovec local, remote;
	ssize_t got;
	int rc = -1;

	if (proc_vdso_range(ptid, &start, &end) < 0) {
		if (errno == ENOENT)
			snprintf(res->why, sizeof(res->why), "the parent has no vDSO "
				 "to borrow a syscall instruction from");
		else if (errno == ESRCH)
			snprintf(res->why, sizeof(res->why), "the parent has exited");
		else
			snprintf(res->why, sizeof(res->why), "cannot read the parent's "
				 "memory map: %s%s", strerror(errno), privilege_hint(errno));
		return -1;
	}
	if (end <= start || end - start > (1ul << 20))
		end = start + 4096;
	text = xmalloc(end - start);
	local = (struct iovec){text, end - start};
	remote = (struct iovec){(void *)start, end - start};
	got = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (got < 0) {
		snprintf(res->why, sizeof(res->why), "cannot read the parent's "
			 "memory: %s%s", strerror(errno), privilege_hint(errno));
	} else {
		for (ssize_t i = 0; i + 1 < got; i++) {
			if (text[i] == 0x0f && text[i + 1] == 0x05) {
				*addr = start + (unsigned long)i;
				rc = 0;
				break;
			}
		}
		if (rc < 0)
			snprintf(res->why, sizeof(res->why),
				 "the parent's vDSO has no syscall instruction to borrow");
	}
	free(text);
	return rc;
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;

	while (n) {
		ssize_t got = read(fd, c, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		c += got;
		n -= (size_t)got;
	}
	return 0;
}

int inject_wait4(const struct proc_ref *ref, pid_t ptid, const pid_t *zpids,
		 size_t n, int timeout_ms, long *rets, struct inject_result *res)
{
	sigset_t all, old;
	unsigned long sys_addr;
	pid_t tid, helper;
	int fds[2], st;

	memset(res, 0, sizeof(*res));
	res->status = INJECT_REFUSED;
	for (size_t i = 0; i < n; i++)
		rets[i] = -ECHILD;
	if (gone_why(ref, res->why, sizeof(res->why)))
		return -1;
	if (proc_own_pid(ref->pid, ptid, &tid) < 0) {
		snprintf(res->why, sizeof(res->why), "the thread to stop has exited");
		return -1;
	}
	if (find_vdso_syscall(ptid, tid, &sys_addr, res) < 0)
		return -1;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(res->why, sizeof(res->why), "pipe: %s", strerror(errno));
		return -1;
	}
	/* No signal may end pmon (or the helper) while the parent holds our
	 * registers; what arrives meanwhile is delivered afterwards. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	helper = fork();
	if (helper == 0) {
		struct inject_result r = {0};

		signal(SIGCHLD, SIG_DFL); /* stops must raise SIGCHLD here */
		close(fds[0]);
		helper_main(ref, ptid, tid, sys_addr, zpids, n, timeout_ms, rets, &r);
		if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r) ||
		    write(fds[1], rets, n * sizeof(*rets)) != (ssize_t)(n * sizeof(*rets)))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (helper < 0) {
		snprintf(res->why, sizeof(res->why), "fork: %s", strerror(errno));
		close(fds[0]);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	if (read_all(fds[0], res, sizeof(*res)) < 0 ||
	    read_all(fds[0], rets, n * sizeof(*rets)) < 0) {
		res->status = INJECT_FAILED;
		snprintf(res->why, sizeof(res->why), "the ptrace helper died");
	}
	close(fds[0]);
	while (waitpid(helper, &st, 0) < 0 && errno == EINTR)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return res->status == INJECT_DONE ? 0 : -1;
}

#else /* not x86_64 */

bool inject_supported(void)
{
	return false;
}

int inject_wait4(const struct proc_ref *ref, pid_t tid, const pid_t *zpids,
		 size_t n, int timeout_ms, long *rets, struct inject_result *res)
{
	(void)ref, (void)tid, (void)zpids, (void)timeout_ms;
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < n; i++)
		rets[i] = -ENOSYS;
	res->status = INJECT_REFUSED;
	snprintf(res->why, sizeof(res->why),
		 "inject is implemented and tested on x86_64 only; "
		 "use --kill-parent, or fix the parent");
	return -1;
}

#endif
