/*
 * backend.c - choosing between /proc and the BPF task iterator, and the
 * pinned iterator's install, remove and status (see backend.h); the
 * passes a reader takes (taskiter.h).
 *
 * Measured on the 2-CPU development VM, kernel 6.18, libbpf 1.1: loading
 * the program takes 70 to 100 ms of CPU (95 to 133 ms wall), nearly all
 * of it libbpf reading and indexing the kernel's 5.4 MB BTF; a minimal
 * BTF (bpftool gen min_core_btf) does not help, as libbpf still parses
 * the kernel's to find the attach point.  A pass over 10,000 processes
 * costs 5 to 10 ms, and reading a pin costs only the pass.  So one-shot
 * commands read a pin or /proc, never load; a watch loads when there is
 * no pin (one load is paid back within a few refreshes); and the pin is
 * made only by an explicit `pmon bpf install`, never as a side effect of
 * looking at processes.  A pin of an older format is replaced by the
 * first privileged run that finds it (the administrator asked for a pin;
 * a pmon upgrade keeps it working); one of a newer format is left to
 * the newer pmon.
 *
 * Who may read: the pin is root's, 0600, in a 0700 directory, so the
 * kernel lets only root open it; and pmon itself reads it (or loads the
 * program) only with CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN: exactly
 * those who could load the program anyway, so the pin gives no one more
 * than they could take.  (A pin made readable to others would show every
 * process to them, whatever /proc's hidepid says: pmon never does that.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proc/backend.h"
#include "proc/bpf.h"
#include "proc/bpfwalk.h"
#include "proc/reader.h"
#include "proc/taskiter.h"

#define ENV_BACKEND "PMON_BACKEND"
#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

static enum proc_backend chosen;
static bool chosen_set;

/* ---- the choice ------------------------------------------------------------ */

static int parse_name(const char *name, enum proc_backend *out)
{
	static const char *const names[] = {"auto", "proc", "bpf"};

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum proc_backend)i;
			return 0;
		}
	}
	errno = EINVAL;
	return -1;
}

/* CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN, in the effective set: what
 * loading a tracing program needs (kernels before 5.8 know only the
 * last). */
static bool privileged(void)
{
	enum { SYS_ADMIN = 21, PERFMON = 38, BPF = 39 };
	uint64_t eff;

	if (self_caps(&eff) < 0)
		return geteuid() == 0;
#define HAS(c) ((eff >> (c)) & 1)
	return (HAS(PERFMON) && HAS(BPF)) || HAS(SYS_ADMIN);
#undef HAS
}

/* The iterator gives kernel uids and pids in the reader's pid namespace;
 * /proc gives uids mapped into the reader's user namespace and pids of
 * the namespace it was mounted in.  They agree when pmon runs in the
 * first user namespace and /proc is of its own pid namespace. */
static const char *namespaces_differ(void)
{
	char self[32];
	ssize_t n;

	if (!procfs_initial_userns())
		return "pmon runs in a user namespace (its uids would not be /proc's)";
	n = readlink("/proc/self", self, sizeof(self) - 1);
	if (n <= 0)
		return "/proc is not mounted";
	self[n] = '\0';
	if (strtol(self, NULL, 10) != (long)getpid())
		return "/proc is not of pmon's pid namespace";
	return NULL;
}

/* Why the iterator cannot be used by this process, or NULL. */
static const char *cannot_use(void)
{
	const char *why;

	if (!bpf_built(&why)) {
		static char text[160];

		snprintf(text, sizeof(text), "it is not built into this pmon: %s", why);
		return text;
	}
	if (!privileged())
		return "it needs CAP_BPF and CAP_PERFMON (or root)";
	return namespaces_differ();
}

static void resolve(void)
{
	const char *env;

	if (chosen_set)
		return;
	env = getenv(ENV_BACKEND);
	chosen = PROC_BACKEND_AUTO;
	if (env && *env && parse_name(env, &chosen) < 0)
		chosen = PROC_BACKEND_AUTO;
	chosen_set = true;
}

