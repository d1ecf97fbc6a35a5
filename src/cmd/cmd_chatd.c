/*
 * cmd_chatd.c - `pmon chatd`: run the operators' room (src/chat/server.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat/server.h"
#include "chat/sock.h"
#include "cmd/cmd.h"

static gid_t group_id(const char *name)
{
	struct group *gr = getgrnam(name);
	long gid;

	if (gr)
		return gr->gr_gid;
	if (parse_long(name, 0, INT_MAX, &gid) == 0)
		return (gid_t)gid;
	usage_error("no such group '%s'", name);
}

/* --flood RATE[/BURST] (lines per second; 0 turns it off). */
static void parse_flood(const char *arg, struct chatd_opts *o)
{
	char *copy = xstrdup(arg), *slash = strchr(copy, '/');

	if (slash)
		*slash++ = '\0';
	o->flood_rate = (double)estrtonum(copy, 0, 1000000, "--flood rate");
	o->flood_burst = slash ? (double)estrtonum(slash, 1, 1000000,
						   "--flood burst") :
				 2 * o->flood_rate;
	if (o->flood_burst < 1)
		o->flood_burst = 1;
	free(copy);
}

/* The arguments the detached server is executed with: ours, and the
 * socket when it was not given, so that ps shows which room it is. */
static char **server_argv(int argc, char **argv, const char *path)
{
	char **out = xreallocarray(NULL, (size_t)argc + 3, sizeof(*out));
	int n = 0;

	for (int i = 0; i < argc; i++)
		out[n++] = argv[i];
	if (path) {
		out[n++] = (char *)"-S";
		out[n++] = (char *)path;
	}
	out[n] = NULL;
	return out;
}

/* --ready-fd, --lock-fd: a descriptor this process was given. */
static int open_fd(const char *arg, const char *what)
{
	int fd = (int)estrtonum(arg, 3, INT_MAX, what);

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		usage_error("%s %d: not an open descriptor", what, fd);
	return fd;
}

/* The socket to serve, and whether this user may open that room. */
static const char *check_room(const char *sock, bool system, bool group)
{
	const char *path = chatd_socket_path(sock, system);
	char personal[64];

	if (system && sock)
		usage_error("--system and -S go one at a time");
	if (system && geteuid() != 0)
		pmon_die(EXIT_FAIL, "only root may open the system room (%s);"
			 " without --system you open your own",
			 CHAT_SYSTEM_SOCKET);
	chat_personal_socket(geteuid(), personal, sizeof(personal));
	if (group && strcmp(path, personal) == 0)
		usage_error("--group needs --system or -S PATH: your own room"
			    " (%s) is closed to everyone else", personal);
	return path;
}

/* What the command line asks for besides struct chatd_opts. */
struct chatd_args {
	const char *sock;
	bool system;
	int ready_fd;
};

static const struct cmd_opt chatd_opts[] = {
	CMD_OPT('S', "socket", ARG_FILE, "PATH",
		"the room's socket (default $PMON_CHAT_SOCKET,\n"
		"else your own room\n"
		CHAT_PERSONAL_SOCKET_DOC ", UID yours)"),
	CMD_LONG("system", 'Y', ARG_NONE, NULL,
		"the system room, " CHAT_SYSTEM_SOCKET " (root\n"
		"only): the one pmon chat joins when it may"),
	CMD_OPT('f', "foreground", ARG_NONE, NULL,
		"stay on this terminal: show the room, and send\n"
		"every line typed here as an announcement"),
	CMD_OPT('g', "group", ARG_GROUP, "GROUP",
		"let members of GROUP in too (besides root and\n"
		"the owner)"),
	CMD_OPT('l', "log", ARG_FILE, "FILE",
		"append every event to FILE (a regular file of\n"
		"yours that nobody else may write; made 0600);\n"
		"a restart reloads its last 200 events, and\n"
		"SIGHUP reopens it (logrotate)"),
	CMD_LONG("flood", 'F', ARG_TEXT, "RATE[/BURST]",
		"lines per second a client may send before\n"
		"it is slowed down (default 20/40; 0: no limit)"),
	CMD_LONG("no-flood-limit", 'N', ARG_NONE, NULL,
		"the same as --flood 0 (for benchmarks)"),
	CMD_LONG("per-account", 'P', ARG_NUMBER, "N",
		"connections one account may hold (default 16;\n"
		"0: no limit; root and the owner: no limit)"),
	CMD_LONG("name-timeout", 'T', ARG_SECONDS, "SECONDS",
		"time a connection has to give a name\n"
		"(default 10; 0: no limit)"),
	CMD_LONG("ready-fd", 'R', ARG_NUMBER, "N",
		"for a server started detached: say\n"
		"\"ok\" or why not on N; the held lock is N"),
	CMD_LONG("lock-fd", 'L', ARG_NUMBER, "N", NULL),
	CMD_LONG("claim-ttl", 'C', ARG_SECONDS, "SECONDS",
		"how long a /claim lasts unless renewed\n(default 3600)"),
	CMD_LONG("view-timeout", 'V', ARG_SECONDS, "SECONDS",
		"how long a shared view (/ps, /tree, /zombies,\n"
		"/inspect) may take before it is ended\n(default 10)"),
	CMD_LONG("out-cap", 'O', ARG_NUMBER, "BYTES",
		"output queued for a client that does not read\n"
		"before it is cut off (default 1 MiB; 4096 to\n1 GiB)"),
	{0},
};

