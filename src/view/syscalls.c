/*
 * syscalls.c - system calls in words (see syscalls.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "view/syscalls.h"

struct syscall_name {
	long nr;
	const char *name;
};
#include "view/syscall_names.h"

const char *syscall_name(long nr)
{
	for (size_t i = 0; i < ARRAY_LEN(syscall_names); i++)
		if (syscall_names[i].nr == nr)
			return syscall_names[i].name;
	return NULL;
}

long syscall_number(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(syscall_names); i++)
		if (strcmp(syscall_names[i].name, name) == 0)
			return syscall_names[i].nr;
	return -1;
}

/* ---- the calls pmon decodes ---------------------------------------------- */

/* How an argument is shown.  A_SKIP: a pointer into the process's
 * memory, which pmon does not read, so it is left out. */
enum arg {
	A_SKIP, A_FD, A_EPFD, A_DIRFD, A_INT, A_UINT, A_HEX, A_ADDR, A_MS,
	A_TS, A_NFDS, A_FUTEX_OP, A_WAIT_PID, A_WAIT_OPTS, A_IDTYPE, A_CLOCK,
	A_CLOCK_FLAGS, A_FLOCK, A_FCNTL, A_OPEN_FLAGS, A_OPEN_MODE,
};

/*
 * What a blocked call waits for, with placeholders: {fd} what the first
 * descriptor argument is, {fdnum} its number, {n} how many descriptors
 * (epoll: watched; poll: nfds), {int0} the first argument, {wait} whom
 * wait4/waitid waits for, {clock} the clock of a sleep, {futex} what a
 * futex operation waits for.
 */
