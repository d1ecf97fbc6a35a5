/*
 * cmd_metrics.c - `pmon metrics`: the machine's processes as Prometheus
 * metrics (metrics_scrape.c), written once to stdout, into a file for
 * node_exporter's textfile collector, or served on /metrics over HTTP
 * (libmicrohttpd, Debian's maintained embeddable HTTP server, loaded only
 * then: httpd.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chat/sock.h"
#include "cmd/cmd.h"
#include "cmd/httpd.h"
#include "cmd/metrics.h"
#include "util/json_lib.h"

/* The room's answer may take this long per scrape (connect, hello,
 * /stats): a stuck server costs a scrape half a second, never more. */
#define ROOM_TIMEOUT_S 0.5
#define TEXTFILE_NAME "pmon.prom"

struct cli {
	struct metrics_opts m;
	const char *textfile_dir;
	char textfile_shown[512];   /* the same, escaped for messages */
	const char *listen;
	const char *socket;
	bool no_room;
};

static size_t count_arg(const char *opt, const char *s, long max)
{
	return (size_t)estrtonum(s, 0, max, opt);
}

static void add_rule(struct cli *c, const char *rule)
{
	char why[256];
	int rc = group_rule_add(&c->m.rules, rule, why, sizeof(why));

	/* 0 is a blank or comment line, which a file may hold and -g not. */
	if (rc <= 0)
		usage_error("--group '%s': %s", rule,
			    rc < 0 ? why : "a rule is NAME comm|cmdline REGEX");
}

enum { O_OM = 256, O_TEXTFILE, O_LISTEN, O_MAXG, O_NOROOM };

static const struct cmd_opt metrics_opts[] = {
	CMD_OPT('g', "group", ARG_TEXT, "RULE",
		"a process group: \"NAME comm|cmdline REGEX\" (first\n"
		"rule that matches wins; NAME {comm}: one group per\n"
		"process name); may be repeated"),
	CMD_OPT('G', "groups-file", ARG_FILE, "FILE",
		"rules, one per line, # comments"),
	CMD_LONG("max-groups", O_MAXG, ARG_NUMBER, "N",
		"list at most N groups (default 50)"),
	CMD_OPT('k', "top-parents", ARG_NUMBER, "K",
		"list the K parents holding most zombies (default 10)"),
	CMD_LONG("openmetrics", O_OM, ARG_NONE, NULL,
		"OpenMetrics 1.0.0 instead of the text format 0.0.4\n"
		"(--listen answers in what the scraper asks for)"),
	CMD_LONG("textfile", O_TEXTFILE, ARG_FILE, "DIR",
		"write DIR/pmon.prom atomically, for node_exporter's\n"
		"textfile collector, and exit"),
	CMD_LONG("listen", O_LISTEN, ARG_TEXT, "[ADDR:]PORT",
		"serve /metrics over HTTP until a signal;\n"
		"numeric ADDR only, 127.0.0.1 by default; port 0\n"
		"picks a free one (said on stderr)"),
	CMD_OPT('S', "socket", ARG_FILE, "PATH",
		"the room whose figures to include (default: the\n"
		"one pmon chat joins)"),
	CMD_LONG("no-room", O_NOROOM, ARG_NONE, NULL, "no room figures"),
	{0},
};