static void parse_args(int argc, char **argv, struct chatd_opts *o,
		       struct chatd_args *a)
{
	int c;

	while ((c = cmd_getopt(argc, argv)) != -1) {
		switch (c) {
		case 'S': a->sock = optarg; break;
		case 'f': o->foreground = true; break;
		case 'g':
			o->has_group = true;
			o->group = group_id(optarg);
			o->group_name = optarg;
			break;
		case 'l': o->log_path = optarg; break;
		case 'F': parse_flood(optarg, o); break;
		case 'N': o->flood_rate = 0; break;
		case 'P':
			o->per_account = (unsigned)estrtonum(optarg, 0, 1000000,
							      "--per-account");
			break;
		case 'T':
			o->name_timeout = (double)estrtonum(optarg, 0, 86400,
							    "--name-timeout");
			break;
		case 'C':
			o->claim_ttl = (double)estrtonum(optarg, 1, 30 * 86400,
							 "--claim-ttl");
			break;
		case 'V':
			o->view_timeout = (unsigned)estrtonum(optarg, 1, 3600,
							      "--view-timeout");
			break;
		case 'O':
			o->out_cap = (size_t)estrtonum(optarg, 4096, 1 << 30,
						       "--out-cap");
			break;
		case 'Y': a->system = true; break;
		case 'R': a->ready_fd = open_fd(optarg, "--ready-fd"); break;
		case 'L': o->lock_fd = open_fd(optarg, "--lock-fd"); break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

static int chatd_exec(int argc, char **argv)
{
	struct chatd_args a = {.ready_fd = -1};
	struct chatd_opts o;
	char why[CHAT_WHY_MAX], **args;
	int rc;

	chatd_opts_init(&o);
	parse_args(argc, argv, &o, &a);
	o.path = check_room(a.sock, a.system, o.has_group);
	if (a.ready_fd >= 0) /* started detached by chatd_start_detached */
		return chatd_serve(&o, a.ready_fd);
	/* Started by systemd for its socket: serve here, never detached. */
	if (o.foreground || chat_socket_activated())
		return chatd_serve(&o, -1);
	args = server_argv(argc, argv, a.sock || a.system ? NULL : o.path);
	o.argv = args;
	rc = chatd_start_detached(&o, why);
	free(args);
	if (rc < 0)
		pmon_die(EXIT_FAIL, "%s", why);
	return EXIT_OK;
}

const struct cmd_entry cmd_chatd_entry = {
	.name = "chatd",
	.summary = "Run the operators' chat room on a UNIX socket",
	.usage = "[-S SOCKET | --system] [--foreground] [--group GROUP] [--log FILE]"
		 " [--flood RATE[/BURST] | --no-flood-limit] [--per-account N]"
		 " [--name-timeout SECONDS] [--claim-ttl SECONDS]"
		 " [--view-timeout SECONDS] [--out-cap BYTES]",
	.opts = chatd_opts,
	.exec = chatd_exec,
};
