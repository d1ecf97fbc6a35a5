/*
 * bpf.h - pmon's BPF programs in the kernel (bpf/task_iter.bpf.c): the
 * task iterator, and on kernels with the open-coded task iterator (6.7+)
 * the walk, which gives the same pass for half the CPU (bpfwalk.h);
 * loading them into this process, pinning them in bpffs for every later
 * run, and reading passes from either (internal to src/proc/; when to do
 * which is backend.c's choice).  Built only with libbpf; without it every
 * function fails with ENOSYS and bpf_built() says why.
 */
#ifndef PMON_BPF_H
#define PMON_BPF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

/* Where `pmon bpf install` pins them: a directory of mode 0700 and pins
 * of mode 0600, all root's: the iterator, and where the kernel has it
 * the walk's program and its ring. */
#define BPF_FS "/sys/fs/bpf"
#define BPF_PIN_DIR BPF_FS "/pmon"
#define BPF_ITER_PIN "tasks"
#define BPF_WALK_PIN "walk"
#define BPF_WALK_RING_PIN "walk_ring"
#define BPF_PIN_PATH BPF_PIN_DIR "/" BPF_ITER_PIN

/* Whether this pmon has the backend; if not, *why says why ("no libbpf
 * (libbpf-dev)", "disabled (PMON_BPF=0)"). */
bool bpf_built(const char **why);

/* Load the iterator and attach it in this process, and with walk the
 * walk too where the kernel accepts it.  The iterator costs 60 to 100 ms
 * of CPU, nearly all of it libbpf parsing the kernel's BTF; the walk 0.3
 * to 1 s more, the verifier following its loop, which pays for itself
 * only pinned (a pass of 10,000 processes is 4 ms cheaper): so only
 * what pins asks for it.  0 (also when loaded already), or -1 with
 * errno and why (libbpf's last words) appended to *why when given. */
int bpf_load(bool walk, struct buf *why);
bool bpf_loaded(void);
bool bpf_walk_loaded(void);
/* Why the walk was asked for and did not load (libbpf's words), or "". */
const char *bpf_walk_why(void);
void bpf_unload(void);

/*
 * Read one whole pass into raw (reset first; its data stays 8-byte
 * aligned), with at least the items (PI_*) asked for: from the programs
 * loaded here (dir NULL) or from the pins in
 * dir: the walk where it is there, else the iterator, each open of
 * which is a new pass (PMON_BPF_PASS=iterator: the iterator always).
 * The header is checked after the first read, so a pin of another
 * format is not read to its end.  0, or -1 with errno (ENOENT: no pin;
 * EPROTO: not a pmon pass; ESTALE: another format version, in *version).
 */
int bpf_read_pass(const char *dir, unsigned items, struct buf *raw, unsigned *version);

/* How the last pass was read: "walk", "iterator" (or "none"). */
const char *bpf_pass_way(void);

/* Pin what is loaded in dir: the directory made (mode 0700) if needed,
 * each pin made beside its place and renamed over any old one, so a
 * reader sees the old pin or the new, never none; mode 0600.  0, or -1
 * with errno and a reason appended to *why. */
int bpf_pin(const char *dir, struct buf *why);

/* Whether path is on a bpf filesystem (ENOENT when it does not exist). */
bool bpf_is_bpffs(const char *path);

#endif
