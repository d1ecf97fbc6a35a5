/*
 * signals.c - signal names and race-free delivery through pidfds.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "proc/proc.h"
#include "act/signals.h"
#include "act/zombie.h"

/* Second names of some signals (the C library gives one per number). */
static const struct {
	const char *name;
	int sig;
} aliases[] = {
	{"IO", SIGIO}, {"POLL", SIGPOLL}, {"IOT", SIGIOT}, {"CLD", SIGCHLD},
};

int signal_from_name(const char *name)
{
	long n;

	/* 0 is kill(2)'s "is it there, and may I signal it?" */
	if (strcmp(name, "0") == 0)
		return 0;
	if (parse_long(name, 1, SIGRTMAX, &n) == 0)
		return (int)n;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool min = strncasecmp(name, "RTMIN", 5) == 0;
		long off = 0;

		if (name[5] && parse_long(name + 5, min ? 0 : -(SIGRTMAX - SIGRTMIN),
					  min ? SIGRTMAX - SIGRTMIN : 0, &off) < 0)
			return -1;
		return (int)((min ? SIGRTMIN : SIGRTMAX) + off);
	}
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcasecmp(abbrev, name) == 0)
			return sig;
	}
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++)
		if (strcasecmp(aliases[i].name, name) == 0)
			return aliases[i].sig;
	return -1;
}

const char *signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sig > 0 && sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;

	if (sig == SIGIO)
		abbrev = "IO"; /* as bash and util-linux name it, not POLL */
	if (abbrev)
		snprintf(buf, size, "%s", abbrev);
	else if (sig == SIGRTMIN)
		snprintf(buf, size, "RTMIN");
	else if (sig == SIGRTMAX)
		snprintf(buf, size, "RTMAX");
	else if (sig > SIGRTMIN && sig <= (SIGRTMIN + SIGRTMAX) / 2)
		snprintf(buf, size, "RTMIN+%d", sig - SIGRTMIN);
	else if (sig > SIGRTMIN && sig < SIGRTMAX)
		snprintf(buf, size, "RTMAX-%d", SIGRTMAX - sig);
	else
		snprintf(buf, size, "%d", sig);
	return buf;
}

int signal_send(const struct proc_ref *ref, int sig)
{
	int fd = pidfd_open_ref(ref), rc, err;

	if (fd < 0)
		return -1;
	rc = pidfd_send_signal(fd, sig, NULL, 0);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

const char *signal_no_such(bool seen)
{
	return seen ? "no such process (it exited)" : "no such process";
}

const char *signal_error(int err)
{
	switch (err) {
	case ESRCH: return signal_no_such(true);
	case ESTALE: return "its pid was recycled (now another process); not signalled";
	case EPERM: return "permission denied (needs CAP_KILL or the same uid)";
	case EXDEV:
		return proc_pidns()->kind == PIDNS_FOREIGN ?
		       PIDNS_FOREIGN_WORDS "; not signalled" :
		       PIDNS_OUTSIDE_WORDS "; not signalled";
	default: return strerror(err);
	}
}

void signal_list(struct buf *out)
{
	int shown = 0;
	char name[32];

	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		/* 32 and 33 belong to the C library (threads), as in bash. */
		if (sig >= 32 && sig < SIGRTMIN)
			continue;
		signal_name(sig, name, sizeof(name));
		buf_printf(out, "%s%2d) SIG%s", shown % 5 ? "\t" : "", sig, name);
		if (++shown % 5 == 0)
			buf_putc(out, '\n');
	}
	if (shown % 5)
		buf_putc(out, '\n');
}

bool signal_is_stop(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}