static const struct decoded {
	const char *name;
	enum arg args[6];
	int nargs;
	const char *waits;
} decoded[] = {
	{"read", {A_FD, A_SKIP, A_UINT}, 3, "data to read from {fd}"},
	{"readv", {A_FD, A_SKIP, A_UINT}, 3, "data to read from {fd}"},
	{"pread64", {A_FD, A_SKIP, A_UINT, A_INT}, 4, "data to read from {fd}"},
	{"preadv", {A_FD, A_SKIP, A_UINT}, 3, "data to read from {fd}"},
	{"preadv2", {A_FD, A_SKIP, A_UINT}, 3, "data to read from {fd}"},
	{"write", {A_FD, A_SKIP, A_UINT}, 3, "room to write to {fd}"},
	{"writev", {A_FD, A_SKIP, A_UINT}, 3, "room to write to {fd}"},
	{"pwrite64", {A_FD, A_SKIP, A_UINT, A_INT}, 4, "room to write to {fd}"},
	{"recvfrom", {A_FD, A_SKIP, A_UINT, A_HEX}, 4, "data to receive on {fd}"},
	{"recvmsg", {A_FD, A_SKIP, A_HEX}, 3, "data to receive on {fd}"},
	{"recvmmsg", {A_FD, A_SKIP, A_UINT, A_HEX, A_TS}, 5, "data to receive on {fd}"},
	{"sendto", {A_FD, A_SKIP, A_UINT, A_HEX}, 4, "room to send on {fd}"},
	{"sendmsg", {A_FD, A_SKIP, A_HEX}, 3, "room to send on {fd}"},
	{"accept", {A_FD}, 1, "a connection to accept on {fd}"},
	{"accept4", {A_FD, A_SKIP, A_SKIP, A_HEX}, 4, "a connection to accept on {fd}"},
	{"connect", {A_FD}, 1, "the connection of {fd} to be set up"},
	{"epoll_wait", {A_EPFD, A_SKIP, A_INT, A_MS}, 4,
	 "an event on one of the {n} descriptors its epoll instance {fdnum} watches"},
	{"epoll_pwait", {A_EPFD, A_SKIP, A_INT, A_MS}, 4,
	 "an event on one of the {n} descriptors its epoll instance {fdnum} watches"},
	{"epoll_pwait2", {A_EPFD, A_SKIP, A_INT, A_TS}, 4,
	 "an event on one of the {n} descriptors its epoll instance {fdnum} watches"},
	{"poll", {A_SKIP, A_NFDS, A_MS}, 3, "one of {n} descriptors to become ready"},
	{"ppoll", {A_SKIP, A_NFDS, A_TS}, 3, "one of {n} descriptors to become ready"},
	{"select", {A_INT, A_SKIP, A_SKIP, A_SKIP, A_TS}, 5,
	 "one of the descriptors below {int0} to become ready"},
	{"pselect6", {A_INT, A_SKIP, A_SKIP, A_SKIP, A_TS}, 5,
	 "one of the descriptors below {int0} to become ready"},
	{"futex", {A_ADDR, A_FUTEX_OP, A_SKIP, A_TS}, 4, "{futex}"},
	{"futex_wait", {A_ADDR, A_SKIP, A_SKIP, A_SKIP, A_TS, A_CLOCK}, 6,
	 "a wake-up on the futex at {addr} (a lock, a condition variable or a thread to finish)"},
	{"futex_waitv", {A_SKIP, A_UINT, A_HEX, A_TS, A_CLOCK}, 5,
	 "a wake-up on one of several futexes"},
	{"wait4", {A_WAIT_PID, A_SKIP, A_WAIT_OPTS}, 3, "{wait} to exit or stop"},
	{"waitid", {A_IDTYPE, A_INT, A_SKIP, A_WAIT_OPTS}, 4, "{wait} to change state"},
	{"nanosleep", {A_SKIP}, 0, "a set time to pass"},
	{"clock_nanosleep", {A_CLOCK, A_CLOCK_FLAGS}, 2, "a set time to pass on {clock}"},
	{"pause", {A_SKIP}, 0, "any signal"},
	{"rt_sigsuspend", {A_SKIP}, 0, "a signal it does not block"},
	{"rt_sigtimedwait", {A_SKIP, A_SKIP, A_TS}, 3, "one of the signals it waits for"},
	{"msgrcv", {A_INT}, 1, "a message on System V message queue {int0}"},
	{"msgsnd", {A_INT}, 1, "room on System V message queue {int0}"},
	{"semop", {A_INT}, 1, "System V semaphore set {int0}"},
	{"semtimedop", {A_INT, A_SKIP, A_UINT, A_TS}, 4, "System V semaphore set {int0}"},
	{"flock", {A_FD, A_FLOCK}, 2, "a lock on {fd}"},
	{"fcntl", {A_FD, A_FCNTL}, 2, NULL}, /* words only for F_SETLKW */
	{"ioctl", {A_FD, A_HEX}, 2, NULL},
	{"open", {A_SKIP, A_OPEN_FLAGS, A_OPEN_MODE}, 3,
	 "the open to complete (a FIFO waits for its other end)"},
	{"openat", {A_DIRFD, A_SKIP, A_OPEN_FLAGS, A_OPEN_MODE}, 4,
	 "the open to complete (a FIFO waits for its other end)"},
	{"fsync", {A_FD}, 1, "the data of {fd} to reach storage"},
	{"fdatasync", {A_FD}, 1, "the data of {fd} to reach storage"},
	{"sync", {A_SKIP}, 0, "every file system's data to reach storage"},
	{"io_uring_enter", {A_FD, A_UINT, A_UINT, A_HEX}, 4, "io_uring completions on {fd}"},
	{"io_getevents", {A_HEX, A_INT, A_INT, A_SKIP, A_TS}, 5, "asynchronous I/O to complete"},
	{"mq_timedreceive", {A_FD, A_SKIP, A_UINT, A_SKIP, A_TS}, 5, "a message on {fd}"},
	{"vfork", {A_SKIP}, 0, "its vfork() child to exec or exit"},
	{"restart_syscall", {A_SKIP}, 0, "an interrupted call it has resumed (usually a sleep)"},
	{"getrandom", {A_SKIP, A_UINT, A_HEX}, 3, "the kernel's random pool to be ready"},
	{"close", {A_FD}, 1, NULL},
};

static const struct decoded *decoded_of(long nr)
{
	const char *name = syscall_name(nr);

	for (size_t i = 0; name && i < ARRAY_LEN(decoded); i++)
		if (strcmp(decoded[i].name, name) == 0)
			return &decoded[i];
	return NULL;
}

size_t syscall_fd_args(const struct syscall_line *sc, int fds[6], unsigned *epoll)
{
	const struct decoded *d = sc->kind == SYSCALL_IN ? decoded_of(sc->nr) : NULL;
	size_t n = 0;

	*epoll = 0;
	for (int i = 0; d && i < d->nargs; i++) {
		long long v = (long long)sc->args[i];

		if ((d->args[i] != A_FD && d->args[i] != A_EPFD &&
		     d->args[i] != A_DIRFD) || v < 0 || v > 0x7fffffff)
			continue;
		if (d->args[i] == A_EPFD)
			*epoll |= 1u << n;
		fds[n++] = (int)v;
	}
	return n;
}

