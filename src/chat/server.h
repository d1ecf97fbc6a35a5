/*
 * server.h - the room: one process, one epoll loop, every connection a
 * non-blocking socket.  Each event is formatted once into a reference
 * counted buffer that every recipient's queue points at; a client's
 * queue is written with one send per wakeup (of a run of whole messages
 * copied once for everyone owed them, see conn.c), and an idle client
 * keeps at most a ring of 256 bytes.
 */
#ifndef PMON_CHAT_SERVER_H
#define PMON_CHAT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CHAT_HISTORY_MAX 200   /* events kept in memory */
#define CHAT_REPLAY 20         /* events replayed to whoever enters */
#define CHAT_OUT_CAP (1 << 20) /* bytes queued for a client before it is
				* disconnected as too slow */
#define CHAT_FLOOD_RATE 20.0   /* lines per second, sustained */
#define CHAT_FLOOD_BURST 40.0  /* lines at once */
#define CHAT_PER_ACCOUNT 16    /* connections one account may hold */
#define CHAT_NAME_TIMEOUT 10.0 /* seconds to give a name after connecting */
#define CHAT_FD_RESERVE 8      /* descriptors kept for root and the owner */

struct chatd_opts {
	const char *path;     /* the socket */
	bool has_group;       /* --group: its members may enter too */
	gid_t group;
	const char *group_name;
	const char *log_path; /* --log, or NULL */
	bool foreground;      /* stay attached; stdin lines are announcements */
	double flood_rate;    /* lines per second per client; 0: no limit */
	double flood_burst;
	size_t out_cap;
	unsigned per_account; /* connections per account (not root's or the
			       * owner's); 0: no limit */
	double name_timeout;  /* seconds to give a name; 0: no limit */
	double claim_ttl;     /* seconds a claim lasts (CHAT_CLAIM_TTL) */
	unsigned view_timeout; /* seconds a shared view may take
				* (VIEW_JOB_TIMEOUT) */
	int lock_fd;          /* the lock beside the socket, already held; or -1 */
	/* pmon chatd's arguments (argv[0] "chatd", NULL-terminated), for a
	 * detached server to be executed with; NULL: "chatd -S PATH". */
	char *const *argv;
};

void chatd_opts_init(struct chatd_opts *o);

/* Run the room in this process until SIGTERM or SIGINT (then tell the
 * room, flush, remove the socket).  ready_fd, when >= 0, gets "ok\n" once
 * the socket listens, or the reason it could not, and is closed.
 * Returns the exit status. */
int chatd_serve(const struct chatd_opts *o, int ready_fd);

/*
 * Start the room detached, as tmux starts its server: fork, setsid, fork
 * again (so that init adopts it and it never becomes a zombie), execute
 * `pmon chatd ... --ready-fd 3 [--lock-fd 4]` there (o->argv, or -S
 * o->path) and wait until it listens.  Returns 0, or -1 with why
 * (CHAT_WHY_MAX bytes) filled in.
 */
int chatd_start_detached(const struct chatd_opts *o, char *why);

#endif
