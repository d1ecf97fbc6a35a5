/*
 * floor - the least any tree view must do: read every /proc/PID/stat
 * exactly once (one open, one read, one close each), relative to one
 * /proc descriptor, and nothing else.  Prints the number of processes
 * and bytes read, so that the work cannot be optimised away.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = procfd >= 0 ? fdopendir(dup(procfd)) : NULL;
	struct dirent *e;
	long procs = 0, bytes = 0;
	char path[300], buf[4096];

	if (!dir) {
		perror("floor: /proc");
		return 1;
	}
	while ((e = readdir(dir))) {
		int fd;
		ssize_t n;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/stat", e->d_name);
		fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone since readdir */
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n > 0) {
			procs++;
			bytes += n;
		}
	}
	closedir(dir);
	close(procfd);
	printf("%ld processes, %ld bytes\n", procs, bytes);
	return 0;
}
