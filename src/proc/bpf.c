/*
 * bpf.c - pmon's BPF task iterator in the kernel: loading, pinning and
 * reading it (see bpf.h).  The program and its records are
 * bpf/task_iter.bpf.c and bpf/task_rec.h; the Makefile embeds the
 * compiled program here as a libbpf skeleton (task_iter.skel.h), or
 * leaves it out and says why in pmon-bpf-config.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <pmon-bpf-config.h>

#include "proc/bpf.h"
#include "proc/bpfwalk.h"
#include "proc/taskrec.h"

#define BPF_FS_MAGIC_NUMBER 0xcafe4a11 /* linux/magic.h's BPF_FS_MAGIC */

bool bpf_is_bpffs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && (unsigned long)fs.f_type == BPF_FS_MAGIC_NUMBER;
}

#ifdef PMON_HAVE_BPF

#include "proc/bpflib.h"

/* libbpf is loaded by bpf_load (bpflib.h); the skeleton's calls go
 * through the loaded library too. */
static const struct bpflib_api *libbpf;

#define bpf_object__open_skeleton libbpf->object__open_skeleton
#define bpf_object__load_skeleton libbpf->object__load_skeleton
#define bpf_object__attach_skeleton libbpf->object__attach_skeleton
#define bpf_object__detach_skeleton libbpf->object__detach_skeleton
#define bpf_object__destroy_skeleton libbpf->object__destroy_skeleton
#include <task_iter.skel.h>

/* ---- reading a pass ------------------------------------------------------- */

/* A bpf iterator's read() gives at most its seq_file buffer (32 KiB) at
 * a time; this leaves room for two. */
enum { READ_CHUNK = 64 * 1024 };

/* The first buffer for passes: as big as the tasks there are now make
 * a pass (sysinfo's procs counts tasks), with a tenth more. */
static void first_buffer(struct buf *raw)
{
	struct sysinfo si;
	size_t want;

	if (raw->data || sysinfo(&si) < 0)
		return;
	want = (size_t)si.procs * sizeof(struct pmon_rec_task) / 10 * 11;
	raw->data = big_alloc(want);
	if (raw->data)
		raw->cap = big_size(want);
}

static int read_pass_fd(int fd, struct buf *raw, unsigned *version)
{
	bool checked = false;

	first_buffer(raw);
	buf_reset(raw);
	for (;;) {
		ssize_t got;

		buf_reserve(raw, READ_CHUNK);
		got = read(fd, raw->data + raw->len, raw->cap - raw->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		raw->len += (size_t)got;
		if (!checked && raw->len >= sizeof(struct pmon_rec_header)) {
			if (taskrec_check_header(raw->data, raw->len, version) < 0)
				return -1;
			checked = true;
		}
	}
	if (!checked && taskrec_check_header(raw->data, raw->len, version) < 0) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* read_pass_fd, then fd closed (errno kept). */
static int read_pass_close(int fd, struct buf *raw, unsigned *version)
{
	int rc, err;

	if (fd < 0)
		return -1;
	rc = read_pass_fd(fd, raw, version);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

static const char *pass_way = "none";

const char *bpf_pass_way(void)
{
	return pass_way;
}

/* PMON_BPF_PASS=iterator: passes through the iterator even where the
 * walk is there (the tests of the iterator, the benchmarks beside). */
static bool walk_allowed(void)
{
	const char *way = getenv("PMON_BPF_PASS");

	return !way || strcmp(way, "iterator") != 0;
}

/* Whether a failed walk leaves the pass to the iterator: all but a
 * pass of another format, which is the caller's to judge. */
static bool iterator_instead(int err)
{
	return err != ESTALE && err != EPROTO;
}

/* A pass from the pins in dir: the walk's when it is there and can, else
 * the iterator's. */
static int read_pins(const char *dir, unsigned items, struct buf *raw,
		     unsigned *version)
{
	char path[512];

	if (walk_allowed()) {
		if (bpfwalk_pinned_pass(dir, items, raw, version) == 0) {
			pass_way = "walk";
			return 0;
		}
		if (!iterator_instead(errno))
			return -1;
	}
	pass_way = "iterator";
	snprintf(path, sizeof(path), "%s/" BPF_ITER_PIN, dir);
	return read_pass_close(open(path, O_RDONLY | O_CLOEXEC), raw, version);
}

/* ---- loading ---------------------------------------------------------------- */

static struct task_iter *skel;
static struct bpf_link *iter_link;
static int walk_prog = -1, walk_ring = -1; /* in skel, when the walk loaded */
static bool walk_pinned;   /* ... and pinned: its ring is every reader's */
static char walk_why[256]; /* why the walk did not load, when it did not */

bool bpf_built(const char **why)
{
	*why = NULL;
	return true;
}

/* libbpf's messages: kept, not printed (the last ones explain a failed
 * load); printed with PMON_BPF_DEBUG=1, its debug lines too with 2. */
static char libbpf_said[1024];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];
	size_t have = strlen(libbpf_said);
	int n;

	const char *debug = getenv("PMON_BPF_DEBUG");

	if (debug && (level != LIBBPF_DEBUG || atoi(debug) >= 2))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n <= 0)
		return 0;
	if (have + strlen(line) >= sizeof(libbpf_said))
		have = 0; /* keep the latest */
	snprintf(libbpf_said + have, sizeof(libbpf_said) - have, "%s", line);
	return n;
}