static void parse_opts(int argc, char **argv, struct cli *c)
{
	char why[512];
	int ch;

	c->m.top_parents = 10;
	c->m.max_groups = 50;
	c->m.room_timeout_s = ROOM_TIMEOUT_S;
	while ((ch = cmd_getopt(argc, argv)) != -1) {
		switch (ch) {
		case 'g': add_rule(c, optarg); break;
		case 'G':
			if (group_rules_load(&c->m.rules, optarg, why, sizeof(why)) < 0)
				usage_error("%s", why);
			break;
		case O_MAXG: c->m.max_groups = count_arg("--max-groups", optarg, 10000); break;
		case 'k': c->m.top_parents = count_arg("--top-parents", optarg, 1000); break;
		case O_OM: c->m.format = EXPO_OPENMETRICS; c->m.format_forced = true; break;
		case O_TEXTFILE:
			c->textfile_dir = optarg;
			(void)usage_quote(optarg, c->textfile_shown,
					  sizeof(c->textfile_shown));
			break;
		case O_LISTEN: c->listen = optarg; break;
		case 'S': c->socket = optarg; break;
		case O_NOROOM: c->no_room = true; break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (c->textfile_dir && c->listen)
		usage_error("--textfile and --listen go one at a time");
	if (c->socket && c->no_room)
		usage_error("--socket and --no-room contradict each other");
	if (!c->no_room)
		c->m.room_path = chat_socket_path(c->socket);
	/* The groups' figures are read through the fields' JSON values
	 * (metrics_scrape.c): load jansson now, not at the first scrape
	 * of a --listen that is already serving. */
	if (c->m.rules.n)
		(void)json_lib();
}

/* ---- --textfile DIR ------------------------------------------------------ */

/*
 * The directory, opened once and checked on its descriptor (no path is
 * looked up again, so it cannot be swapped after the check): a real
 * directory, not a symbolic link, owned by root or by us, writable by
 * nobody else.  Anyone else who may write there could replace what
 * node_exporter reads, or plant names for us to trip on.
 */
static int open_textfile_dir(const struct cli *c)
{
	const char *dir = c->textfile_dir, *d = c->textfile_shown;
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		pmon_die_errno(EXIT_FAIL, errno, "cannot open the textfile directory %s%s",
			       d, errno == ELOOP || errno == ENOTDIR ?
			       " (a symbolic link or not a directory)" : "");
	if (fstat(fd, &st) < 0)
		pmon_die_errno(EXIT_FAIL, errno, "cannot check %s", d);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		pmon_die(EXIT_FAIL, "the textfile directory %s belongs to uid %u,"
			 " not to root or to you: its owner could swap what"
			 " node_exporter reads; use a directory of yours", d,
			 (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		pmon_die(EXIT_FAIL, "the textfile directory %s is writable by other"
			 " users (mode %04o); make it 0755 or 0700", d,
			 (unsigned)(st.st_mode & 07777));
	return fd;
}

/* DIR/pmon.prom, whole or not at all: written to a temporary name that
 * node_exporter skips (it reads *.prom only), synced, then renamed over
 * the old file in one step. */
static int write_textfile(const struct cli *c, const struct buf *text)
{
	const char *d = c->textfile_shown;
	int dfd = open_textfile_dir(c), fd, err;
	char tmp[64];

	snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", TEXTFILE_NAME, (int)getpid());
	/* One a run that died left under our pid: the directory is trusted,
	 * so the name is no one else's. */
	(void)unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		pmon_die_errno(EXIT_FAIL, errno, "cannot create %s/%s", d, tmp);
	if (fchmod(fd, 0644) < 0 || write_all(fd, text->data, text->len) < 0 ||
	    fsync(fd) < 0 || close(fd) < 0 ||
	    renameat(dfd, tmp, dfd, TEXTFILE_NAME) < 0) {
		err = errno;
		unlinkat(dfd, tmp, 0);
		close(dfd);
		pmon_die_errno(EXIT_FAIL, err, "cannot write %s/%s", d, TEXTFILE_NAME);
	}
	close(dfd);
	return EXIT_OK;
}

/* ---- --listen [ADDR:]PORT ------------------------------------------------ */

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* "PORT", "ADDR:PORT" or "[ADDR6]:PORT", numeric only: a name would
 * need a lookup that can block, and could resolve to more than meant. */
static void parse_listen(const char *spec, union sockaddr_any *a, bool *v6)
{
	char host[INET6_ADDRSTRLEN + 2] = "127.0.0.1";
	const char *colon = strrchr(spec, ':'), *port = colon ? colon + 1 : spec;
	size_t hl = colon ? (size_t)(colon - spec) : 0;
	long p;

	if (parse_long(port, 0, 65535, &p) < 0)
		usage_error("--listen takes [ADDR:]PORT, a port of 0 to 65535, not '%s'", spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']' && hl - 2 < sizeof(host)) {
		memcpy(host, spec + 1, hl - 2);
		host[hl - 2] = '\0';
	} else if (hl && hl < sizeof(host)) {
		memcpy(host, spec, hl);
		host[hl] = '\0';
	} else if (hl) {
		usage_error("--listen: '%s' is not a numeric address", spec);
	}
	memset(a, 0, sizeof(*a));
	*v6 = false;
	if (inet_pton(AF_INET, host, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons((uint16_t)p);
	} else if (inet_pton(AF_INET6, host, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons((uint16_t)p);
		*v6 = true;
	} else {
		usage_error("--listen: '%s' is not a numeric IPv4 or [IPv6] address"
			    " (names are not looked up)", host);
	}
}

static volatile sig_atomic_t stop_signal;
static const struct httpd_api *mhd;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
			     const char *type, const char *body, size_t n)
{
	struct MHD_Response *r = mhd->create_response_from_buffer(
		n, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	mhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		mhd->add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = mhd->queue_response(conn, status, r);
	mhd->destroy_response(r);
	return ret;
}

/* OpenMetrics when forced, or when the scraper asks for it (Prometheus
 * does: its Accept header lists application/openmetrics-text first). */
static enum expo_format negotiate(const struct metrics_opts *m,
				  struct MHD_Connection *conn)
{
	const char *accept = mhd->lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);

	if (m->format_forced)
		return m->format;
	return accept && strstr(accept, "application/openmetrics-text") ?
		EXPO_OPENMETRICS : EXPO_TEXT;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **ctx)
{
	static int seen;
	static const char index[] =
		"pmon metrics: the metrics are on /metrics\n";
	const struct metrics_opts *m = cls;
	enum MHD_Result ret;
	enum expo_format fmt;
	struct buf body = {0};

	(void)version, (void)upload, (void)upload_size;
	/* The first call has the headers only: answering then makes
	 * libmicrohttpd 0.9.75 close the connection, which defeats the
	 * keep-alive Prometheus scrapes over. */
	if (!*ctx) {
		*ctx = &seen;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     "only GET and HEAD\n", 18);
	if (strcmp(url, "/") == 0)
		return reply(conn, MHD_HTTP_OK, "text/plain", index, sizeof(index) - 1);
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain",
			     "not found: the metrics are on /metrics\n", 39);
	fmt = negotiate(m, conn);
	metrics_scrape(m, fmt, &body);
	ret = reply(conn, MHD_HTTP_OK, expo_content_type(fmt), body.data, body.len);
	buf_free(&body);
	return ret;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop};

	/* No SA_RESTART: the signal must end the select() below. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* One thread: every scrape runs in this loop, one at a time, so the
 * process layer is never entered twice at once. */
static int serve(const struct cli *c)
{
	union sockaddr_any addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	bool v6;
	char host[INET6_ADDRSTRLEN];
	const char *why;

	parse_listen(c->listen, &addr, &v6);
	mhd = httpd_load(&why);
	if (!mhd)
		pmon_die(EXIT_FAIL, "--listen needs libmicrohttpd (Debian: "
			 "libmicrohttpd12): %s", why);
	catch_stop_signals();
	d = mhd->start_daemon(MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0), 0,
			     NULL, NULL, on_request, (void *)&c->m,
			     MHD_OPTION_SOCK_ADDR, &addr.sa,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)8,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
			     MHD_OPTION_END);
	if (!d)
		pmon_die_errno(EXIT_FAIL, errno, "cannot listen on %s", c->listen);
	info = mhd->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (void *)&addr.in6.sin6_addr :
		  (void *)&addr.in.sin_addr, host, sizeof(host));
	fprintf(stderr, "pmon metrics: serving http://%s%s%s:%u/metrics\n",
		v6 ? "[" : "", host, v6 ? "]" : "", info ? info->port : 0);
	while (!stop_signal) {
		fd_set rs, ws, es;
		MHD_socket max = 0;
		MHD_UNSIGNED_LONG_LONG ms;
		struct timeval tv = {1, 0};

		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_ZERO(&es);
		if (mhd->get_fdset2(d, &rs, &ws, &es, &max, FD_SETSIZE) != MHD_YES)
			pmon_die(EXIT_FAIL, "too many connections for select()");
		if (mhd->get_timeout(d, &ms) == MHD_YES && ms < 1000) {
			tv.tv_sec = 0;
			tv.tv_usec = (suseconds_t)ms * 1000;
		}
		if (select(max + 1, &rs, &ws, &es, &tv) < 0 && errno != EINTR)
			pmon_die_errno(EXIT_FAIL, errno, "select");
		mhd->run_from_select(d, &rs, &ws, &es);
	}
	mhd->stop_daemon(d);
	return EXIT_OK;
}

/* ---- the command --------------------------------------------------------- */

static int metrics_exec(int argc, char **argv)
{
	struct cli c = {0};
	struct buf text = {0};
	int status = EXIT_OK;

	parse_opts(argc, argv, &c);
	if (c.listen) {
		status = serve(&c);
	} else {
		if (c.textfile_dir)
			close(open_textfile_dir(&c)); /* fail first */
		metrics_scrape(&c.m, c.m.format, &text);
		if (c.textfile_dir) {
			status = write_textfile(&c, &text);
		} else {
			fwrite(text.data, 1, text.len, stdout);
			status = finish_stdout(EXIT_OK);
		}
	}
	buf_free(&text);
	group_rules_free(&c.m.rules);
	return status;
}

const struct cmd_entry cmd_metrics_entry = {
	.name = "metrics",
	.summary = "Write the processes as Prometheus metrics, or serve them",
	.usage = "[--openmetrics] [-g RULE]... [-G FILE] [--max-groups N] [-k K] [-S SOCKET | --no-room] [--textfile DIR | --listen [ADDR:]PORT]",
	.opts = metrics_opts,
	.notes =
	"Metrics (pmon_*): processes per state, zombies, zombies per parent with\n"
	"its name and SIGCHLD disposition, the groups' processes, CPU seconds,\n"
	"resident bytes, threads, open fds and oldest start time, the room's\n"
	"clients, messages and slow readers dropped, and the scrape's duration.\n"
	"Without --textfile or --listen they go to stdout once.\n",
	.exec = metrics_exec,
};
