/*
 * bpfwalk.c - a pass of the walk (bpf/task_iter.bpf.c's pmon_walk, see
 * bpfwalk.h): the program run once, the records copied out of its ring
 * buffer in the order and format the iterator reads them.
 *
 * Through the bpf() system call itself, not libbpf's wrappers of it: a
 * one-shot reading the pins would otherwise load libbpf, libelf and zlib
 * for four calls (0.5-1 ms of CPU at start; see bpflib.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/bpfwalk.h"
#include "proc/taskrec.h"

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static __u64 ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

int bpfwalk_obj_get(const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = ptr(path);
	return sys_bpf(BPF_OBJ_GET, &a);
}

int bpfwalk_obj_pin(int fd, const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = ptr(path);
	a.bpf_fd = (__u32)fd;
	return sys_bpf(BPF_OBJ_PIN, &a);
}

/* ---- the ring ----------------------------------------------------------------- */

/* The ring last mapped, kept for the next pass (a watch's refresh). */
static struct ring {
	int fd;                  /* not ours to close */
	__u32 id;                /* the map's */
	size_t size;             /* of the data, a power of 2 */
	unsigned long *consumer;
	unsigned long *producer; /* the data follows it, mapped twice */
	const char *data;
} ring = {.fd = -1};

static void ring_unmap(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (ring.fd < 0)
		return;
	munmap(ring.consumer, page);
	munmap(ring.producer, page + 2 * ring.size);
	ring = (struct ring){.fd = -1};
}

/* BPF_OBJ_GET_INFO_BY_FD into info (len bytes, filled in by the caller:
 * where the kernel is to put arrays). */
static int obj_info(int fd, void *info, __u32 len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (__u32)fd;
	a.info.info_len = len;
	a.info.info = ptr(info);
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

/* The ring's size and id. */
static int ring_info(int fd, size_t *size, __u32 *id)
{
	struct bpf_map_info info;

	memset(&info, 0, sizeof(info));
	if (obj_info(fd, &info, sizeof(info)) < 0)
		return -1;
	if (info.type != BPF_MAP_TYPE_RINGBUF) {
		errno = EPROTO;
		return -1;
	}
	*size = info.max_entries;
	*id = info.id;
	return 0;
}

/* Whether prog writes into the map whose id is ring_id: the walk and
 * the ring pinned by one install, not each by another. */
static bool writes_into(int prog, __u32 ring_id)
{
	struct bpf_prog_info info;
	__u32 ids[16];

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = ptr(ids);
	if (obj_info(prog, &info, sizeof(info)) < 0)
		return false;
	for (__u32 i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i] == ring_id)
			return true;
	return false;
}

static int ring_map(int fd)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size;
	__u32 id;
	void *c, *p;

	if (ring.fd == fd)
		return 0;
	ring_unmap();
	if (ring_info(fd, &size, &id) < 0)
		return -1;
	c = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c == MAP_FAILED)
		return -1;
	p = mmap(NULL, page + 2 * size, PROT_READ, MAP_SHARED, fd, (off_t)page);
	if (p == MAP_FAILED) {
		int err = errno;

		munmap(c, page);
		errno = err;
		return -1;
	}
	ring = (struct ring){.fd = fd, .id = id, .size = size, .consumer = c, .producer = p,
			     .data = (const char *)p + page};
	return 0;
}

/* Whatever a reader killed before it read its pass left. */
static void ring_skip(void)
{
	unsigned long p = __atomic_load_n(ring.producer, __ATOMIC_ACQUIRE);

	__atomic_store_n(ring.consumer, p, __ATOMIC_RELEASE);
}

/* The records from the consumer's position to the producer's, into raw
 * (BPF_RINGBUF_HDR_SZ before each; the data is mapped twice in a row, so
 * none wraps). */