/* ---- names of argument values ------------------------------------------- */

const char *futex_op_name(unsigned long long op, char *buf, size_t size)
{
	static const char *const ops[] = {
		"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE",
		"FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP", "FUTEX_LOCK_PI",
		"FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET",
		"FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
		"FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
	};
	enum { PRIVATE = 128, CLOCK_RT = 256 };
	unsigned long long cmd = op & 127;

	if (cmd < ARRAY_LEN(ops))
		snprintf(buf, size, "%s%s%s", ops[cmd], op & PRIVATE ? "_PRIVATE" : "",
			 op & CLOCK_RT ? "|FUTEX_CLOCK_REALTIME" : "");
	else
		snprintf(buf, size, "%llu", op);
	return buf;
}

/* What a futex operation waits for, in words. */
static const char *futex_waits(unsigned long long op)
{
	switch (op & 127) {
	case 0: case 9: /* WAIT, WAIT_BITSET */
		return "a wake-up on the futex at {addr} (a lock, a condition "
		       "variable or a thread to finish)";
	case 6: case 13: /* LOCK_PI, LOCK_PI2 */
		return "the priority-inheritance lock at {addr}";
	case 11: /* WAIT_REQUEUE_PI */
		return "the condition variable at {addr}";
	}
	return "";
}

static const char *clock_name(unsigned long long c)
{
	static const char *const clocks[] = {
		"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID",
		"CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW",
		"CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE",
		"CLOCK_BOOTTIME", "CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM",
		NULL, "CLOCK_TAI",
	};

	return c < ARRAY_LEN(clocks) ? clocks[c] : NULL;
}

/* A table of flag bits and their names, written "A|B" (or the number). */
struct flag_name {
	unsigned long long bit;
	const char *name;
};

static void put_flags(struct buf *out, unsigned long long v,
		      const struct flag_name *names, size_t n)
{
	bool first = true;

	if (!v) {
		buf_putc(out, '0');
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(v & names[i].bit))
			continue;
		buf_printf(out, "%s%s", first ? "" : "|", names[i].name);
		first = false;
		v &= ~names[i].bit;
	}
	if (v)
		buf_printf(out, "%s0x%llx", first ? "" : "|", v);
}

static const struct flag_name wait_opts[] = {
	{1, "WNOHANG"}, {2, "WUNTRACED"}, {4, "WEXITED"}, {8, "WCONTINUED"},
	{0x01000000, "WNOWAIT"}, {0x20000000, "__WNOTHREAD"},
	{0x40000000, "__WALL"}, {0x80000000, "__WCLONE"},
};
static const struct flag_name flock_ops[] = {
	{1, "LOCK_SH"}, {2, "LOCK_EX"}, {4, "LOCK_NB"}, {8, "LOCK_UN"},
};

/* ---- the text ------------------------------------------------------------ */

static const struct syscall_fd *fd_info(const struct syscall_fd *fds, size_t n,
					long long fd)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

/* "3 → pipe:[81234]", "3 → socket:[5] (TCP ...)", or "3" if unknown. */
static void put_fd(struct buf *out, long long fd, const struct syscall_fd *f,
		   const char *arrow)
{
	buf_printf(out, "%lld", fd);
	if (!f || !f->target)
		return;
	buf_printf(out, " %s %s", arrow, f->target);
	if (f->socket)
		buf_printf(out, " (%s)", f->socket);
}

/* Whom wait4(pid) or waitid(idtype, id) waits for, in words. */
static void wait_words(const struct decoded *d, const struct syscall_line *sc,
		       struct buf *out)
{
	long long a0 = (long long)sc->args[0], a1 = (int)sc->args[1];

	if (strcmp(d->name, "waitid") == 0) {
		switch (a0) {
		case 0: buf_puts(out, "any child"); break;
		case 1: buf_printf(out, "child %lld", a1); break;
		case 2: buf_printf(out, "any child in process group %lld", a1); break;
		case 3: buf_printf(out, "the child of pidfd %lld", a1); break;
		default: buf_puts(out, "a child"); break;
		}
		return;
	}
	a0 = (int)sc->args[0];
	if (a0 == -1)
		buf_puts(out, "any child");
	else if (a0 == 0)
		buf_puts(out, "any child in its process group");
	else if (a0 < -1)
		buf_printf(out, "any child in process group %lld", -a0);
	else
		buf_printf(out, "child %lld", a0);
}

