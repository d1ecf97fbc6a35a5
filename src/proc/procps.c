/*
 * procps.c - libproc2's calls, loaded when first needed (procps.h).
 */
#include <errno.h>

#include "proc/procps.h"
#include "util/dynload.h"

#define CALL(name) DYN_CALL(struct procps_api, "procps_", name)

static const struct dyn_call calls[] = {
	CALL(stat_new), CALL(stat_reap), CALL(stat_unref),
	CALL(meminfo_new), CALL(meminfo_select), CALL(meminfo_get),
	CALL(meminfo_unref),
	CALL(diskstats_new), CALL(diskstats_reap), CALL(diskstats_unref),
	CALL(uptime),
	CALL(pids_new), CALL(pids_select), CALL(pids_unref),
};

static struct procps_api api;
static struct dyn_lib lib = {
	PMON_SONAME, calls, sizeof(calls) / sizeof(calls[0]), &api, 0, "",
};

const struct procps_api *procps_lib(void)
{
	if (dyn_load(&lib))
		return &api;
	errno = ELIBACC;
	return NULL;
}

const char *procps_lib_error(void)
{
	return lib.why;
}
