/*
 * chatd.h - the insides of `pmon chatd`, shared by its three files:
 * server.c (sockets, signals, the loop's housekeeping, start and stop),
 * conn.c (one connection: output queue, input, flood control, its end)
 * and room.c (requests and the events they cause).  Not for the client.
 */
#ifndef PMON_CHAT_CHATD_H
#define PMON_CHAT_CHATD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "chat/loop.h"
#include "chat/proto.h"
#include "chat/server.h"
#include "util/util.h"

/* One formatted event or reply, shared by reference among the queues of
 * everyone it goes to, and freed with its last reference. */
struct msg {
	unsigned refs;
	unsigned len;
	char data[];
};

struct client {
	struct server *s;
	int fd;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool admin, joined, quitting, dead, pending, paused, discarding;
	bool blocked;            /* its socket was full: wait for EPOLLOUT */
	char name[CHAT_NAME_MAX + 1];
	char login[CHAT_NAME_MAX + 1];
	char *leave_reason;      /* why a dead client left, for the room */
	/* Output: a ring of references, allocated only while non-empty. */
	struct msg **q;
	unsigned qhead, qcount, qcap;
	unsigned qoff;           /* bytes of q[qhead] already written */
	size_t qbytes;
	/* Input not yet acted on (a partial line, or lines held back by
	 * flood control); allocated only when there is some. */
	char *in;
	size_t inlen, incap;
	double tokens, refilled; /* flood control: a token bucket */
	double resume_at;
	struct client *next_pending;
};

struct server {
	const struct chatd_opts *o;
	struct loop *loop;
	int listen_fd, spare_fd, sig_fd, log_fd;
	uid_t owner;
	char owner_login[CHAT_NAME_MAX + 1];
	char room[64];
	struct client **clients; /* everyone connected */
	size_t nclients, capclients;
	struct client *pending;  /* clients with output to write */
	struct client **dead;    /* clients to close before sleeping */
	size_t ndead, capdead;
	size_t npaused;
	struct msg *history[CHAT_HISTORY_MAX];
	size_t hist_first, hist_count;
	struct msg *hello;
	bool stopping;
	double stop_deadline;
	dev_t sock_dev;
	ino_t sock_ino;
	struct buf fmt;          /* scratch: an event line being formatted */
	struct buf text;         /* scratch: a request's sanitised text */
	char scratch[64 * 1024]; /* every read lands here first */
};

/* conn.c: messages */
struct msg *msg_new(const char *s, size_t n);
void msg_unref(struct msg *m);

/* conn.c: output.  client_push queues a reference to m (never a copy);
 * a client whose queue would pass out_cap bytes is dropped instead. */
void client_push(struct server *s, struct client *c, struct msg *m);
void client_send(struct server *s, struct client *c, const char *s_, size_t n);
void client_sendf(struct server *s, struct client *c, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
void client_update_mask(struct server *s, struct client *c);
/* Write as much of c's queue as its socket takes. */
void client_flush(struct server *s, struct client *c);

/* conn.c: the end of a connection.  client_kill marks c dead (why: what
 * the room is told, or NULL); reap_dead tells the room and closes the
 * dead before the loop sleeps; client_free frees one without a word. */
void client_kill(struct server *s, struct client *c, const char *why);
void reap_dead(struct server *s);
void client_free(struct client *c);

/* conn.c: input.  on_client is the loop's handler of a client socket;
 * drain_input runs held-back lines again once flood control allows. */
void on_client(struct loop *l, int fd, void *data, int mask);
void drain_input(struct server *s, struct client *c);

/* room.c */
void handle_line(struct server *s, struct client *c, const char *line,
		 size_t len);
/* An event for everyone who has entered except skip. */
void room_event(struct server *s, struct client *skip, const char *kind,
		const char *name, const char *text, size_t text_len);
void history_add(struct server *s, struct msg *m);
/* Sanitised text into s->text; false when nothing is left. */
bool clean_text(struct server *s, const char *t, size_t n);

#endif