static int ring_drain(struct buf *raw)
{
	unsigned long c = __atomic_load_n(ring.consumer, __ATOMIC_ACQUIRE);
	unsigned long p = __atomic_load_n(ring.producer, __ATOMIC_ACQUIRE);
	int rc = 0;

	/* The first buffer is a huge page where it can be: one fault where
	 * 4 KiB pages cost 420 at 10,000 processes (util.c's big_alloc). */
	if (!raw->data && (raw->data = big_alloc(p - c + 1)))
		raw->cap = big_size(p - c + 1);
	buf_reset(raw);
	if (p - c > ring.size) { /* not the kernel's */
		errno = EPROTO;
		return -1;
	}
	buf_reserve(raw, p - c);
	while (c < p) {
		const char *at = ring.data + (c & (ring.size - 1));
		__u32 len;

		if (p - c < BPF_RINGBUF_HDR_SZ) {
			rc = -1;
			break;
		}
		memcpy(&len, at, sizeof(len));
		if (len & BPF_RINGBUF_BUSY_BIT) { /* never once the run is over */
			rc = -1;
			break;
		}
		len &= ~(__u32)BPF_RINGBUF_DISCARD_BIT;
		if (len > p - c - BPF_RINGBUF_HDR_SZ) { /* not the kernel's */
			rc = -1;
			break;
		}
		buf_append(raw, at + BPF_RINGBUF_HDR_SZ, len);
		c += (len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
	}
	__atomic_store_n(ring.consumer, p, __ATOMIC_RELEASE);
	if (rc < 0)
		errno = EPROTO;
	return rc;
}

/* ---- a run ----------------------------------------------------------------------- */

/* The parts of a TASK record that items (PI_*) need. */
static __u32 walk_items(unsigned items)
{
	return (items & (PI_RSS | PI_MEM) ? PMON_WALK_RSS : 0) |
	       (items & (PI_CPU | PI_PCPU) ? PMON_WALK_CPU : 0);
}

int bpfwalk_pass(int prog, int ringfd, unsigned items, struct buf *raw,
		 unsigned *version)
{
	struct pmon_walk_args args = {.items = walk_items(items)};
	union bpf_attr a;

	if (ring_map(ringfd) < 0)
		return -1;
	ring_skip();
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (__u32)prog;
	/* A syscall program's context is copied back to ctx_in. */
	a.test.ctx_in = ptr(&args);
	a.test.ctx_size_in = sizeof(args);
	if (sys_bpf(BPF_PROG_TEST_RUN, &a) < 0)
		return -1;
	if (args.status == PMON_WALK_OTHER_NS) {
		errno = ENOENT; /* the iterator's to read */
		return -1;
	}
	if (ring_drain(raw) < 0)
		return -1;
	if (args.status != PMON_WALK_DONE) {
		errno = ENOBUFS; /* more tasks than the ring has room for */
		return -1;
	}
	return taskrec_check_header(raw->data, raw->len, version);
}

/* ---- the pins -------------------------------------------------------------------- */

/* The pinned program and ring, kept open for the next pass. */
static int pin_prog = -1, pin_ring = -1;

static int open_pins(const char *dir)
{
	char path[512];

	if (pin_prog >= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/" BPF_WALK_PIN, dir);
	pin_prog = bpfwalk_obj_get(path);
	snprintf(path, sizeof(path), "%s/" BPF_WALK_RING_PIN, dir);
	pin_ring = pin_prog >= 0 ? bpfwalk_obj_get(path) : -1;
	/* Pins of two installs (one that stopped between its two pins, with
	 * another between): no pass through them.  The ring is mapped here
	 * already, for the pass (one query of it, not two). */
	if (pin_ring >= 0 && ring_map(pin_ring) == 0 && writes_into(pin_prog, ring.id))
		return 0;
	bpfwalk_free();
	errno = ENOENT;
	return -1;
}

int bpfwalk_pins_agree(const char *dir)
{
	int rc = open_pins(dir);

	bpfwalk_free();
	return rc;
}

int bpfwalk_pinned_pass(const char *dir, unsigned items, struct buf *raw,
			unsigned *version)
{
	int lock, rc, err;

	if (open_pins(dir) < 0)
		return -1;
	/* Readers of the pins take turns at the one ring; one that is
	 * stopped holding it sends the others to the iterator. */
	lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0)
		return -1;
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		close(lock);
		errno = errno == EWOULDBLOCK ? EBUSY : errno;
		return -1;
	}
	rc = bpfwalk_pass(pin_prog, pin_ring, items, raw, version);
	err = errno;
	/* An empty ring (a program and a ring of two installs, one made
	 * while these were opened) or a pass of another format (pins
	 * replaced by another pmon): opened again next time. */
	if (rc < 0 && (err == EAGAIN || err == ESTALE || err == EPROTO))
		bpfwalk_free();
	close(lock);
	errno = err;
	return rc;
}

void bpfwalk_free(void)
{
	ring_unmap();
	if (pin_prog >= 0)
		close(pin_prog);
	if (pin_ring >= 0)
		close(pin_ring);
	pin_prog = pin_ring = -1;
}
