/*
 * reader.h - the process layer's own I/O, shared by the snapshot and the
 * watch (internal to src/proc/): the one handle on /proc, the one pid
 * lister, the one way of reading a file, and the one function that reads
 * a process.
 */
#ifndef PMON_READER_H
#define PMON_READER_H

#include <stdbool.h>
#include <sys/types.h>

#include "proc/cgroup.h"
#include "proc/proc.h"
#include "util/strpool.h"
#include "util/util.h"

/* /proc, opened once per reader and checked to be a procfs (self/stat
 * readable).  The descriptor, or -1 with errno ENOENT. */
int procfs_open(void);

/* Every pid in /proc, ascending (readdir gives pid order, but nothing
 * promises it, so it is checked).  *pids grows as needed (*cap).
 * Returns how many, or -1 with errno. */
ssize_t procfs_list_pids(int procfd, pid_t **pids, size_t *cap);
/* The same for any directory of numbered entries, dirpath relative to
 * dirfd: a process's threads ("PID/task").  The one lister of pmon. */
ssize_t procfs_list_ids(int dirfd, const char *dirpath, pid_t **pids, size_t *cap);

/* Read a /proc file relative to dirfd into b (NUL-terminated), at most
 * max bytes (0: no limit).  Most files are generated whole on the first
 * read, so a read that does not fill the buffer has reached the end and
 * no second read(2) is spent just to see 0 (10% of a scan); maps and
 * other seq_files come in pieces: until_eof reads on to the end.  0, or
 * -1 with errno (ENOENT or ESRCH: the process is gone). */
int procfs_read(int dirfd, const char *path, struct buf *b, size_t max,
		bool until_eof);

/* Descriptors a pass is done with, closed a run at a time: one
 * close_range(2) for a run of adjacent descriptors where close(2) takes
 * one call each (reader.c says what that saves). */
#define FD_BATCH_MAX 64
struct fd_batch {
	size_t n;
	size_t max;   /* held before they are closed: fd_batch_init */
	int fd[FD_BATCH_MAX];
};
/* An empty batch that holds at most FD_BATCH_MAX descriptors, and at most
 * a quarter of the numbers between the lowest free descriptor now and the
 * soft limit (any_fd: any open descriptor, to find the lowest free one):
 * other threads of pmon open files while a pass runs (watch's reader, the
 * room's name lookups, its accept()). */
void fd_batch_init(struct fd_batch *fb, int any_fd);
/* fd into the batch; a full batch is closed first. */
void fd_batch_add(struct fd_batch *fb, int fd);
/* Close every descriptor in the batch. */
void fd_batch_flush(struct fd_batch *fb);

/* Does this process run in the first user namespace (uid_map the
 * identity over every uid), where /proc's uids are the kernel's? */
bool procfs_initial_userns(void);

/* pread of a small file kept open, into buf (NUL-terminated).  The length,
 * or -1 with errno (ESRCH: the process is gone). */
ssize_t procfs_pread(int fd, char *buf, size_t size);

/* The files behind the items (reader.c's item_sources[]). */
enum proc_file {
	FILE_STAT = 1u << 0,
	FILE_STATUS = 1u << 1,
	FILE_CMDLINE = 1u << 2,
	FILE_OWNER = 1u << 3, /* fstatat of /proc/PID: the uid, no text */
	FILE_SCHED = 1u << 4,
	FILE_STATM = 1u << 5,
	FILE_IO = 1u << 6,
	FILE_CGROUP = 1u << 7,
	FILE_GPU = 1u << 8,   /* fd/ and fdinfo/ of DRM descriptors */
};

/* Descriptors a watch keeps per process; -1 when not kept.  In the
 * order the budget keeps them: schedstat is read on every refresh. */
struct kept_fds {
	int schedstat, stat, statm;
};
#define KEPT_NONE ((struct kept_fds){-1, -1, -1})

/* How to read processes: which items, and what is not wanted. */
struct reader {
	int procfd;
	unsigned have;        /* items to fill */
	unsigned files;       /* the files they need */
	unsigned status_want; /* STATUS_HAVE_* lines the items need */
	const struct proc_clock *clock;
	const uid_t *uids;    /* only these owners (none: all) */
	size_t nuids;
	bool threads_out;     /* a pid that is a thread is not a process */
	size_t cmdline_max;   /* bytes of a command line kept (0: all) */
};

/* Scratch for reader_read, one per thread.  Without a pool, the strings
 * of the process read point in here (comm, and line for the command
 * line) until the next read. */
struct reader_bufs {
	struct buf text, line;
	char comm[64];
	struct cgroup_info cgroup;
	/* Where files opened and read are put to be closed together; NULL:
	 * each is closed at once.  For a pass over many processes (the
	 * snapshot); reader_bufs_free closes what it holds. */
	struct fd_batch *closing;
};

void reader_init(struct reader *r, int procfd, unsigned need,
		 const struct proc_clock *clock);

/*
 * Read process pid into p, its strings into pool (or into b, when pool
 * is NULL).  With kept NULL, every
 * file is opened and closed (or put in b->closing); with kept, a descriptor >= 0 in it is
 * pread instead, and a file opened now is left open with its descriptor
 * stored there (the caller closes what it cannot keep).  Returns 1 when
 * it was read, 0 when it is not wanted, -1 when it vanished (or was never
 * there).
 */
int reader_read(const struct reader *r, pid_t pid, struct kept_fds *kept,
		struct proc *p, struct strpool *pool, struct reader_bufs *b);

/* Free b's buffers and close what b->closing holds. */
void reader_bufs_free(struct reader_bufs *b);

/* The nanoseconds task pid has run (/proc/PID/schedstat: exact, where
 * stat's ticks move only every 10 ms), through *kept as reader_read keeps
 * descriptors.  0, or -1 with errno (ENOENT for a kernel without
 * schedstats, or when the task is gone). */
int reader_run_ns(const struct reader *r, pid_t pid, int *kept,
		  unsigned long long *ns);

#endif
