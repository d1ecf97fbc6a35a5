/*
 * pidns.c - whose pids /proc shows, and pmon's own numbers for them.
 *
 * pidfd_open(2), ptrace(2) and kill(2) take a pid in the caller's PID
 * namespace; /proc gives pids in the namespace of whoever mounted it.
 * In `unshare --pid --fork` without --mount-proc, or a container that
 * sees the host's /proc, the two differ: /proc's 500 is some other
 * process to pidfd_open, or none.  This file tells which case pmon is in
 * and maps /proc's pids to pmon's own through NSpid, which lists a
 * process's pid in /proc's namespace and in each one nested below it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "proc/parse.h"
#include "proc/proc.h"
#include "proc/reader.h"

/* pmon's own pid as the mounted /proc numbers it (/proc/self), read now:
 * a forked helper asks again rather than trusting pmon's.  -1 with errno
 * ENOENT when pmon has no pid there (/proc is of a namespace pmon is not
 * in, where /proc/self dangles). */
pid_t proc_self_pid(void)
{
	char link[32];
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
	long pid;

	if (n <= 0) {
		errno = ENOENT;
		return -1;
	}
	link[n] = '\0';
	if (parse_long(link, 1, INT_MAX, &pid) < 0) {
		errno = ENOENT;
		return -1;
	}
	return (pid_t)pid;
}

/* The NSpid line of /proc/PID[/task/TID]/status.  0, or -1 with errno
 * ESRCH (gone) or ENOENT (a kernel without NSpid, before 4.1). */
static int read_nspid(pid_t pid, pid_t tid, struct status_lines *st)
{
	struct buf text = {0};
	char path[64];
	int rc;

	if (tid == pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	*st = (struct status_lines){0};
	rc = procfs_read(AT_FDCWD, path, &text, 0, false);
	if (rc == 0) {
		parse_status(text.data, text.len, STATUS_HAVE_NSPID, st);
		if (!(st->have & STATUS_HAVE_NSPID) || st->ns_levels < 1) {
			errno = ENOENT;
			rc = -1;
		}
	} else {
		errno = ESRCH;
	}
	buf_free(&text);
	return rc;
}

static void find_pidns(struct proc_pidns *ns)
{
	struct status_lines st;

	ns->own = getpid();
	ns->self = proc_self_pid();
	if (ns->self < 0) {
		ns->self = 0;
		ns->kind = PIDNS_FOREIGN;
		return;
	}
	/* pmon's own NSpid runs from /proc's namespace down to pmon's: one
	 * entry means they are the same namespace. */
	if (read_nspid(ns->self, ns->self, &st) < 0) {
		/* No NSpid (before 4.1): equal numbers are the best sign. */
		ns->kind = ns->self == ns->own ? PIDNS_OWN : PIDNS_FOREIGN;
		return;
	}
	ns->depth = st.ns_levels - 1;
	ns->kind = ns->depth == 0 ? PIDNS_OWN : PIDNS_ANCESTOR;
	if (st.ns_pids[st.ns_levels - 1] != ns->own)
		ns->kind = PIDNS_FOREIGN; /* cannot be: then trust nothing */
}

const struct proc_pidns *proc_pidns(void)
{
	static struct proc_pidns ns;
	static bool known;

	if (!known) {
		find_pidns(&ns);
		known = true;
	}
	return &ns;
}

void proc_pidns_note(struct buf *out)
{
	const struct proc_pidns *ns = proc_pidns();

	switch (ns->kind) {
	case PIDNS_OWN:
		break;
	case PIDNS_ANCESTOR:
		buf_printf(out, "/proc shows an outer PID namespace, %d level%s above "
			   "pmon's own (pmon is %d there, %d in its own); PIDs here "
			   "are /proc's, and pmon acts only on processes of its own "
			   "namespace", ns->depth, ns->depth == 1 ? "" : "s",
			   (int)ns->self, (int)ns->own);
		break;
	case PIDNS_FOREIGN:
		buf_printf(out, "/proc shows a PID namespace pmon is not in (pmon "
			   "has no pid there); PIDs here are /proc's, and pmon "
			   "cannot map them to its own, so it acts on none");
		break;
	}
}

int proc_own_pid(pid_t pid, pid_t tid, pid_t *own)
{
	const struct proc_pidns *ns = proc_pidns();
	struct status_lines st;

	switch (ns->kind) {
	case PIDNS_OWN:
		*own = tid;
		return 0;
	case PIDNS_FOREIGN:
		errno = EXDEV;
		return -1;
	case PIDNS_ANCESTOR:
		break;
	}
	if (read_nspid(pid, tid, &st) < 0) {
		errno = ESRCH;
		return -1;
	}
	/* Shallower than pmon's namespace: outside it, where pmon can
	 * neither signal nor trace (the kernel would refuse too). */
	if (st.ns_levels <= ns->depth) {
		errno = EXDEV;
		return -1;
	}
	*own = st.ns_pids[ns->depth];
	return 0;
}
