/*
 * bpflib.h - libbpf, loaded when pmon loads its task iterator (top,
 * watch, `pmon bpf install`, or --backend bpf without a pin) and not
 * before (util/dynload.h).  Reading a pinned iterator, as the one-shot
 * commands do, needs no libbpf; linked, libbpf (with libelf and zlib)
 * cost every command 0.5-1 ms of CPU at start here.
 */
#ifndef PMON_PROC_BPFLIB_H
#define PMON_PROC_BPFLIB_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* The calls pmon and its skeleton make, typed from libbpf's headers. */
struct bpflib_api {
	__typeof__(libbpf_set_print) *set_print;
	__typeof__(bpf_object__open_skeleton) *object__open_skeleton;
	__typeof__(bpf_object__load_skeleton) *object__load_skeleton;
	__typeof__(bpf_object__attach_skeleton) *object__attach_skeleton;
	__typeof__(bpf_object__detach_skeleton) *object__detach_skeleton;
	__typeof__(bpf_object__destroy_skeleton) *object__destroy_skeleton;
	__typeof__(bpf_program__attach_iter) *program__attach_iter;
	__typeof__(bpf_link__fd) *link__fd;
	__typeof__(bpf_link__pin) *link__pin;
	__typeof__(bpf_link__destroy) *link__destroy;
	__typeof__(bpf_iter_create) *iter_create;
	__typeof__(bpf_program__set_autoload) *program__set_autoload;
	__typeof__(bpf_program__fd) *program__fd;
	__typeof__(bpf_map__fd) *map__fd;
	__typeof__(bpf_map__set_max_entries) *map__set_max_entries;
};

/* The calls, or NULL with the reason in *why. */
const struct bpflib_api *bpflib_load(const char **why);

#endif
