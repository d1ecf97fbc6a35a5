/*
 * backend.h - how the process layer reads the process table: /proc (the
 * default, and the only way without privilege), or, for a process with
 * CAP_BPF and CAP_PERFMON (or root), one pass of pmon's BPF task iterator
 * (bpf.c, bpf/task_iter.bpf.c) that gives every process's numbers at
 * once, with /proc read only for what the iterator does not give
 * (command lines, I/O, signal masks, libproc2's long tail) and for the
 * rows that need it.
 *
 * Who pays for loading the program (70 to 100 ms of CPU, libbpf parsing
 * the kernel's BTF; a pass over 10,000 processes costs 5 to 10 ms):
 *   - a pinned iterator (`pmon bpf install`: /sys/fs/bpf/pmon/tasks,
 *     mode 0600 in a 0700 directory, both root's) costs nothing to use:
 *     each open is a pass.  Every command uses it when it is there.
 *   - without a pin, `pmon top` (long-running) loads the program itself;
 *     a one-shot command reads /proc, which costs less than a load below
 *     about 10,000 processes.
 * The choice: --backend NAME, else PMON_BACKEND, else auto (as above).
 * Forcing bpf without privilege, or where it cannot work, is an error.
 */
#ifndef PMON_BACKEND_H
#define PMON_BACKEND_H

#include <stdbool.h>

#include "util/util.h"

enum proc_backend {
	PROC_BACKEND_AUTO,  /* bpf when privileged and cheap, else /proc */
	PROC_BACKEND_PROC,
	PROC_BACKEND_BPF,   /* bpf or an error */
};

/*
 * Choose the backend for the rest of the run: name is "auto", "proc" or
 * "bpf" (from --backend), or NULL for PMON_BACKEND's value (auto when
 * unset or empty).  0; or -1 with errno EINVAL (an unknown name) or
 * another errno when bpf is asked for and cannot be used here, with the
 * reason appended to why.  Without a call, the readers act as for NULL,
 * ignoring an unknown PMON_BACKEND.
 */
int proc_backend_choose(const char *name, struct buf *why);
enum proc_backend proc_backend_chosen(void);

/* The backends of this build, for `pmon --version`: "proc, bpf", or
 * "proc (bpf: not built: no libbpf (libbpf-dev))". */
void proc_backend_describe(struct buf *out);


/* ---- pmon bpf ------------------------------------------------------------ */

/* Load the iterator and pin it at BPF_PIN_PATH (replacing any pin
 * there).  0, or -1 with errno; what was done, or why not, appended to
 * msg. */
int proc_bpf_install(struct buf *msg);
/* Remove the pin and its directory.  0 (also when there was none: msg
 * says so), or -1 with errno. */
int proc_bpf_remove(struct buf *msg);
/* One line per fact (built, privilege, BTF, bpffs, the pin and its
 * format) into out.  0 when the pin is there and current, else 1. */
int proc_bpf_status(struct buf *out);

#endif
