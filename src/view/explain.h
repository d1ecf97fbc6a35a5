/*
 * explain.h - what the letters and numbers of /proc mean, in words: state
 * letters and STAT modifiers, capabilities, scheduling policies, seccomp
 * modes, and the container a cgroup path names.  One table per set of
 * names; pure functions, for `pmon inspect` and the unit tests.
 */
#ifndef PMON_EXPLAIN_H
#define PMON_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

/* "sleeping, interruptible: waiting for an event" for 'S'; NULL for a
 * letter the kernel does not use. */
const char *state_meaning(char state);

/* The meaning of a STAT modifier ('<' 'N' 'L' 's' 'l' '+'), or NULL. */
const char *stat_modifier_meaning(char modifier);

/* Capabilities: the name of number cap ("net_raw"), or NULL above the
 * last one this build knows. */
const char *cap_name(int cap);
/* How many capabilities the table names (CAP_LAST_CAP + 1). */
int cap_count(void);
/* The set bits of mask as names joined by ", " ("net_admin, net_raw"),
 * "none", "all N" when every known one is set, or "all N but sys_resource"
 * when most are (unknown bits are written as "cap_N"). */
void caps_describe(unsigned long long mask, struct buf *out);

/* "SCHED_OTHER", "SCHED_FIFO", ... or NULL. */
const char *sched_policy_name(int policy);

/* seccomp mode 0, 1, 2: "off", "strict (only read, write, _exit and
 * sigreturn)", "filter"; NULL otherwise. */
const char *seccomp_mode_name(int mode);

/* The container or service a cgroup path names ("docker container
 * 0123456789ab", "systemd service nginx.service"), appended to out.
 * cgroup is /proc/PID/cgroup's lines (joined with ';' by libproc2).
 * false when nothing is recognised. */
bool cgroup_container(const char *cgroup, struct buf *out);

#endif
