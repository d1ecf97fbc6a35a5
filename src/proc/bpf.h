/*
 * bpf.h - pmon's BPF task iterator in the kernel (bpf/task_iter.bpf.c):
 * loading it into this process, pinning it in bpffs for every later run,
 * and reading passes from either (internal to src/proc/; when to do which
 * is backend.c's choice).  Built only with libbpf; without it every
 * function fails with ENOSYS and bpf_built() says why.
 */
#ifndef PMON_BPF_H
#define PMON_BPF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

/* Where `pmon bpf install` pins the iterator: a directory of mode 0700
 * and a pin of mode 0600, both root's. */
#define BPF_FS "/sys/fs/bpf"
#define BPF_PIN_DIR BPF_FS "/pmon"
#define BPF_PIN_PATH BPF_PIN_DIR "/tasks"

/* Whether this pmon has the backend; if not, *why says why ("no libbpf
 * (libbpf-dev)", "disabled (PMON_BPF=0)"). */
bool bpf_built(const char **why);

/* Load the program and attach it as an iterator in this process.  Costs
 * 70 to 100 ms of CPU, nearly all of it libbpf parsing the kernel's BTF.
 * 0 (also when loaded already), or -1 with errno and why (libbpf's last
 * words) appended to *why when given. */
int bpf_load(struct buf *why);
bool bpf_loaded(void);
void bpf_unload(void);

/*
 * Read one whole pass into raw (reset first; its data stays 8-byte
 * aligned): from the program loaded here (path NULL) or from the pinned
 * iterator at path, each open of which is a new pass.  The header is
 * checked after the first read, so a pin of another format is not read
 * to its end.  0, or -1 with errno (ENOENT: no pin; EPROTO: not a pmon
 * pass; ESTALE: another format version, in *version).
 */
int bpf_read_pass(const char *path, struct buf *raw, unsigned *version);

/* Pin the loaded iterator as dir/name: the directory made (mode 0700)
 * if needed, the pin made beside it and renamed over any old one, so a
 * reader sees the old pin or the new, never none; mode 0600.  0, or -1
 * with errno and a reason appended to *why. */
int bpf_pin(const char *dir, const char *name, struct buf *why);

/* Whether path is on a bpf filesystem (ENOENT when it does not exist). */
bool bpf_is_bpffs(const char *path);

#endif