/* open's flags as the kernel has them: the access mode, then each flag
 * by name (O_TMPFILE before the O_DIRECTORY it contains), the rest in
 * hex.  O_LARGEFILE by its kernel value: 0 in a 64-bit libc's header. */
static void put_open_flags(struct buf *out, unsigned long long f)
{
	static const struct {
		unsigned long long bits;
		const char *name;
	} flags[] = {
		{O_CREAT, "O_CREAT"}, {O_EXCL, "O_EXCL"}, {O_NOCTTY, "O_NOCTTY"},
		{O_TRUNC, "O_TRUNC"}, {O_APPEND, "O_APPEND"}, {O_NONBLOCK, "O_NONBLOCK"},
		{O_SYNC, "O_SYNC"}, {O_DSYNC, "O_DSYNC"}, {O_DIRECT, "O_DIRECT"},
		{0100000, "O_LARGEFILE"}, {O_TMPFILE, "O_TMPFILE"},
		{O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},
		{O_NOATIME, "O_NOATIME"}, {O_CLOEXEC, "O_CLOEXEC"}, {O_PATH, "O_PATH"},
	};
	static const char *const access[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "3"};

	buf_puts(out, access[f & O_ACCMODE]);
	f &= ~(unsigned long long)O_ACCMODE;
	for (size_t i = 0; i < ARRAY_LEN(flags); i++)
		if ((f & flags[i].bits) == flags[i].bits) {
			buf_printf(out, "|%s", flags[i].name);
			f &= ~flags[i].bits;
		}
	if (f)
		buf_printf(out, "|0x%llx", f);
}

static void put_arg(struct buf *out, enum arg kind, unsigned long long raw,
		    const struct syscall_fd *fds, size_t nfds, const char *arrow)
{
	long long v = (long long)raw, i32 = (int)raw;
	const struct syscall_fd *f;
	char name[64];

	switch (kind) {
	case A_FD:
		put_fd(out, i32, fd_info(fds, nfds, i32), arrow);
		break;
	case A_EPFD:
		f = fd_info(fds, nfds, i32);
		buf_printf(out, "%lld", i32);
		if (f && f->watched >= 0)
			buf_printf(out, " %s %ld watched", arrow, f->watched);
		break;
	case A_DIRFD:
		if (i32 == -100)
			buf_puts(out, "AT_FDCWD");
		else
			put_fd(out, i32, fd_info(fds, nfds, i32), arrow);
		break;
	case A_INT: buf_printf(out, "%lld", i32); break;
	case A_UINT: buf_printf(out, "%llu", raw); break;
	case A_HEX: buf_printf(out, "0x%llx", raw); break;
	case A_OPEN_FLAGS: put_open_flags(out, raw); break;
	case A_OPEN_MODE: buf_printf(out, "0%llo", raw); break;
	case A_ADDR: buf_printf(out, "0x%llx", raw); break;
	case A_MS:
		if (i32 < 0)
			buf_puts(out, "no timeout");
		else
			buf_printf(out, "timeout %lld ms", i32);
		break;
	case A_TS: buf_puts(out, raw ? "timeout set" : "no timeout"); break;
	case A_NFDS: buf_printf(out, "%llu fds", raw); break;
	case A_FUTEX_OP: buf_puts(out, futex_op_name(raw, name, sizeof(name))); break;
	case A_WAIT_PID: buf_printf(out, "%lld", i32); break;
	case A_WAIT_OPTS: put_flags(out, raw, wait_opts, ARRAY_LEN(wait_opts)); break;
	case A_IDTYPE: {
		static const char *const ids[] = {"P_ALL", "P_PID", "P_PGID", "P_PIDFD"};

		if (raw < ARRAY_LEN(ids))
			buf_puts(out, ids[raw]);
		else
			buf_printf(out, "%llu", raw);
		break;
	}
	case A_CLOCK:
		if (clock_name(raw))
			buf_puts(out, clock_name(raw));
		else
			buf_printf(out, "%lld", v);
		break;
	case A_CLOCK_FLAGS: buf_puts(out, raw & 1 ? "TIMER_ABSTIME" : "0"); break;
	case A_FLOCK: put_flags(out, raw, flock_ops, ARRAY_LEN(flock_ops)); break;
	case A_FCNTL:
		if (raw == 7 || raw == 38)
			buf_puts(out, raw == 7 ? "F_SETLKW" : "F_OFD_SETLKW");
		else
			buf_printf(out, "%llu", raw);
		break;
	case A_SKIP: break;
	}
}

