/*
 * top-floor - the floor for one refresh of a process table: every
 * /proc/PID/stat opened once, then each re-read with one pread() per
 * refresh and nothing else (no parsing, no output).  What no monitor that
 * shows every process's CPU time can go below.
 *
 *   top-floor N DELAY [FILE]   N refreshes, DELAY seconds apart, of
 *                              /proc/PID/FILE (default stat)
 *
 * With FILE schedstat it is the floor of a refresh that reads only what
 * changed (issue 14.1): one pread of schedstat per process, the least
 * that tells, without privilege, whether a process has run.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	double delay = argc > 2 ? atof(argv[2]) : 1.0;
	const char *file = argc > 3 ? argv[3] : "stat";
	struct rlimit rl;
	DIR *d = opendir("/proc");
	struct dirent *e;
	int *fds = NULL;
	size_t nfds = 0, cap = 0;
	char buf[2048];
	long bytes = 0;

	if (!d || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	while ((e = readdir(d))) {
		char path[300];
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/%s", e->d_name, file);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (nfds == cap) {
			cap = cap ? 2 * cap : 1024;
			fds = realloc(fds, cap * sizeof(*fds));
			if (!fds)
				return 1;
		}
		fds[nfds++] = fd;
	}
	closedir(d);
	for (int r = 0; r < n; r++) {
		struct timespec ts = {(time_t)delay,
				      (long)((delay - (double)(time_t)delay) * 1e9)};

		nanosleep(&ts, NULL);
		for (size_t i = 0; i < nfds; i++) {
			ssize_t got = pread(fds[i], buf, sizeof(buf), 0);

			if (got > 0)
				bytes += got;
		}
	}
	fprintf(stderr, "top-floor: %zu files, %d refreshes, %ld bytes\n",
		nfds, n, bytes);
	return 0;
}