int proc_backend_choose(const char *name, struct buf *why)
{
	const char *no;

	if (!name) {
		name = getenv(ENV_BACKEND);
		if (!name || !*name)
			name = "auto";
	}
	chosen_set = true;
	if (parse_name(name, &chosen) < 0) {
		buf_printf(why, "unknown backend '%s' (auto, proc or bpf)", name);
		chosen = PROC_BACKEND_AUTO;
		errno = EINVAL;
		return -1;
	}
	if (chosen == PROC_BACKEND_BPF && (no = cannot_use())) {
		buf_printf(why, "the bpf backend cannot be used: %s", no);
		errno = EPERM;
		return -1;
	}
	return 0;
}

enum proc_backend proc_backend_chosen(void)
{
	resolve();
	return chosen;
}

void proc_backend_describe(struct buf *out)
{
	const char *why;

	if (bpf_built(&why))
		buf_puts(out, "proc, bpf");
	else
		buf_printf(out, "proc (bpf: not built: %s)", why);
}

/* ---- a reader's passes ------------------------------------------------------- */

static void debug(const char *what)
{
	if (getenv("PMON_BPF_DEBUG"))
		fprintf(stderr, "pmon: backend: %s\n", what);
}

static int decode(struct taskiter *it)
{
	return taskrec_decode(it->raw.data, it->raw.len, &it->pass) < 0 ? -1 : 0;
}

/* Replace a pin of an older format (or garbage) with ours.  0, or -1. */
static int replace_pin(void)
{
	struct buf why = {0};
	int rc = bpf_load(true, &why) == 0 ? bpf_pin(BPF_PIN_DIR, &why) : -1;

	/* What this process loaded is the pins' now: read as they are, in
	 * turns (and the walk's handles of the old pins closed). */
	bpf_unload();
	debug(rc == 0 ? "replaced a pin of another format" : why.data);
	buf_free(&why);
	return rc;
}

/* The pin, read once to see that it is ours and current: 0 (a pass in
 * it->raw), or -1 with errno. */
static int try_pin(struct taskiter *it)
{
	unsigned version = 0;

	if (bpf_read_pass(BPF_PIN_DIR, it->items, &it->raw, &version) == 0)
		return 0;
	if ((errno == ESTALE && version < PMON_REC_VERSION) || errno == EPROTO) {
		if (replace_pin() == 0 &&
		    bpf_read_pass(BPF_PIN_DIR, it->items, &it->raw, &version) == 0)
			return 0;
	}
	/* No pass kept: a caller that falls back to /proc never closes. */
	buf_free(&it->raw);
	return -1;
}

static int refuse(const char *why, int err)
{
	pmon_warn("the bpf backend (PMON_BACKEND or --backend) cannot be used: %s", why);
	errno = err;
	return -1;
}

int taskiter_open(struct taskiter *it, bool long_running, unsigned items)
{
	struct buf why = {0};
	const char *no;
	bool forced;

	memset(it, 0, sizeof(*it));
	it->items = items;
	resolve();
	if (chosen == PROC_BACKEND_PROC)
		return 0;
	forced = chosen == PROC_BACKEND_BPF;
	if ((no = cannot_use()))
		return forced ? refuse(no, EPERM) : 0;
	if (try_pin(it) == 0) {
		it->pin = BPF_PIN_DIR;
		it->primed = true;
	} else if (long_running || forced) {
		if (bpf_load(false, &why) < 0) {
			int err = errno;

			debug(why.data);
			if (forced)
				refuse(why.data, err);
			buf_free(&why);
			return forced ? -1 : 0;
		}
	} else {
		return 0;
	}
	buf_free(&why);
	it->on = true;
	if (it->pin) {
		char line[64];

		snprintf(line, sizeof(line), "bpf, pinned %s", bpf_pass_way());
		debug(line);
	} else {
		debug(bpf_walk_loaded() ? "bpf, loaded by pmon (walk)" : "bpf, loaded by pmon");
	}
	return 1;
}

