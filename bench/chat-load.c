/*
 * chat-load - a one-process epoll load generator for chat servers: pmon
 * chatd (a UNIX socket), an IRC server such as ngircd (TCP on 127.0.0.1),
 * or the floor (a forked process that writes every message to every
 * client socket, batching as pmon does: up to 32 queued messages per
 * write; on FLOOR_CPU with -C).
 *
 *   chat-load TARGET [-c CLIENTS] [-s SENDERS] [-m MODE] [-r RATE]
 *             [-t SECONDS] [-b BURST[,BURST...]] [-k STALLED] [-p SERVER_PID]
 *             [-C FLOOR_CPU]
 *
 *   TARGET   unix:PATH (pmon-chat/1), irc:PORT (IRC on 127.0.0.1), floor
 *   MODE     peak: bursts of BURST messages, each delivered to everyone
 *                  before the next, for SECONDS (fan-out in deliveries/s);
 *                  each BURST in turn, a line each
 *            rate: RATE messages/s into the room for SECONDS (latency)
 *            idle: connect everyone, wait, report the server's memory
 *   STALLED  that many clients never read (a reader that falls behind);
 *            cut= says how many of them the server had disconnected
 *
 * Each message carries its sender, a sequence number and the send time
 * (CLOCK_MONOTONIC), so every delivery yields a latency and losses are
 * counted per receiver.  The result is one line of key=value pairs.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 8192
#define MARK "@@B "

enum target { T_PMON, T_IRC, T_FLOOR };
enum mode { M_PEAK, M_RATE, M_IDLE };

struct client {
	int fd;
	int id;
	bool joined, stalled;
	uint64_t received;  /* bench messages delivered to this client */
	uint64_t sent;      /* bench messages this client sent */
	size_t rlen;
	char rbuf[LINE_MAX_LEN];
};

