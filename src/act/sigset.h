/*
 * sigset.h - the signal masks of /proc/PID/status (SigPnd, ShdPnd,
 * SigBlk, SigIgn, SigCgt: bit sig - 1 for signal sig) as names, with the
 * names `pmon kill -l` uses (signals.h), so that they read the same
 * everywhere.
 */
#ifndef PMON_SIGSET_H
#define PMON_SIGSET_H

#include <stddef.h>

#include "util/util.h"

/* "HUP, INT, USR1" (no SIG prefix), or "none". */
void sigset_describe(unsigned long long mask, struct buf *out);
/* The signals in mask, into sigs[] (at most max); how many there are. */
size_t sigset_list(unsigned long long mask, int *sigs, size_t max);

#endif
