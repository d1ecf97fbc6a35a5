/*
 * top-floor - the floor for one refresh of a process table: every
 * /proc/PID/stat opened once, then each re-read with one pread() per
 * refresh and nothing else (no parsing, no output).  What no monitor that
 * shows every process's CPU time can go below.
 *
 *   top-floor N DELAY [FILE[,FILE...]]   N refreshes, DELAY seconds apart,
 *                                        of /proc/PID/FILE for each FILE
 *                                        (default stat)
 *
 * With FILE schedstat it is the floor of a refresh that reads only what
 * changed (issue 14.1): one pread of schedstat per process, the least
 * that tells, without privilege, whether a process has run.  With
 * stat,statm it is the floor of a refresh that shows every process's
 * exact RSS beside its CPU time (stat's RSS is a per-CPU estimate on
 * current kernels; statm's is exact, as ps and top show it): what
 * `pmon top -b`, procps `top -b` and htop read for every row.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 4

struct fds {
	int *fd;
	size_t n, cap;
	/* Files beyond the descriptor limit: opened, read and closed every
	 * refresh, the least that limit allows (stat and statm of 10,200
	 * processes need more than a limit of 20,000). */
	char (*path)[32];
	size_t npath, path_cap;
};

static int keep(struct fds *f, int fd)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 4096;
		f->fd = realloc(f->fd, f->cap * sizeof(*f->fd));
		if (!f->fd)
			return -1;
	}
	f->fd[f->n++] = fd;
	return 0;
}

static int keep_path(struct fds *f, const char *path)
{
	if (f->npath == f->path_cap) {
		f->path_cap = f->path_cap ? 2 * f->path_cap : 256;
		f->path = realloc(f->path, f->path_cap * sizeof(*f->path));
		if (!f->path)
			return -1;
	}
	snprintf(f->path[f->npath++], sizeof(*f->path), "%s", path);
	return 0;
}

/* Split list (modified) at commas into names; how many. */
static size_t split(char *list, char *names[MAX_FILES])
{
	size_t n = 0;

	for (char *s = strtok(list, ","); s && n < MAX_FILES; s = strtok(NULL, ","))
		names[n++] = s;
	return n;
}

/* Descriptors left free, as pmon's watch leaves 64 (FD_RESERVE): the
 * files beyond are reopened each refresh, in that room. */
#define FD_RESERVE 64

static int open_all(char *names[], size_t nnames, struct fds *f, rlim_t limit)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		for (size_t i = 0; i < nnames; i++) {
			char path[32];
			int fd;

			snprintf(path, sizeof(path), "/proc/%.10s/%.9s", e->d_name, names[i]);
			if (f->n + FD_RESERVE >= limit) {
				if (keep_path(f, path) < 0)
					return -1;
				continue;
			}
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0 && keep(f, fd) < 0)
				return -1;
		}
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	double delay = argc > 2 ? atof(argv[2]) : 1.0;
	char list[256], *names[MAX_FILES];
	size_t nnames;
	struct rlimit rl;
	struct fds f = {0};
	char buf[2048];
	long bytes = 0;

	snprintf(list, sizeof(list), "%s", argc > 3 ? argv[3] : "stat");
	nnames = split(list, names);
	if (!nnames || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (open_all(names, nnames, &f, rl.rlim_cur) < 0)
		return 1;
	for (int r = 0; r < n; r++) {
		struct timespec ts = {(time_t)delay,
				      (long)((delay - (double)(time_t)delay) * 1e9)};

		nanosleep(&ts, NULL);
		for (size_t i = 0; i < f.n; i++) {
			ssize_t got = pread(f.fd[i], buf, sizeof(buf), 0);

			if (got > 0)
				bytes += got;
		}
		for (size_t i = 0; i < f.npath; i++) {
			int fd = open(f.path[i], O_RDONLY | O_CLOEXEC);
			ssize_t got = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

			if (got > 0)
				bytes += got;
			if (fd >= 0)
				close(fd);
		}
	}
	fprintf(stderr, "top-floor: %zu files kept, %zu reopened, %d refreshes, %ld bytes\n",
		f.n, f.npath, n, bytes);
	return 0;
}