int taskiter_pass(struct taskiter *it)
{
	unsigned version;

	if (it->primed) {
		it->primed = false;
		return decode(it);
	}
	if (bpf_read_pass(it->pin, it->items, &it->raw, &version) == 0)
		return decode(it);
	/* The pin went away (pmon bpf remove) or was replaced by a newer
	 * pmon's during a watch: go on with a program of our own. */
	if (it->pin && bpf_load(false, NULL) == 0) {
		debug("the pin is gone or changed: loaded the program");
		it->pin = NULL;
		if (bpf_read_pass(NULL, it->items, &it->raw, &version) == 0)
			return decode(it);
	}
	return -1;
}

void taskiter_close(struct taskiter *it)
{
	buf_free(&it->raw);
	taskrec_pass_free(&it->pass);
	memset(it, 0, sizeof(*it));
}

/* ---- pmon bpf install, remove, status ---------------------------------------------- */

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int proc_bpf_install(struct buf *msg)
{
	struct taskiter it = {0};
	const char *no = cannot_use();
	double t0;
	int err;

	if (no) {
		buf_printf(msg, "cannot install the task iterator: %s", no);
		errno = EPERM;
		return -1;
	}
	if (!bpf_is_bpffs(BPF_FS)) {
		buf_printf(msg, "no bpf filesystem at %s (mount -t bpf bpf %s)", BPF_FS, BPF_FS);
		errno = ENOENT;
		return -1;
	}
	t0 = cpu_ms();
	if (bpf_load(true, msg) < 0 || bpf_pin(BPF_PIN_DIR, msg) < 0) {
		err = errno;
		bpf_unload();
		errno = err;
		return -1;
	}
	if (bpf_walk_loaded())
		buf_puts(msg, "pinned the walk and the task iterator");
	else
		buf_printf(msg, "pinned the task iterator (no walk: %s)", bpf_walk_why());
	buf_printf(msg, " in %s (mode 0600, format %d; loading took %.0f ms of CPU)",
		   BPF_PIN_DIR, PMON_REC_VERSION, cpu_ms() - t0);
	bpf_unload();
	it.pin = BPF_PIN_DIR;
	if (bpf_read_pass(it.pin, PI_ALL, &it.raw, &(unsigned){0}) < 0 || decode(&it) < 0) {
		err = errno;
		buf_printf(msg, "; but reading it failed: %s", strerror(err));
		taskiter_close(&it);
		errno = err;
		return -1;
	}
	buf_printf(msg, "; a pass: %zu processes", it.pass.n);
	taskiter_close(&it);
	return 0;
}

int proc_bpf_remove(struct buf *msg)
{
	static const char *const pins[] = {BPF_WALK_PIN, BPF_WALK_RING_PIN, BPF_ITER_PIN};
	char path[512];

	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		snprintf(path, sizeof(path), BPF_PIN_DIR "/%s", pins[i]);
		if (unlink(path) < 0 && errno != ENOENT) {
			buf_printf(msg, "cannot remove %s: %s", path, strerror(errno));
			return -1;
		}
	}
	if (rmdir(BPF_PIN_DIR) == 0 || errno == ENOENT || errno == ENOTEMPTY) {
		buf_printf(msg, "no pinned task iterator at %s now", BPF_PIN_PATH);
		return 0;
	}
	buf_printf(msg, "removed %s, but not %s: %s", BPF_PIN_PATH, BPF_PIN_DIR,
		   strerror(errno));
	return -1;
}

