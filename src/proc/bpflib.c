/*
 * bpflib.c - libbpf's calls, loaded when needed (bpflib.h).
 */
#include <pmon-bpf-config.h>

#ifdef PMON_HAVE_BPF
#include "proc/bpflib.h"
#include "util/dynload.h"

/* Each call's name in libbpf: the table's name with "libbpf_" (for
 * set_print) or "bpf_" before it. */
#define CALL(name) DYN_CALL(struct bpflib_api, "bpf_", name)

static const struct dyn_call calls[] = {
	{"libbpf_set_print", offsetof(struct bpflib_api, set_print)},
	CALL(object__open_skeleton), CALL(object__load_skeleton),
	CALL(object__attach_skeleton), CALL(object__detach_skeleton),
	CALL(object__destroy_skeleton), CALL(program__attach_iter),
	CALL(link__fd), CALL(link__pin), CALL(link__destroy), CALL(iter_create),
	CALL(program__set_autoload), CALL(program__fd), CALL(map__fd),
	CALL(map__set_max_entries),
};

static struct bpflib_api api;
static struct dyn_lib lib = DYN_LIB(calls, &api);

const struct bpflib_api *bpflib_load(const char **why)
{
	return dyn_load(&lib, why);
}
#endif
