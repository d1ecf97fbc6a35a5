/*
 * systemd.c - libsystemd's calls, loaded when needed (systemd.h).
 */
#include "chat/systemd.h"
#include "util/dynload.h"

#define CALL(name) DYN_CALL(struct systemd_api, "sd_", name)

static const struct dyn_call calls[] = {
	CALL(listen_fds),
	CALL(is_socket_unix),
};

static struct systemd_api api;
static struct dyn_lib lib = DYN_LIB(calls, &api);

const struct systemd_api *systemd_load(const char **why)
{
	return dyn_load(&lib, why);
}
