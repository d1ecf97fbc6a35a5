/*
 * httpd.c - loading libmicrohttpd when it is needed (httpd.h says why).
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>

#include "cmd/httpd.h"

#define CALL(name) {"MHD_" #name, offsetof(struct httpd_api, name)}

static const struct {
	const char *symbol;
	size_t offset;
} calls[] = {
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

static bool resolve(void *lib, struct httpd_api *api, char *why, size_t whylen)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		void *fn = dlsym(lib, calls[i].symbol);

		if (!fn) {
			snprintf(why, whylen, "%s has no %s", PMON_HTTPD_SONAME,
				 calls[i].symbol);
			return false;
		}
		/* POSIX guarantees a function pointer survives this trip. */
		*(void **)((char *)api + calls[i].offset) = fn;
	}
	return true;
}

const struct httpd_api *httpd_load(char *why, size_t whylen)
{
	static struct httpd_api api;
	static bool loaded;
	void *lib;

	if (loaded)
		return &api;
	lib = dlopen(PMON_HTTPD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, whylen, "%s", dlerror());
		return NULL;
	}
	if (!resolve(lib, &api, why, whylen)) {
		dlclose(lib);
		return NULL;
	}
	loaded = true;
	return &api;
}
