/*
 * bpfwalk.h - passes of the walk (bpf/task_iter.bpf.c's pmon_walk, for
 * kernels with the open-coded task iterator, 6.7+) through the bpf()
 * system call (internal to src/proc/; bpf.c decides when).
 */
#ifndef PMON_BPFWALK_H
#define PMON_BPFWALK_H

#include "proc/bpf.h"
#include "util/util.h"

/* BPF_OBJ_GET and BPF_OBJ_PIN: an fd, or -1 with errno. */
int bpfwalk_obj_get(const char *path);
int bpfwalk_obj_pin(int fd, const char *path);

/*
 * Run the walk program prog once, for the items (PI_*, proc.h) wanted,
 * and read the pass it wrote in its ring (ringfd, mapped here and kept
 * mapped for the next pass) into raw (reset first; 8-byte aligned) as
 * bpf_read_pass does.  0, or -1 with errno (ENOENT: this process is not
 * in the first pid namespace; ENOBUFS: the ring is too small for the
 * tasks there are; as taskrec_check_header).  The iterator can read
 * the pass in either case.
 */
int bpfwalk_pass(int prog, int ringfd, unsigned items, struct buf *raw,
		 unsigned *version);

/* bpfwalk_pass with the program and ring pinned in dir (opened once and
 * kept), while holding the lock readers of the pins take turns with:
 * also ENOENT when there are no such pins, EBUSY when another reader
 * holds the lock. */
int bpfwalk_pinned_pass(const char *dir, unsigned items, struct buf *raw,
			unsigned *version);

/* 0 when dir has the walk's pins, of one install; -1 with ENOENT when
 * not (none, or a walk and a ring of two installs), or another errno. */
int bpfwalk_pins_agree(const char *dir);

/* The ring unmapped, the pins closed. */
void bpfwalk_free(void);

#endif