static int fail(struct buf *why, int err, const char *what)
{
	if (why) {
		char *nl;

		buf_printf(why, "%s: %s", what, strerror(err));
		/* libbpf's last line says more ("... failed: -EPERM"). */
		while ((nl = strrchr(libbpf_said, '\n')) && nl[1] == '\0')
			*nl = '\0';
		nl = strrchr(libbpf_said, '\n');
		if (*libbpf_said)
			buf_printf(why, " (libbpf: %s)", nl ? nl + 1 : libbpf_said);
	}
	errno = err;
	return -1;
}

/* The possible CPUs ("0-3,8-11"): a bit each in mask, the highest + 1
 * returned; -1 when unreadable or more than PMON_REC_MAX_CPUS. */
static int possible_cpus(__u64 *mask)
{
	char text[4096];
	const char *s = text;
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC), top = 0;
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	while (*s >= '0' && *s <= '9') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (lo < 0 || hi < lo || hi >= PMON_REC_MAX_CPUS)
			return -1;
		for (long c = lo; c <= hi; c++)
			mask[c / 64] |= 1ULL << (c % 64);
		top = (int)hi + 1;
		s = *end == ',' ? end + 1 : end;
	}
	return top > 0 ? top : -1;
}

/* The walk's ring: three times what a pass of the tasks there are now
 * takes (the ring is made once, at install: kernel memory for as long
 * as it is pinned), at least 4 MiB (about 25,000 processes), a power
 * of 2.  A pass that does not fit is read through the iterator.  Not
 * more: every reader maps it whole, twice (8 MiB took 0.25 ms of CPU a
 * run at 10,000 processes, 1.8% of pmon ps). */
static __u32 ring_bytes(void)
{
	struct sysinfo si;
	size_t want = 4u << 20, need, size = 4096;

	if (sysinfo(&si) == 0) {
		need = (size_t)si.procs * (sizeof(struct pmon_rec_task) + 8) * 3;
		if (need > want)
			want = need;
	}
	while (size < want && size < (1u << 30))
		size *= 2;
	return (__u32)size;
}

