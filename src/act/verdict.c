/*
 * verdict.c - see verdict.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/inject.h"
#include "act/syscalls.h"
#include "act/verdict.h"
#include "util/util.h"

const char *reap_block_name(enum reap_block b)
{
	static const char *const names[] = {
		[BLOCK_NONE] = "none", [BLOCK_INIT] = "init",
		[BLOCK_ARCH] = "arch", [BLOCK_TRACED] = "traced",
		[BLOCK_SECCOMP] = "seccomp", [BLOCK_VFORK] = "vfork",
		[BLOCK_EINTR] = "eintr", [BLOCK_UNREADABLE] = "unreadable",
		[BLOCK_NO_THREAD] = "no_thread",
	};

	return (size_t)b < ARRAY_LEN(names) && names[b] ? names[b] : "unknown";
}

static void block(struct reap_verdict *v, enum reap_block b, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static void block(struct reap_verdict *v, enum reap_block b, const char *fmt, ...)
{
	va_list ap;

	v->block = b;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

static void instead(struct reap_verdict *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void instead(struct reap_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->instead, sizeof(v->instead), fmt, ap);
	va_end(ap);
}

/* The way out that is always there (but for an init). */
static void instead_kill_parent(struct reap_verdict *v, pid_t ppid)
{
	instead(v, "`pmon reap --kill-parent %d` ends it, so that init or a "
		"subreaper reaps them", (int)ppid);
}

/* What stands in the way before any thread is looked at; true if any. */
static bool check_process(const struct proc *p, struct reap_verdict *v)
{
	int pid = (int)p->pid;

	if (proc_is_ns_init(p)) {
		block(v, BLOCK_INIT, "%s", pid == 1 ?
		      "its parent is PID 1 (init), which reaps its own children; "
		      "pmon never touches PID 1" :
		      "its parent is PID 1 of its PID namespace (that namespace's "
		      "init); pmon never touches an init");
		return true;
	}
	if (!inject_supported()) {
		block(v, BLOCK_ARCH, "inject is implemented and tested on x86_64 only");
		instead_kill_parent(v, p->pid);
	} else if (p->tracer_pid) {
		block(v, BLOCK_TRACED, "its parent is already traced by PID %d (a "
		      "process can have one tracer only)", (int)p->tracer_pid);
		instead(v, "once PID %d lets go of it, `pmon reap %d` can inject; "
			"or `pmon reap --kill-parent %d` ends it",
			(int)p->tracer_pid, pid, pid);
	} else if (p->seccomp) {
		block(v, BLOCK_SECCOMP, "its parent runs under %s, which could "
		      "kill it on the injected call", p->seccomp == 1 ?
		      "seccomp strict mode" : "a seccomp filter");
		instead_kill_parent(v, p->pid);
	}
	return v->block != BLOCK_NONE;
}

/* The thread to stop: the leader if it lives, else any live thread; one
 * not in uninterruptible sleep if there is one.  0 if none lives. */
static pid_t pick_thread(pid_t pid, char *state)
{
	struct proc_thread *t;
	int n = proc_threads(pid, &t);
	pid_t best = 0;
	int best_score = -1;

	for (int i = 0; i < n; i++) {
		int score;

		if (t[i].state == 'Z' || t[i].state == 'X')
			continue;
		score = (t[i].state != 'D') * 2 + (t[i].tid == pid);
		if (score > best_score) {
			best = t[i].tid;
			*state = t[i].state;
			best_score = score;
		}
	}
	if (n > 0)
		free(t);
	return best;
}

/* A call that returns EINTR, and is not restarted by pmon: block, unless
 * the user allows it. */
static void eintr_call(const struct proc *p, const struct call_info *c,
		       bool allow_eintr, struct reap_verdict *v)
{
	v->eintr = true;
	if (allow_eintr)
		return;
	if (c->restart == CALL_EINTR_ON_SOCKET)
		block(v, BLOCK_EINTR, "its parent is blocked in %s() on a socket, "
		      "which an inject would end with EINTR if the socket has a "
		      "timeout (SO_RCVTIMEO or SO_SNDTIMEO), and pmon cannot see "
		      "whether it has", c->name);
	else if (c->timeout_unseen)
		block(v, BLOCK_EINTR, "its parent is blocked in %s(), which an "
		      "inject would end with EINTR (the kernel does not restart "
		      "it, and pmon cannot see whether it has a timeout)", c->name);
	else
		block(v, BLOCK_EINTR, "its parent is blocked in %s() with a "
		      "timeout, which an inject would end early with EINTR (the "
		      "kernel does not restart it, and pmon cannot restart it with "
		      "the time left)", c->name);
	instead(v, "`pmon reap --allow-eintr %d` injects anyway (the call then "
		"fails with EINTR, as it does after a stop and SIGCONT), or `pmon "
		"reap --kill-parent %d` ends it", (int)p->pid, (int)p->pid);
}

void reap_check_call(const struct proc *p, pid_t tid, char state,
		     const struct syscall_line *sc, int on_socket,
		     bool allow_eintr, struct reap_verdict *v)
{
	struct call_info c;

	v->tid = tid;
	/* A stopped thread was taken out of its call by the stop: whatever
	 * that call returns is settled already. */
	if (sc->kind != SYSCALL_IN || state == 'T' || state == 't')
		return;
	if (state == 'D' && syscall_is_fork(sc->nr)) {
		block(v, BLOCK_VFORK, "its parent waits in vfork() for its child "
		      "to exec or exit (state D), and cannot be stopped until then");
		instead(v, "once the child execs or exits, `pmon reap %d` can "
			"inject; or `pmon reap --kill-parent %d` ends it now",
			(int)p->pid, (int)p->pid);
		return;
	}
	c = syscall_restart(sc->nr, sc->args);
	v->call = c.name;
	switch (c.restart) {
	case CALL_RESTARTS:
		break;
	case CALL_EINTR_UNTIMED:
		v->restarts_call = true;
		break;
	case CALL_EINTR_ON_SOCKET:
		if (on_socket == 0)
			break;
		/* A socket, or unknown: */
		/* fall through */
	case CALL_EINTR_TIMED:
		eintr_call(p, &c, allow_eintr, v);
		break;
	}
}

void reap_check(const struct proc *p, bool allow_eintr, struct reap_verdict *v)
{
	struct syscall_line sc;
	struct call_info c;
	int on_socket = -1;
	char state = '?';
	pid_t tid;

	memset(v, 0, sizeof(*v));
	if (check_process(p, v))
		return;
	tid = pick_thread(p->pid, &state);
	if (!tid) {
		block(v, BLOCK_NO_THREAD, "its parent has no live thread to stop");
		instead_kill_parent(v, p->pid);
		return;
	}
	if (proc_thread_syscall(p->pid, tid, &sc) < 0) {
		if (errno == ESRCH)
			return; /* the thread just exited: inject will see */
		int err = errno;

		v->tid = tid;
		block(v, BLOCK_UNREADABLE, "cannot read which call its parent's "
		      "thread %d is in: %s%s", (int)tid, strerror(err),
		      privilege_hint(err));
		instead(v, "run pmon as root, or as the parent's owner");
		return;
	}
	c = syscall_restart(sc.nr, sc.args);
	if (sc.kind == SYSCALL_IN && c.restart == CALL_EINTR_ON_SOCKET)
		on_socket = proc_fd_is_socket(p->pid, tid, (int)sc.args[c.fd_arg]);
	reap_check_call(p, tid, state, &sc, on_socket, allow_eintr, v);
}
