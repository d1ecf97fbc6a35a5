#!/bin/sh
# detect.sh - can the BPF backend (task_iter.bpf.c) be built here?  Run by
# the Makefile on every make; prints "yes", or one line saying why not
# (shown by `pmon --version`).  Exits 1 only when PMON_BPF=1 insists.
#
# Environment: PMON_BPF (auto, 0 or 1), PKG_CONFIG, BPF_CLANG, BPFTOOL,
# VMLINUX_BTF (the kernel BTF vmlinux.h is generated from).
why=
if [ "${PMON_BPF:-auto}" = 0 ]; then
	why="disabled (PMON_BPF=0)"
elif ! ${PKG_CONFIG:-pkg-config} --exists libbpf 2>/dev/null; then
	why="no libbpf (libbpf-dev)"
elif ! command -v "${BPFTOOL:-bpftool}" >/dev/null 2>&1; then
	why="no bpftool"
elif ! echo 'int x;' | ${BPF_CLANG:-clang} -target bpf -x c -c -o /dev/null - 2>/dev/null; then
	why="no clang with the BPF target"
elif [ ! -r "${VMLINUX_BTF:-/sys/kernel/btf/vmlinux}" ]; then
	why="no kernel BTF (${VMLINUX_BTF:-/sys/kernel/btf/vmlinux}) to generate vmlinux.h from"
fi
if [ -z "$why" ]; then
	echo yes
	exit 0
fi
echo "$why"
if [ "${PMON_BPF:-auto}" = 1 ]; then
	echo "make: PMON_BPF=1 but the BPF backend cannot be built: $why" >&2
	exit 1
fi
exit 0
