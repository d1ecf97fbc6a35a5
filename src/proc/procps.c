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
	CALL(pids_new), CALL(pids_select), CALL(pids_unref),
};

static struct procps_api api;
static struct dyn_lib lib = DYN_LIB(calls, &api);

const struct procps_api *procps_lib(void)
{
	const char *why;
	const struct procps_api *p = dyn_load(&lib, &why);

	if (!p)
		errno = ELIBACC;
	return p;
}

const char *procps_lib_error(void)
{
	return lib.why;
}
