/*
 * spawn-sleepers - N sleeping processes for the benchmarks.
 *
 *   spawn-sleepers N      prints "ready" once all N sleep in pause()
 *
 * The children are in its process group; it ends them all (kill of its
 * own group, which only they share) on SIGTERM, SIGINT or when stdin
 * reaches end of file.  Run it under the subreaper.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

static void stop(int sig)
{
	(void)sig;
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM); /* our own group: ourselves and our children */
	_exit(0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	char c;

	setpgid(0, 0);
	signal(SIGTERM, stop);
	signal(SIGINT, stop);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("spawn-sleepers: fork");
			stop(0);
		}
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	stop(0);
}
