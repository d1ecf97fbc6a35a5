/*
 * zombie.c - see zombie.h.
 */
#include <signal.h>

#include "zombie.h"

bool proc_is_zombie(const struct proc *p)
{
	return p->state == 'Z' && p->threads <= 1;
}

enum sigchld_disp sigchld_disposition(const struct proc *p)
{
	/* The masks in /proc/PID/status have bit (sig - 1) for signal sig. */
	const unsigned long long bit = 1ull << (SIGCHLD - 1);

	if (!(p->have & PI_SIGNALS))
		return SIGCHLD_UNKNOWN;
	if (p->sig_ignored & bit)
		return SIGCHLD_IGNORED;
	if (p->sig_caught & bit)
		return SIGCHLD_CAUGHT;
	return SIGCHLD_DEFAULT;
}

const char *sigchld_disp_name(enum sigchld_disp d)
{
	switch (d) {
	case SIGCHLD_DEFAULT: return "default";
	case SIGCHLD_IGNORED: return "ignored";
	case SIGCHLD_CAUGHT:  return "caught";
	case SIGCHLD_UNKNOWN: break;
	}
	return "unknown";
}