/* Open the object and load it, with the walk or without it. */
static int load_object(bool walk, struct buf *why)
{
	int ncpus;

	skel = task_iter__open();
	if (!skel)
		return fail(why, errno, "opening the BPF object");
	ncpus = possible_cpus((__u64 *)skel->rodata->cpu_possible);
	if (ncpus < 0)
		return fail(why, ENOTSUP, "the possible CPUs (at most "
			    "PMON_REC_MAX_CPUS, 512)");
	skel->rodata->ncpus = (__u32)ncpus;
	libbpf->program__set_autoload(skel->progs.pmon_walk, walk);
	libbpf->map__set_max_entries(skel->maps.walk_ring, walk ? ring_bytes() : 4096);
	if (task_iter__load(skel))
		return fail(why, errno, "loading the task iterator");
	return 0;
}

int bpf_load(bool walk, struct buf *why)
{
	int err;
	const char *no;

	if (iter_link && (!walk || walk_prog >= 0 || walk_why[0]))
		return 0;
	if (iter_link) /* loaded without the walk, which is wanted now */
		bpf_unload();
	if (!libbpf && !(libbpf = bpflib_load(&no))) {
		if (why)
			buf_printf(why, "libbpf (Debian: libbpf1) cannot be loaded: %s", no);
		errno = ELIBACC;
		return -1;
	}
	libbpf->set_print(libbpf_print);
	libbpf_said[0] = '\0';
	/* A kernel before 6.7 has no open-coded task iterator and refuses
	 * the walk: loaded again without it (libbpf loads an object once),
	 * with the reason kept for pmon bpf install to give. */
	if (!walk || load_object(true, NULL) < 0) {
		if (walk) {
			struct buf reason = {0};

			fail(&reason, errno, "loading the walk");
			snprintf(walk_why, sizeof(walk_why), "%s", reason.data);
			buf_free(&reason);
		}
		bpf_unload();
		libbpf_said[0] = '\0';
		if (load_object(false, why) < 0) {
			err = errno;
			bpf_unload();
			errno = err;
			return -1;
		}
	} else {
		walk_why[0] = '\0';
		walk_prog = libbpf->program__fd(skel->progs.pmon_walk);
		walk_ring = libbpf->map__fd(skel->maps.walk_ring);
	}
	iter_link = libbpf->program__attach_iter(skel->progs.pmon_tasks, NULL);
	if (!iter_link) {
		err = errno;
		bpf_unload();
		return fail(why, err, "attaching the task iterator");
	}
	return 0;
}

bool bpf_loaded(void)
{
	return iter_link != NULL;
}

void bpf_unload(void)
{
	if (!libbpf)
		return; /* nothing was ever loaded */
	/* Destroying the link does not unpin it: a pin holds its own
	 * reference. */
	libbpf->link__destroy(iter_link);
	iter_link = NULL;
	task_iter__destroy(skel);
	skel = NULL;
	walk_prog = walk_ring = -1;
	walk_pinned = false;
	bpfwalk_free();
}

bool bpf_walk_loaded(void)
{
	return walk_prog >= 0;
}

const char *bpf_walk_why(void)
{
	return walk_why;
}

int bpf_read_pass(const char *dir, unsigned items, struct buf *raw, unsigned *version)
{
	if (dir)
		return read_pins(dir, items, raw, version);
	if (!iter_link) {
		errno = EINVAL;
		return -1;
	}
	/* Not once pinned: its ring is then the readers' of the pins, who
	 * take turns at it (bpfwalk_pinned_pass). */
	if (walk_prog >= 0 && !walk_pinned && walk_allowed()) {
		int rc = bpfwalk_pass(walk_prog, walk_ring, items, raw, version);

		if (rc == 0 || !iterator_instead(errno)) {
			pass_way = "walk";
			return rc;
		}
	}
	pass_way = "iterator";
	return read_pass_close(libbpf->iter_create(libbpf->link__fd(iter_link)), raw,
			       version);
}

/* The directory of the pin: made if missing; it must be a directory of
 * root's, and is made 0700 whatever it was. */
