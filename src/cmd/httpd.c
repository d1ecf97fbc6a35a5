/*
 * httpd.c - libmicrohttpd's calls, loaded when they are needed (httpd.h).
 */
#include "cmd/httpd.h"
#include "util/dynload.h"

#define CALL(name) DYN_CALL(struct httpd_api, "MHD_", name)

static const struct dyn_call calls[] = {
	CALL(start_daemon),
	CALL(stop_daemon),
	CALL(get_daemon_info),
	CALL(get_fdset2),
	CALL(get_timeout),
	CALL(run_from_select),
	CALL(create_response_from_buffer),
	CALL(add_response_header),
	CALL(queue_response),
	CALL(destroy_response),
	CALL(lookup_connection_value),
};

static struct httpd_api api;
static struct dyn_lib lib = DYN_LIB(calls, &api);

const struct httpd_api *httpd_load(const char **why)
{
	return dyn_load(&lib, why);
}