/* The pin's line of the status; true when it is current. */
static bool pin_status(struct buf *out, bool can_read)
{
	struct taskiter it = {0};
	unsigned version = 0;
	struct stat sb;
	bool current = false;

	buf_printf(out, "pin:        %s: ", BPF_PIN_PATH);
	if (stat(BPF_PIN_PATH, &sb) < 0) {
		buf_printf(out, "%s\n", errno == ENOENT ? "none (pmon bpf install makes it)"
						       : strerror(errno));
		return false;
	}
	buf_printf(out, "mode %04o, owner uid %u", (unsigned)(sb.st_mode & 07777),
		   (unsigned)sb.st_uid);
	if (!can_read) {
		buf_puts(out, "; not read (no privilege)\n");
		return false;
	}
	if (bpf_read_pass(BPF_PIN_DIR, PI_ALL, &it.raw, &version) == 0 && decode(&it) == 0) {
		double t0 = cpu_ms();

		(void)bpf_read_pass(BPF_PIN_DIR, PI_ALL, &it.raw, &version);
		buf_printf(out, "; current (format %u, read by the %s): %zu processes in "
			   "a pass of %.2f ms CPU\n", version, bpf_pass_way(), it.pass.n,
			   cpu_ms() - t0);
		current = true;
	} else if (errno == ESTALE) {
		buf_printf(out, "; format %u, this pmon's is %d (%s)\n", version,
			   PMON_REC_VERSION, version < PMON_REC_VERSION ?
			   "replaced on the next privileged run" : "left to the newer pmon");
	} else {
		buf_printf(out, "; unreadable: %s\n", strerror(errno));
	}
	taskiter_close(&it);
	return current;
}

/* The walk's line of the status; false when its pins disagree. */
static bool walk_status(struct buf *out, bool can_read)
{
	struct stat sb;

	buf_puts(out, "walk:       " BPF_PIN_DIR "/" BPF_WALK_PIN ": ");
	if (stat(BPF_PIN_DIR "/" BPF_WALK_PIN, &sb) < 0) {
		buf_printf(out, "%s\n", errno == ENOENT ?
			   "none (Linux 6.7+ and pmon bpf install make it)" : strerror(errno));
		return true;
	}
	if (!can_read) {
		buf_puts(out, "pinned; not read (no privilege)\n");
		return true;
	}
	if (bpfwalk_pins_agree(BPF_PIN_DIR) == 0) {
		buf_puts(out, "pinned with its ring\n");
		return true;
	}
	buf_printf(out, "%s\n", errno == ENOENT ? "not of the install its ring is of "
		   "(readers use the iterator; pmon bpf install mends it)" : strerror(errno));
	return false;
}

int proc_bpf_status(struct buf *out)
{
	const char *why, *ns = namespaces_differ();
	bool built = bpf_built(&why), priv = privileged(), current;
	static const char *const names[] = {"auto", "proc", "bpf"};

	resolve();
	buf_printf(out, "backend:    %s%s\n", names[chosen],
		   getenv(ENV_BACKEND) && *getenv(ENV_BACKEND) ? " (" ENV_BACKEND ")" : "");
	buf_printf(out, "built:      %s%s\n", built ? "yes" : "no: ", built ? "" : why);
	buf_printf(out, "privilege:  %s\n", priv ? "yes (CAP_BPF and CAP_PERFMON, or root)"
						: "no (needs CAP_BPF and CAP_PERFMON, or root)");
	buf_printf(out, "namespaces: %s\n", ns ? ns : "the first user namespace, /proc of ours");
	buf_printf(out, "kernel BTF: %s: %s\n", KERNEL_BTF,
		   access(KERNEL_BTF, R_OK) == 0 ? "present" : "absent (loading will fail)");
	buf_printf(out, "bpffs:      %s: %s\n", BPF_FS,
		   bpf_is_bpffs(BPF_FS) ? "mounted" : "not mounted (no pin can be made)");
	current = pin_status(out, built && priv && !ns);
	if (!walk_status(out, built && priv && !ns))
		current = false;
	return current ? 0 : 1;
}
