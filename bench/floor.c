/*
 * floor - the least a process view must do: read every /proc/PID/FILE
 * exactly once (one open and one read each), relative to one /proc
 * descriptor, and nothing else; the files are closed as pmon's snapshot
 * closes them (src/proc/reader.c, struct fd_batch), but by code of the
 * floor's own, so that a fault there cannot move pmon and its floor
 * alike: 64 at a time, each run of adjacent descriptors with one
 * close_range(2) (a system call saved per file: about 1 us on this
 * project's VM), never a descriptor between them the floor did not open
 * (one inherited, say).
 *
 *   floor [FILE...]     FILE defaults to stat; `floor stat status` is
 *                       the floor of a view that needs both (ps's STAT L)
 *
 * Prints the number of processes and bytes read, so that the work cannot
 * be optimised away.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* The files opened since the last close, up to 64.  Nothing is closed
 * meanwhile, so each is above the one before; a gap is a descriptor the
 * floor did not open (inherited), and is left open. */
static int open_fds[64], nopen;

static void close_open_fds(void)
{
	for (int i = 0, j; i < nopen; i = j) {
		for (j = i + 1; j < nopen && open_fds[j] == open_fds[j - 1] + 1; j++)
			;
		close_range((unsigned)open_fds[i], (unsigned)open_fds[j - 1], 0);
	}
	nopen = 0;
}

static void done_with(int fd)
{
	open_fds[nopen++] = fd;
	if (nopen == 64)
		close_open_fds();
}

int main(int argc, char **argv)
{
	static char *stat_only[] = {"stat", NULL};
	char **files = argc > 1 ? argv + 1 : stat_only;
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = procfd >= 0 ? fdopendir(dup(procfd)) : NULL;
	struct dirent *e;
	long procs = 0, bytes = 0;
	char path[300], buf[8192];

	if (!dir) {
		perror("floor: /proc");
		return 1;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		for (char **f = files; *f; f++) {
			int fd;
			ssize_t n;

			snprintf(path, sizeof(path), "%s/%s", e->d_name, *f);
			fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				break; /* gone since readdir */
			n = read(fd, buf, sizeof(buf));
			done_with(fd);
			if (n <= 0)
				break;
			bytes += n;
			if (f == files)
				procs++;
		}
	}
	close_open_fds();
	closedir(dir);
	close(procfd);
	printf("%ld processes, %ld bytes\n", procs, bytes);
	return 0;
}
