/*
 * spawn - a large process tree for the benchmarks.
 *
 *   spawn [-f FANOUT] [-n] PROCS [ZOMBIES]
 *
 * Forks PROCS sleeping processes as a tree (each node has up to FANOUT
 * children, default 8) plus one more process that is the parent of
 * ZOMBIES zombies it never waits for, prints "ready" once every one of
 * them exists, and keeps them until it gets SIGTERM, SIGINT or SIGHUP or
 * its standard input reaches end of file (-n: ignore standard input).
 * Then it kills everything it made and reaps it, and exits 0.
 *
 * It is a child subreaper, so the processes it made come back to it when
 * their parents die, and every one of them asks for SIGKILL when its
 * parent dies: nothing it made survives it or ends up with PID 1.  All of
 * them are in one process group (led by the root of the tree), which is
 * how they are killed: the spawner never signals anything else.
 *
 * Output: "ready PROCS ZOMBIES GROUP" on stdout, errors on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static int started_pipe[2];

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static _Noreturn void sleep_forever(void)
{
	for (;;)
		pause();
}

/* In a new child: die with the parent, tell the spawner we exist. */
static void child_setup(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* the parent died before the prctl */
		_exit(1);
	if (write(started_pipe[1], "s", 1) != 1)
		_exit(1);
}

/*
 * The node grows `below` descendants: up to fanout children, the rest
 * shared out among them as evenly as it goes.  A fork that fails leaves
 * the count short, which the spawner notices (it never sees "started").
 */
static void grow(long below, int fanout)
{
	long kids = below < fanout ? below : fanout;
	long rest = below - kids;
	pid_t self = getpid();

	for (long i = 0; i < kids; i++) {
		long share = rest / kids + (i < rest % kids ? 1 : 0);
		pid_t pid = fork();

		if (pid < 0) {
			perror("spawn: fork");
			return;
		}
		if (pid == 0) {
			child_setup(self);
			grow(share, fanout);
			sleep_forever();
		}
	}
}

/* Children that exit at once and are never reaped.  waitid(WNOWAIT)
 * waits for each exit without reaping, so "started" means "a zombie". */
static void make_zombies(long n)
{
	for (long i = 0; i < n; i++) {
		siginfo_t info;
		pid_t pid = fork();

		if (pid < 0) {
			perror("spawn: fork (zombie)");
			return;
		}
		if (pid == 0)
			_exit(0);
		while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 &&
		       errno == EINTR)
			;
		if (write(started_pipe[1], "z", 1) != 1)
			return;
	}
}

/* Wait for `want` bytes from the processes made (or a stop request). */
static long wait_started(long want)
{
	long got = 0;
	char buf[4096];

	while (got < want && !stop_requested) {
		ssize_t n = read(started_pipe[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

static void watch_until_stop(int use_stdin)
{
	char buf[256];

	while (!stop_requested) {
		if (!use_stdin) {
			pause();
			continue;
		}
		ssize_t n = read(0, buf, sizeof(buf));

		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
}

/* Kill the group, then reap until no child is left (orphans of the tree
 * come to us, as the subreaper, as their parents die). */
static long kill_and_reap(pid_t group)
{
	long reaped = 0;
	pid_t pid;

	if (group > 0)
		kill(-group, SIGKILL);
	for (;;) {
		pid = waitpid(-1, NULL, 0);
		if (pid > 0) {
			reaped++;
			continue;
		}
		if (errno == EINTR)
			continue;
		break; /* ECHILD: everything is gone */
	}
	return reaped;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_stop};
	int fanout = 8, use_stdin = 1, c;
	long procs, zombies = 0, got;
	pid_t group, zparent = -1, self = getpid();

	while ((c = getopt(argc, argv, "f:n")) != -1) {
		switch (c) {
		case 'f': fanout = atoi(optarg); break;
		case 'n': use_stdin = 0; break;
		default: goto usage;
		}
	}
	if (optind >= argc || fanout < 1)
		goto usage;
	procs = atol(argv[optind]);
	if (optind + 1 < argc)
		zombies = atol(argv[optind + 1]);
	if (procs < 1 || zombies < 0)
		goto usage;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: stop a blocked read */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || pipe(started_pipe) < 0) {
		perror("spawn: setup");
		return 1;
	}

	/* The root of the tree leads the group everything else joins. */
	group = fork();
	if (group < 0) {
		perror("spawn: fork");
		return 1;
	}
	if (group == 0) {
		setpgid(0, 0);
		child_setup(self);
		grow(procs - 1, fanout);
		sleep_forever();
	}
	setpgid(group, group); /* both sides, so no fork races it */
	if (zombies) {
		zparent = fork();
		if (zparent == 0) {
			setpgid(0, group);
			child_setup(self);
			make_zombies(zombies);
			sleep_forever();
		}
		if (zparent > 0)
			setpgid(zparent, group);
	}

	got = wait_started(procs + (zparent > 0 ? 1 + zombies : 0));
	if (got < procs + (zparent > 0 ? 1 + zombies : 0)) {
		fprintf(stderr, "spawn: only %ld of %ld processes started "
			"(ulimit -u? kernel.pid_max?)\n",
			got, procs + (zparent > 0 ? 1 + zombies : 0));
		kill_and_reap(group);
		return 1;
	}
	printf("ready %ld %ld %d\n", procs, zombies, (int)group);
	fflush(stdout);

	watch_until_stop(use_stdin);
	kill_and_reap(group);
	return 0;

usage:
	fprintf(stderr, "usage: spawn [-f FANOUT] [-n] PROCS [ZOMBIES]\n");
	return 2;
}
