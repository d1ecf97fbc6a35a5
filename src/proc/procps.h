/*
 * procps.h - procps-ng's libproc2, loaded when a command first asks it
 * for something (util/dynload.h): system-wide figures for top and
 * %MEM (sys.c), the long tail of per-process items (tail.c).
 *
 * Linked, libproc2 and the libsystemd it brings cost every pmon command
 * 1.6-1.9 ms of CPU at start here (an empty program: 2.0 ms bare,
 * 3.6 ms linked with libproc2), while ps, tree, inspect, zombies, kill
 * and reap never call it: their clock is a sysconf and the first figure
 * of /proc/uptime (sys.c).
 */
#ifndef PMON_PROC_PROCPS_H
#define PMON_PROC_PROCPS_H

#include <libproc2/diskstats.h>
#include <libproc2/meminfo.h>
#include <libproc2/pids.h>
#include <libproc2/stat.h>

/* The calls pmon makes, typed from libproc2's own headers. */
struct procps_api {
	__typeof__(procps_stat_new) *stat_new;
	__typeof__(procps_stat_reap) *stat_reap;
	__typeof__(procps_stat_unref) *stat_unref;
	__typeof__(procps_meminfo_new) *meminfo_new;
	__typeof__(procps_meminfo_select) *meminfo_select;
	__typeof__(procps_meminfo_get) *meminfo_get;
	__typeof__(procps_meminfo_unref) *meminfo_unref;
	__typeof__(procps_diskstats_new) *diskstats_new;
	__typeof__(procps_diskstats_reap) *diskstats_reap;
	__typeof__(procps_diskstats_unref) *diskstats_unref;
	__typeof__(procps_pids_new) *pids_new;
	__typeof__(procps_pids_select) *pids_select;
	__typeof__(procps_pids_unref) *pids_unref;
};

/* The calls, or NULL (errno ELIBACC) when libproc2 cannot be loaded. */
const struct procps_api *procps_lib(void);

/* Why it could not be loaded ("" before any try). */
const char *procps_lib_error(void);

#endif