static int pin_dir(const char *dir, struct buf *why)
{
	struct stat sb;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return fail(why, errno, dir);
	if (lstat(dir, &sb) < 0)
		return fail(why, errno, dir);
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0)
		return fail(why, EPERM, "not a directory of root's");
	if ((sb.st_mode & 07777) != 0700 && chmod(dir, 0700) < 0)
		return fail(why, errno, dir);
	return 0;
}

/* Pin fd (a link when link is set) as dir/name: made beside it as a
 * temporary and renamed over any old one, so a reader sees the old pin
 * or the new, never none; mode 0600. */
static int pin_one(const char *dir, const char *name, int fd, struct bpf_link *link,
		   struct buf *why)
{
	char tmp[512], path[512];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* bpffs refuses names with a dot. */
	snprintf(tmp, sizeof(tmp), "%s/%s-new-%ld", dir, name, (long)getpid());
	unlink(tmp);
	if ((link ? libbpf->link__pin(link, tmp) : bpfwalk_obj_pin(fd, tmp)) < 0)
		return fail(why, errno, tmp);
	if (chmod(tmp, 0600) < 0 || rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		return fail(why, err, path);
	}
	return 0;
}

/* The pins made, under the lock their readers take turns with (held
 * for a pass: waited for, up to a second), so that two installs at once
 * cannot leave the walk of one beside the ring of the other. */
static int pin_all(const char *dir, struct buf *why)
{
	char path[512];

	/* A reader that takes the new program with the old ring (or the
	 * other way round) finds its ring empty, reads the iterator and
	 * opens the pins again next time (bpfwalk.c). */
	if (walk_prog >= 0) {
		if (pin_one(dir, BPF_WALK_RING_PIN, walk_ring, NULL, why) < 0 ||
		    pin_one(dir, BPF_WALK_PIN, walk_prog, NULL, why) < 0)
			return -1;
		walk_pinned = true;
	} else { /* the walk of an install that could load it */
		snprintf(path, sizeof(path), "%s/" BPF_WALK_PIN, dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/" BPF_WALK_RING_PIN, dir);
		unlink(path);
	}
	return pin_one(dir, BPF_ITER_PIN, -1, iter_link, why);
}

int bpf_pin(const char *dir, struct buf *why)
{
	int lock, rc, err;

	if (!iter_link)
		return fail(why, EINVAL, "the task iterator is not loaded");
	if (pin_dir(dir, why) < 0)
		return -1;
	lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0)
		return fail(why, errno, dir);
	for (int tries = 0; flock(lock, LOCK_EX | LOCK_NB) < 0; tries++) {
		if (errno != EWOULDBLOCK || tries == 100) {
			err = errno == EWOULDBLOCK ? EBUSY : errno;
			close(lock);
			return fail(why, err, "the pins' lock (another pmon holds it)");
		}
		usleep(10000);
	}
	rc = pin_all(dir, why);
	err = errno;
	close(lock);
	errno = err;
	return rc;
}

#else /* !PMON_HAVE_BPF */

bool bpf_built(const char **why)
{
	*why = PMON_BPF_MISSING;
	return false;
}

int bpf_load(bool walk, struct buf *why)
{
	(void)walk;
	if (why)
		buf_printf(why, "not built: %s", PMON_BPF_MISSING);
	errno = ENOSYS;
	return -1;
}

bool bpf_loaded(void)
{
	return false;
}

void bpf_unload(void)
{
}

bool bpf_walk_loaded(void)
{
	return false;
}

const char *bpf_walk_why(void)
{
	return PMON_BPF_MISSING;
}

const char *bpf_pass_way(void)
{
	return "none";
}

int bpf_read_pass(const char *dir, unsigned items, struct buf *raw, unsigned *version)
{
	(void)dir, (void)items, (void)raw, (void)version;
	errno = ENOSYS;
	return -1;
}

int bpf_pin(const char *dir, struct buf *why)
{
	(void)dir;
	return bpf_load(false, why);
}

#endif
