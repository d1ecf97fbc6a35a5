/*
 * gpu.h - GPU memory and engine time per process from DRM fdinfo
 * (Documentation/gpu/drm-usage-stats.rst): each descriptor a process
 * holds on a DRM device (/dev/dri/cardN, renderDN) has a
 * /proc/PID/fdinfo/FD with "drm-driver:", "drm-client-id:",
 * "drm-memory-REGION:" (older amdgpu, i915), "drm-total-REGION:" and
 * "drm-resident-REGION:" (the current spec), and "drm-engine-NAME: N ns".
 * The parser is pure (unit-tested on i915, amdgpu and nouveau text); the
 * reading (gpu_read_process) is done for the rows shown only, and not at
 * all on a machine with no DRM device.
 */
#ifndef PMON_GPU_H
#define PMON_GPU_H

#include <stdbool.h>
#include <sys/types.h>

struct drm_client {
	char driver[32];
	char pdev[32];                  /* drm-pdev: the device, when given */
	unsigned long long client_id;
	bool have_id;
	unsigned long long mem_bytes;   /* resident if told, else total, else
	                                   the drm-memory-* sum */
	unsigned long long engine_ns;   /* the sum over engines */
};

/* Parse one fdinfo text.  0 when it is a DRM client (has drm-driver),
 * -1 otherwise. */
int drm_fdinfo_parse(const char *text, struct drm_client *c);

/* A process's use of every GPU: the clients of its descriptors, each
 * counted once (a descriptor dup'ed or inherited shares its client id). */
struct gpu_use {
	unsigned long long mem_bytes, engine_ns;
	int clients;
};

/* Is there any DRM device on this machine (/dev/dri)?  Asked once. */
bool gpu_present(void);

/* Read process pid's GPU use through procfd (/proc).  0 (with clients 0
 * when it holds no DRM descriptor), or -1 with errno (EACCES: its
 * descriptors may not be looked at; ESRCH: gone). */
int gpu_read_process(int procfd, pid_t pid, struct gpu_use *u);

#endif