/* The words of d with its placeholders filled in. */
static void put_waits(struct buf *out, const char *tmpl, const struct decoded *d,
		      const struct syscall_line *sc, const struct syscall_fd *fds,
		      size_t nfds)
{
	const struct syscall_fd *first = NULL;
	long long first_fd = -1;

	for (int i = 0; i < d->nargs && first_fd < 0; i++)
		if (d->args[i] == A_FD || d->args[i] == A_EPFD ||
		    (d->args[i] == A_DIRFD && (int)sc->args[i] != -100)) {
			first_fd = (int)sc->args[i];
			first = fd_info(fds, nfds, first_fd);
		}
	while (*tmpl) {
		const char *open = strchr(tmpl, '{'), *close;

		if (!open || !(close = strchr(open, '}'))) {
			buf_puts(out, tmpl);
			break;
		}
		buf_append(out, tmpl, (size_t)(open - tmpl));
		tmpl = close + 1;
#define IS(name) ((size_t)(close - open - 1) == strlen(name) && \
		  memcmp(open + 1, name, strlen(name)) == 0)
		if (IS("fd")) {
			if (first && first->target) {
				buf_puts(out, first->target);
				if (first->socket)
					buf_printf(out, " (%s)", first->socket);
			} else {
				buf_printf(out, "descriptor %lld", first_fd);
			}
		} else if (IS("fdnum")) {
			buf_printf(out, "%lld", first_fd);
		} else if (IS("n")) {
			if (strncmp(d->name, "epoll", 5) == 0)
				buf_printf(out, "%ld", first ? first->watched : -1L);
			else
				buf_printf(out, "%llu", sc->args[1]);
		} else if (IS("int0")) {
			buf_printf(out, "%d", (int)sc->args[0]);
		} else if (IS("addr")) {
			buf_printf(out, "0x%llx", sc->args[0]);
		} else if (IS("wait")) {
			wait_words(d, sc, out);
		} else if (IS("clock")) {
			buf_puts(out, clock_name(sc->args[0]) ? clock_name(sc->args[0]) : "a clock");
		} else if (IS("futex")) {
			put_waits(out, futex_waits(sc->args[1]), d, sc, fds, nfds);
		}
#undef IS
	}
}

/* The words for d, or NULL: those that depend on an argument. */
static const char *waits_of(const struct decoded *d, const struct syscall_line *sc)
{
	if (strcmp(d->name, "fcntl") == 0 && (sc->args[1] == 7 || sc->args[1] == 38))
		return "a record lock on {fd}";
	return d->waits;
}

void syscall_describe(const struct syscall_line *sc, const struct syscall_fd *fds,
		      size_t nfds, bool utf8, struct buf *call, struct buf *waits)
{
	const char *arrow = utf8 ? "\u2192" : "->";
	const struct decoded *d;
	const char *name, *w;
	bool first = true;

	if (sc->kind != SYSCALL_IN)
		return;
	name = syscall_name(sc->nr);
	d = decoded_of(sc->nr);
	if (!name) {
		buf_printf(call, "syscall %ld", sc->nr);
		return;
	}
	buf_printf(call, "%s(", name);
	for (int i = 0; d && i < d->nargs; i++) {
		/* Pointers are left out, and flags when none is set; open's
		 * mode is only read with O_CREAT or O_TMPFILE (else it is
		 * whatever the register held). */
		if (d->args[i] == A_SKIP ||
		    (!sc->args[i] && (d->args[i] == A_HEX || d->args[i] == A_WAIT_OPTS ||
				      d->args[i] == A_CLOCK_FLAGS)) ||
		    (d->args[i] == A_OPEN_MODE &&
		     !(sc->args[i - 1] & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY)))))
			continue;
		if (!first)
			buf_puts(call, ", ");
		put_arg(call, d->args[i], sc->args[i], fds, nfds, arrow);
		first = false;
	}
	buf_putc(call, ')');
	if (d && (w = waits_of(d, sc)))
		put_waits(waits, w, d, sc, fds, nfds);
}