static struct {
	enum target target;
	enum mode mode;
	const char *path;
	int port;
	int nclients, nsenders, nstalled, burst;
	int bursts[8], nbursts;    /* -b B[,B...]: peak, one after another */
	double rate, seconds;
	pid_t server_pid;
	int floor_fd;              /* floor mode: where senders write */
	int floor_cpu;             /* -C: the floor's CPU; -1: anywhere */
	struct client *clients;
	int epfd;
	uint64_t sent_total;
	uint32_t *lat_us;          /* one latency per delivery */
	size_t nlat, caplat;
	bool record;
} g;

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "chat-load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static _Noreturn void fail(const char *msg)
{
	fprintf(stderr, "chat-load: %s\n", msg);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pump(int timeout_ms);

/* Write a whole buffer.  When the server's socket is full, keep reading
 * everyone else meanwhile: a server that waits for its readers before it
 * reads its senders (IRC servers do) would otherwise deadlock with us.
 * Only the outermost call pumps, since pumping can answer a PING. */
static void write_all(int fd, const char *p, size_t n)
{
	static int depth;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct timespec ts = {0, 50000};

			if (depth == 0 && g.epfd > 0) {
				depth++;
				pump(1);
				depth--;
			} else {
				nanosleep(&ts, NULL);
			}
			continue;
		}
		if (w < 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

/* writev a whole array (the floor's sockets block: no EAGAIN). */
static void writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("writev");
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++, n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

static int connect_one(void)
{
	int fd;

	if (g.target == T_PMON) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		if (strlen(g.path) >= sizeof(sa.sun_path))
			fail("socket path too long");
		strcpy(sa.sun_path, g.path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("connect to the chat server");
	} else {
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons((uint16_t)g.port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int one = 1;

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("connect to the IRC server");
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return fd;
}

static void handshake(struct client *c)
{
	char line[256];
	int n;

	if (g.target == T_PMON)
		n = snprintf(line, sizeof(line), "b%05d\n", c->id);
	else
		n = snprintf(line, sizeof(line),
			     "NICK b%05d\r\nUSER b%05d 0 * :bench\r\n"
			     "JOIN #room\r\n", c->id, c->id);
	write_all(c->fd, line, (size_t)n);
}

static bool is_join_ack(const char *line)
{
	if (g.target == T_PMON)
		return strncmp(line, "ok", 2) == 0;
	return strstr(line, " 366 ") != NULL; /* end of NAMES: in #room */
}

static void record_latency(uint64_t sent_ns)
{
	uint64_t us = (now_ns() - sent_ns) / 1000;

	if (!g.record)
		return;
	if (g.nlat == g.caplat) {
		g.caplat = g.caplat ? g.caplat * 2 : 1 << 20;
		g.lat_us = realloc(g.lat_us, g.caplat * sizeof(*g.lat_us));
		if (!g.lat_us)
			fail("out of memory");
	}
	g.lat_us[g.nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static void handle_line(struct client *c, char *line)
{
	char *m = strstr(line, MARK);

	if (m) {
		/* "@@B FROM SEQ NS": by hand, sscanf is the generator's
		 * hottest spot at millions of lines per second. */
		char *end;

		strtoul(m + strlen(MARK), &end, 10);
		strtoull(end, &end, 10);
		uint64_t ns = strtoull(end, &end, 10);
		if (*end == ' ') {
			c->received++;
			record_latency(ns);
		}
		return;
	}
	if (!c->joined && is_join_ack(line))
		c->joined = true;
	if (g.target == T_IRC && strncmp(line, "PING ", 5) == 0) {
		line[1] = 'O';
		size_t n = strlen(line);
		line[n] = '\n';
		write_all(c->fd, line, n + 1);
	}
}

/* Read everything waiting on c's socket and handle each whole line. */
static void read_client(struct client *c)
{
	for (;;) {
		ssize_t r = read(c->fd, c->rbuf + c->rlen,
				 sizeof(c->rbuf) - 1 - c->rlen);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r < 0)
			die("read");
		if (r == 0) {
			fprintf(stderr, "chat-load: client %d: server closed "
				"the connection\n", c->id);
			exit(1);
		}
		c->rlen += (size_t)r;
		c->rbuf[c->rlen] = '\0';
		char *start = c->rbuf, *nl;
		while ((nl = memchr(start, '\n', c->rlen -
				    (size_t)(start - c->rbuf)))) {
			*nl = '\0';
			handle_line(c, start);
			start = nl + 1;
		}
		c->rlen -= (size_t)(start - c->rbuf);
		memmove(c->rbuf, start, c->rlen);
		if (c->rlen == sizeof(c->rbuf) - 1)
			c->rlen = 0; /* an absurd line: drop it */
	}
}

/* Wait up to timeout_ms for events and read what came. */
static void pump(int timeout_ms)
{
	struct epoll_event ev[256];
	int n = epoll_wait(g.epfd, ev, 256, timeout_ms);

	if (n < 0 && errno != EINTR)
		die("epoll_wait");
	for (int i = 0; i < n; i++)
		read_client(&g.clients[ev[i].data.u32]);
}

static void send_message(int sender)
{
	struct client *c = &g.clients[sender];
	char line[160];
	int n;

	/* About 100 bytes of text, as in the floor figures. */
	n = snprintf(line, sizeof(line), "%s" MARK "%d %llu %llu %.*s\n",
		     g.target == T_IRC ? "PRIVMSG #room :" : "", c->id,
		     (unsigned long long)c->sent, (unsigned long long)now_ns(),
		     60, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		     "xxxxxxxx");
	if (g.target == T_IRC) {
		line[n - 1] = '\r';
		line[n++] = '\n';
	}
	write_all(g.target == T_FLOOR ? g.floor_fd : c->fd, line, (size_t)n);
	c->sent++;
	g.sent_total++;
}

/* What client c should have received so far: everything the others
 * sent (nobody receives their own message). */
static uint64_t expected(const struct client *c)
{
	return g.sent_total - c->sent;
}

static bool all_delivered(void)
{
	for (int i = 0; i < g.nclients; i++)
		if (!g.clients[i].stalled &&
		    g.clients[i].received < expected(&g.clients[i]))
			return false;
	return true;
}

static uint64_t lost(void)
{
	uint64_t n = 0;

	for (int i = 0; i < g.nclients; i++)
		if (!g.clients[i].stalled &&
		    g.clients[i].received < expected(&g.clients[i]))
			n += expected(&g.clients[i]) - g.clients[i].received;
	return n;
}

/* The floor batches as pmon does: each client gets the messages queued
 * since its last write in one write, up to FLOOR_BATCH of them. */
#define FLOOR_BATCH 32

/* Write lines[0..n) to client i, leaving out its own: one write when
 * it sent none of them (the lines are contiguous in the floor's
 * buffer), else one writev of the others'. */
static void floor_deliver(int fd, int i, const struct iovec *lines,
			  const int *from, int n)
{
	struct iovec mine[FLOOR_BATCH];
	int k = 0;

	for (int j = 0; j < n; j++)
		if (from[j] != i)
			mine[k++] = lines[j];
	if (k == n) {
		const char *end = (const char *)lines[n - 1].iov_base +
				  lines[n - 1].iov_len;
		const char *start = lines[0].iov_base;

		write_all(fd, start, (size_t)(end - start));
		return;
	}
	writev_all(fd, mine, k);
}

/* The floor: one process that writes each message it is given to every
 * client socket but its sender's, batching what it read in one go up to
 * FLOOR_BATCH messages per write (see floor_deliver). */
static _Noreturn void floor_server(int in, int *fds, int n)
{
	char buf[65536];
	size_t len = 0;

	for (;;) {
		ssize_t r = read(in, buf + len, sizeof(buf) - len);

		if (r <= 0)
			_exit(0);
		len += (size_t)r;
		char *start = buf, *nl;
		for (;;) {
			struct iovec lines[FLOOR_BATCH];
			int from[FLOOR_BATCH], nlines = 0;

			while (nlines < FLOOR_BATCH &&
			       (nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
				lines[nlines].iov_base = start;
				lines[nlines].iov_len = (size_t)(nl + 1 - start);
				from[nlines++] = atoi(start + strlen(MARK));
				start = nl + 1;
			}
			if (nlines == 0)
				break;
			for (int i = 0; i < n; i++)
				floor_deliver(fds[i], i, lines, from, nlines);
		}
		len -= (size_t)(start - buf);
		memmove(buf, start, len);
	}
}

/* -C CPU: the floor on that CPU, as the bench runs the servers (the
 * generator itself is placed with taskset). */
static void pin_floor(void)
{
	cpu_set_t set;

	if (g.floor_cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(g.floor_cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
}

static void setup_floor(void)
{
	int *server_ends = calloc((size_t)g.nclients, sizeof(int));
	int in[2];

	if (!server_ends || socketpair(AF_UNIX, SOCK_STREAM, 0, in) < 0)
		die("socketpair");
	for (int i = 0; i < g.nclients; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			die("socketpair");
		g.clients[i].fd = sv[0];
		server_ends[i] = sv[1];
	}
	g.server_pid = fork();
	if (g.server_pid < 0)
		die("fork");
	if (g.server_pid == 0) {
		close(in[0]);
		/* The parent's epoll set is shared with us: never pump it. */
		close(g.epfd);
		g.epfd = -1;
		pin_floor();
		floor_server(in[1], server_ends, g.nclients);
	}
	close(in[1]);
	g.floor_fd = in[0];
	for (int i = 0; i < g.nclients; i++) {
		close(server_ends[i]);
		g.clients[i].joined = true;
	}
	free(server_ends);
}

/* Until the first n clients (stalled ones aside) are in the room. */
static void wait_joined(int n)
{
	uint64_t deadline = now_ns() + 60ull * 1000000000u;

	for (;;) {
		int joined = 0;

		for (int i = 0; i < n; i++)
			joined += g.clients[i].joined || g.clients[i].stalled;
		if (joined == n)
			return;
		if (now_ns() > deadline)
			fail("clients did not all join within 60 s");
		pump(10);
	}
}

static void connect_all(void)
{
	g.clients = calloc((size_t)g.nclients, sizeof(*g.clients));
	g.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!g.clients || g.epfd < 0)
		die("setup");
	if (g.target == T_FLOOR)
		setup_floor();
	for (int i = 0; i < g.nclients; i++) {
		struct client *c = &g.clients[i];

		c->id = i;
		/* The last STALLED clients never read; senders come first. */
		c->stalled = i >= g.nclients - g.nstalled;
		if (g.target != T_FLOOR) {
			c->fd = connect_one();
			handshake(c);
		}
		fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
		if (c->stalled && g.target != T_FLOOR)
			continue; /* it joins, then never reads again */
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
			die("epoll_ctl");
		/* In batches, each in the room before the next connects: a
		 * server with a short listen backlog (ngircd's) drops the SYNs
		 * of a burst of 1,000, and TCP retries them a second later;
		 * one at a time would wait for ngircd's idle loop per client. */
		if (g.target != T_FLOOR && (i % 50 == 49 || i == g.nclients - 1))
			wait_joined(i + 1);
	}
	/* Everyone in, and the flood of join notices drained. */
	wait_joined(g.nclients);
	for (uint64_t quiet = now_ns() + 500000000u; now_ns() < quiet;)
		pump(50);
}

/* Server CPU ticks (utime + stime) and RSS from /proc. */
static void server_usage(double *cpu_s, long *rss_kb, long *hwm_kb)
{
	char path[64], buf[4096];
	FILE *f;

	*cpu_s = 0, *rss_kb = *hwm_kb = -1;
	if (g.server_pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)g.server_pid);
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, sizeof(buf), f)) {
			char *p = strrchr(buf, ')');
			unsigned long ut, st;

			if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u "
					"%*u %*u %*u %lu %lu", &ut, &st) == 2)
				*cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)g.server_pid);
	if ((f = fopen(path, "r"))) {
		while (fgets(buf, sizeof(buf), f)) {
			sscanf(buf, "VmRSS: %ld", rss_kb);
			sscanf(buf, "VmHWM: %ld", hwm_kb);
		}
		fclose(f);
	}
}

static void run_peak(void)
{
	uint64_t end = now_ns() + (uint64_t)(g.seconds * 1e9);
	int next = 0;

	while (now_ns() < end) {
		for (int i = 0; i < g.burst; i++) {
			send_message(next);
			next = (next + 1) % g.nsenders;
		}
		uint64_t give_up = now_ns() + 5000000000ull;
		while (!all_delivered() && now_ns() < give_up)
			pump(10);
		if (!all_delivered())
			break; /* counted as lost below */
	}
}

static void run_rate(void)
{
	uint64_t start = now_ns(), end = start + (uint64_t)(g.seconds * 1e9);
	int next = 0;

	for (uint64_t t; (t = now_ns()) < end;) {
		uint64_t due = (uint64_t)((double)(t - start) / 1e9 * g.rate);

		while (g.sent_total < due) {
			send_message(next);
			next = (next + 1) % g.nsenders;
		}
		pump(1);
	}
	uint64_t give_up = now_ns() + 5000000000ull;
	while (!all_delivered() && now_ns() < give_up)
		pump(10);
}

/* Stalled clients the server has disconnected: their socket, read to
 * the end of what it holds, ends (a server that only queues for them
 * leaves it open). */
static int stalled_cut(void)
{
	static char sink[65536];
	int cut = 0;

	for (int i = 0; i < g.nclients; i++) {
		ssize_t r;

		if (!g.clients[i].stalled)
			continue;
		while ((r = read(g.clients[i].fd, sink, sizeof(sink))) > 0 ||
		       (r < 0 && errno == EINTR))
			;
		cut += r == 0 || (r < 0 && errno != EAGAIN);
	}
	return cut;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static double pct_ms(double p)
{
	if (g.nlat == 0)
		return -1;
	size_t i = (size_t)(p * (double)(g.nlat - 1));
	return g.lat_us[i] / 1000.0;
}

/* One line of key=value pairs for the run just made. */
static void report(double wall, double cpu, long rss, long idle_rss)
{
	qsort(g.lat_us, g.nlat, sizeof(*g.lat_us), cmp_u32);
	printf("mode=%s clients=%d senders=%d stalled=%d burst=%d sent=%llu "
	       "deliveries=%zu dps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
	       "lost=%llu cut=%d server_cpu=%.3f server_rss_kb=%ld "
	       "idle_rss_kb=%ld\n",
	       g.mode == M_PEAK ? "peak" : "rate", g.nclients, g.nsenders,
	       g.nstalled, g.mode == M_PEAK ? g.burst : 0,
	       (unsigned long long)g.sent_total, g.nlat,
	       (double)g.nlat / wall, pct_ms(0.5), pct_ms(0.99), pct_ms(1.0),
	       (unsigned long long)lost(), stalled_cut(), cpu / wall, rss,
	       idle_rss);
	fflush(stdout);
}

static void on_alarm(int sig)
{
	static const char msg[] = "chat-load: timed out: the server stopped "
				  "delivering\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: chat-load unix:PATH|irc:PORT|floor [-c CLIENTS] "
		"[-s SENDERS] [-m peak|rate|idle] [-r RATE] [-t SECONDS] "
		"[-b BURST[,BURST...]] [-k STALLED] [-p SERVER_PID] [-C FLOOR_CPU]\n");
	exit(2);
}

/* -b 32 or -b 32,64,128: each burst size in turn, in one connection
 * (a server that takes a minute to let everyone in, ngircd, is then
 * connected to once per round, not once per burst size). */
static void parse_bursts(const char *arg)
{
	char *end;

	g.nbursts = 0;
	do {
		long b = strtol(arg, &end, 10);

		if (end == arg || b < 1 || b > 100000 ||
		    g.nbursts == (int)(sizeof(g.bursts) / sizeof(g.bursts[0])))
			usage();
		g.bursts[g.nbursts++] = (int)b;
		arg = end + 1;
	} while (*end == ',');
	if (*end)
		usage();
}

static void parse_args(int argc, char **argv)
{
	int opt;

	g.nclients = 1000, g.nsenders = 10, g.bursts[0] = 64, g.nbursts = 1;
	g.rate = 200, g.seconds = 10, g.mode = M_RATE, g.floor_cpu = -1;
	if (argc < 2)
		usage();
	if (strncmp(argv[1], "unix:", 5) == 0)
		g.target = T_PMON, g.path = argv[1] + 5;
	else if (strncmp(argv[1], "irc:", 4) == 0)
		g.target = T_IRC, g.port = atoi(argv[1] + 4);
	else if (strcmp(argv[1], "floor") == 0)
		g.target = T_FLOOR;
	else
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "c:s:m:r:t:b:k:p:C:")) != -1) {
		switch (opt) {
		case 'c': g.nclients = atoi(optarg); break;
		case 's': g.nsenders = atoi(optarg); break;
		case 'r': g.rate = atof(optarg); break;
		case 't': g.seconds = atof(optarg); break;
		case 'b': parse_bursts(optarg); break;
		case 'k': g.nstalled = atoi(optarg); break;
		case 'p': g.server_pid = atoi(optarg); break;
		case 'C': g.floor_cpu = atoi(optarg); break;
		case 'm':
			g.mode = !strcmp(optarg, "peak") ? M_PEAK
			       : !strcmp(optarg, "idle") ? M_IDLE : M_RATE;
			break;
		default: usage();
		}
	}
	if (g.nclients < 2 || g.nsenders < 1 || g.nsenders > g.nclients ||
	    g.nstalled < 0 || g.nstalled > g.nclients - g.nsenders ||
	    g.rate <= 0 || g.seconds <= 0)
		usage();
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	double cpu0, cpu1;
	long rss, hwm;

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	/* A server that stops answering ends the run with a message instead
	 * of hanging the benchmark: connecting, the run and the drain. */
	signal(SIGALRM, on_alarm);
	alarm((unsigned)(g.seconds * 2 * g.nbursts) + 120);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	connect_all();
	server_usage(&cpu0, &rss, &hwm);
	long idle_rss = rss; /* everyone in, nobody talking yet */
	if (g.mode == M_IDLE) {
		printf("clients=%d server_rss_kb=%ld\n", g.nclients, rss);
		return 0;
	}
	g.record = true;
	for (int i = 0; i < (g.mode == M_PEAK ? g.nbursts : 1); i++) {
		g.burst = g.bursts[i];
		g.nlat = 0;
		server_usage(&cpu0, &rss, &hwm);
		uint64_t t0 = now_ns();
		if (g.mode == M_PEAK)
			run_peak();
		else
			run_rate();
		double wall = (double)(now_ns() - t0) / 1e9;
		server_usage(&cpu1, &rss, &hwm);
		report(wall, cpu1 - cpu0, rss, idle_rss);
	}
	if (g.target == T_FLOOR) {
		close(g.floor_fd);
		waitpid(g.server_pid, NULL, 0);
	}
	return 0;
}
