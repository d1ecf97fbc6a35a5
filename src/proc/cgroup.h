/*
 * cgroup.h - what a process's /proc/PID/cgroup says about where it runs:
 * its cgroup path, and the container or systemd unit that path names
 * (docker, podman, containerd, CRI-O, Kubernetes, LXC, systemd-nspawn
 * machines and units), for cgroup v1, v2 and hybrid hierarchies.  The
 * parser is pure (unit-tested on recorded lines of each runtime); the
 * reading is reader.c's, once per process.
 */
#ifndef PMON_CGROUP_H
#define PMON_CGROUP_H

#include <stddef.h>

struct cgroup_info {
	char path[256];      /* the unified (v2) path, or on a v1 or hybrid
	                        machine the first informative v1 path
	                        (name=systemd, then any controller's) */
	char container[96];  /* "docker:3f2a9c1b0e4d", "podman:...",
	                        "containerd:...", "crio:...", "k8s:...",
	                        "lxc:NAME", "machine:NAME", a systemd unit
	                        ("nginx.service", "session-3.scope"), or ""
	                        when nothing names one */
};

/* Parse the text of /proc/PID/cgroup ("ID:CONTROLLERS:PATH" lines). */
void cgroup_parse(const char *text, struct cgroup_info *out);

/* The container or unit a cgroup path names ("" for none), into out. */
void cgroup_container_of(const char *path, char *out, size_t size);

#endif
