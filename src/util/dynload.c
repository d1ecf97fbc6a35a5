/*
 * dynload.c - loading a library when it is needed (dynload.h says why).
 */
#include <dlfcn.h>
#include <stdio.h>

#include "util/dynload.h"

static bool resolve(void *handle, struct dyn_lib *lib)
{
	for (size_t i = 0; i < lib->ncalls; i++) {
		void *fn = dlsym(handle, lib->calls[i].symbol);

		if (!fn) {
			snprintf(lib->why, sizeof(lib->why), "%s has no %s",
				 lib->soname, lib->calls[i].symbol);
			return false;
		}
		/* POSIX guarantees a function pointer survives this trip. */
		*(void **)((char *)lib->table + lib->calls[i].offset) = fn;
	}
	return true;
}

static bool load(struct dyn_lib *lib)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		snprintf(lib->why, sizeof(lib->why), "%s", dlerror());
		return false;
	}
	if (!resolve(handle, lib)) {
		dlclose(handle);
		return false;
	}
	return true;
}

void *dyn_load(struct dyn_lib *lib, const char **why)
{
	if (!lib->state)
		lib->state = load(lib) ? 1 : -1;
	*why = lib->why;
	return lib->state > 0 ? lib->table : NULL;
}
