/*
 * cmd_chat.c - `pmon chat`: the client of the operators' room.  On a
 * terminal, the ncursesw interface (src/chat/tui.c; line mode when
 * ncurses cannot be loaded); otherwise line mode (src/chat/linemode.c); --send, --announce and --who do one thing and
 * leave.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat/client.h"
#include "chat/sock.h"
#include "chat/linemode.h"
#include "chat/tui.h"
#include "cmd/cmd.h"

/* Text for --send or --announce: one request line, or a usage error
 * (a newline would smuggle in a second request). */
static const char *one_line(const char *opt, const char *s)
{
	if (!chat_line_sendable(s, strlen(s)))
		usage_error("%s: %s", opt, CHAT_LINE_RULE);
	return s;
}

/* -n NAME: the server's own rule, checked before anything is sent (the
 * usage error escapes the name, which may hold anything). */
static const char *checked_name(const char *name)
{
	char why[CHAT_WHY_MAX];

	if (!*name)
		usage_error("-n needs a name (without -n: the login name)");
	if (chat_client_check_name(name, why) < 0)
		usage_error("-n '%s': %s", name, why);
	return name;
}

static const struct cmd_opt chat_opts[] = {
	CMD_OPT('S', "socket", ARG_FILE, "PATH",
		"the room's socket (default $PMON_CHAT_SOCKET,\n"
		"else the system room " CHAT_SYSTEM_SOCKET "\n"
		"if you may use it, else your own room\n"
		CHAT_PERSONAL_SOCKET_DOC ", UID yours)"),
	CMD_OPT('n', "name", ARG_TEXT, "NAME",
		"your name in the room (default: your login)"),
	CMD_LONG("announce", 'a', ARG_TEXT, "TEXT",
		"send [admin] TEXT to everyone (root or the\n"
		"server's owner only) and leave"),
	CMD_LONG("send", 's', ARG_TEXT, "TEXT",
		"enter, say TEXT, and leave"),
	CMD_LONG("who", 'w', ARG_NONE, NULL,
		"list who is in the room, with login names"),
	CMD_LONG("no-start", 'N', ARG_NONE, NULL,
		"do not start a server when none is running (the\n"
		"system room is never started by pmon chat)"),
	CMD_LONG("claims", 'c', ARG_NONE, NULL,
		"list the claims in force (/claim PID|PATTERN)"),
	{0},
};

static int chat_exec(int argc, char **argv)
{
	const char *sock = NULL, *path, *name = "";
	const char *announce = NULL, *send = NULL;
	bool who = false, claims = false, autostart = true;
	struct chat_client c;
	char why[CHAT_WHY_MAX];
	int ch, status, modes;
	double deadline;

	while ((ch = cmd_getopt(argc, argv)) != -1) {
		switch (ch) {
		case 'S': sock = optarg; break;
		case 'n': name = checked_name(optarg); break;
		case 'a': announce = one_line("--announce", optarg); break;
		case 's': send = one_line("--send", optarg); break;
		case 'w': who = true; break;
		case 'c': claims = true; break;
		case 'N': autostart = false; break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	modes = (announce != NULL) + (send != NULL) + who + claims;
	if (modes > 1)
		usage_error("--announce, --send, --who and --claims go one at a"
			    " time");
	if (modes && (announce || who || claims))
		autostart = false; /* nobody would hear it, or be there */
	path = chat_socket_path(sock);
	if (chat_is_system_socket(path))
		autostart = false; /* root's to start, with --system */
	/* Before anything is made for it, and so that a file that is not
	 * a socket is never taken for a dead server. */
	if (chat_check_path(path, why) < 0)
		pmon_die(EXIT_FAIL, "%s", why);
	chat_client_init(&c, path, autostart);
	/* one deadline for the connection, the hello and the name */
	deadline = mono_now() + CHAT_ENTER_TIMEOUT_S;
	if (chat_client_connect(&c, deadline, why) < 0)
		pmon_die(EXIT_FAIL, "%s", why);
	if (announce)
		status = chat_oneshot_announce(&c, announce);
	else if (who)
		status = chat_oneshot_who(&c);
	else if (claims)
		status = chat_oneshot_claims(&c);
	else if (send)
		status = chat_oneshot_send(&c, name, send, deadline);
	else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		status = chat_tui(&c, name, deadline);
	else
		status = chat_line_mode(&c, name, deadline);
	chat_client_close(&c);
	if (status == EXIT_OK && !who && !claims)
		status = finish_stdout(status);
	return status;
}

const struct cmd_entry cmd_chat_entry = {
	.name = "chat",
	.summary = "Talk in the operators' chat room",
	.usage = "[-S SOCKET] [-n NAME] [--announce TEXT | --send TEXT | --who |"
		 " --claims]"
		 " [--no-start]",
	.opts = chat_opts,
	.notes =
	"On a terminal: a full-screen room (/help inside lists the commands);\n"
	"Ctrl-C leaves at any moment (exit status 130).\n"
	"Otherwise: each input line is a message, each event one line out,\n"
	"and end of input leaves the room.\n"
	"Entering, or getting back in after the server went away, gives up\n"
	"after 10 s.\n",
	.exec = chat_exec,
};
