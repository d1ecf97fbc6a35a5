/*
 * proto.h - the pmon-chat/1 protocol as pure functions: splitting a byte
 * stream into lines (refusing oversized ones), parsing a client's request,
 * parsing a server's line, making text safe, and the plain one-line forms
 * that line mode prints.  No I/O here, so the parser can be unit tested
 * and fuzzed on its own.  The protocol itself is described in pmon(1),
 * section THE CHAT PROTOCOL.
 */
#ifndef PMON_CHAT_PROTO_H
#define PMON_CHAT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define CHAT_PROTO_NAME "pmon-chat"
#define CHAT_PROTO_VERSION 1
#define CHAT_LINE_MAX 4096 /* bytes of one line, without its newline */
#define CHAT_NAME_MAX 32   /* bytes of a name */

/* What chat_next_line found at the front of a buffer. */
enum chat_line_kind {
	CHAT_LINE_NONE,    /* no complete line yet: keep the bytes, read more */
	CHAT_LINE_OK,      /* a line (without its newline or a final CR) */
	CHAT_LINE_TOOLONG, /* a line over CHAT_LINE_MAX: refuse it */
};

struct chat_line {
	enum chat_line_kind kind;
	const char *text;
	size_t len;
};

/*
 * Take the next line from buf[0..len).  Returns how many bytes were used
 * up (the caller drops them).  *discarding carries the state across calls:
 * after an oversized line is reported, the rest of it, up to and including
 * its newline, is consumed silently, so nothing beyond the limit is ever
 * parsed as a request.  A return of 0 with CHAT_LINE_NONE means "wait for
 * more bytes".
 */
size_t chat_next_line(const char *buf, size_t len, bool *discarding,
		      struct chat_line *out);
/* The same with another limit (the client reads server lines, which may
 * be longer than a request once sanitised and prefixed). */
size_t chat_next_line_max(const char *buf, size_t len, size_t max,
			  bool *discarding, struct chat_line *out);
/* The longest line a server sends: a request's text may triple when each
 * invalid byte becomes U+FFFD, plus the event's prefix. */
#define CHAT_SERVER_LINE_MAX (3 * CHAT_LINE_MAX + 256)

/*
 * The requests of pmon-chat/1, one row each: the only list of them.  The
 * parser (proto.c), the server's dispatch and its /help text (room.c)
 * are all expanded from it, so a request is added in one place.
 *
 *   X(ID, WORD, ARGS, ADMIN_ONLY, NEEDS_NAME, HANDLER, HELP)
 *
 * ARGS is what follows the word (enum chat_args, without its prefix; the
 * usage "/WORD ARGS" is made from it); ADMIN_ONLY: root or the server's
 * owner only; NEEDS_NAME: only once the client has entered the room with
 * a name; HANDLER: the server's function for it (room.c), a column only
 * the server expands.
 */
#define CHAT_REQUESTS(X)                                                     \
	X(ME, "me", TEXT, false, true, req_me,                               \
	  "an action: * NAME TEXT")                                          \
	X(MSG, "msg", NAME_TEXT, false, true, req_msg,                       \
	  "a private message to NAME")                                       \
	X(WHO, "who", NONE, false, false, req_who,                           \
	  "who is in the room, with login names")                           \
	X(STATS, "stats", NONE, false, false, req_stats,                     \
	  "the room's figures: clients, messages, slow readers dropped")     \
	X(NAME, "name", NAME, false, false, req_name,                        \
	  "change your name")                                                \
	X(HELP, "help", NONE, false, false, req_help,                        \
	  "this list")                                                       \
	X(QUIT, "quit", REASON, false, false, req_quit,                      \
	  "leave the room")                                                  \
	X(ANNOUNCE, "announce", TEXT, true, false, req_announce,             \
	  "an announcement to everyone")                                     \
	X(KICK, "kick", NAME_REASON, true, false, req_kick,                  \
	  "put NAME out of the room")                                        \
	X(AS, "as", KIND, false, false, req_as,                              \
	  "what you run pmon as, shown in /who")                            \
	X(CLAIM, "claim", TARGET_REASON, false, true, req_claim,             \
	  "tell the room you are working on PID, or on PATTERN's processes") \
	X(RELEASE, "release", OPT_TARGET, false, true, req_release,          \
	  "end your claim on PID|PATTERN (all of yours without)")           \
	X(CLAIMS, "claims", NONE, false, false, req_claims,                  \
	  "the claims in force")                                             \
	X(ZOMBIES, "zombies", NONE, false, true, req_zombies,                \
	  "show the room the zombies and their parents")                    \
	X(TREE, "tree", PID, false, true, req_tree,                          \
	  "show the room the process tree under PID")                       \
	X(PS, "ps", PATTERN, false, true, req_ps,                            \
	  "show the room the processes whose name holds PATTERN")           \
	X(INSPECT, "inspect", PID, false, true, req_inspect,                 \
	  "show the room what any account may read of PID")                 \
	X(ACTION, "action", ACTION, false, false, req_action,                \
	  "report a kill or reap (sent by pmon kill and pmon reap)")        \
	X(NOTICE, "notice", TEXT, false, false, req_notice,                  \
	  "a watch's announcement (sent by pmon watch)")

/* What follows a request's word. */
enum chat_args {
	CHAT_ARGS_NONE,        /* nothing (anything after it is ignored) */
	CHAT_ARGS_TEXT,        /* TEXT, not empty */
	CHAT_ARGS_REASON,      /* [REASON] */
	CHAT_ARGS_NAME,        /* NAME, alone */
	CHAT_ARGS_NAME_TEXT,   /* NAME TEXT, both there */
	CHAT_ARGS_NAME_REASON, /* NAME [REASON] */
	CHAT_ARGS_KIND,        /* chat|top|watch|cmd, alone */
	CHAT_ARGS_PID,         /* PID, alone (checked by the handler) */
	CHAT_ARGS_PATTERN,     /* PATTERN, alone */
	CHAT_ARGS_TARGET_REASON, /* PID|PATTERN [REASON] */
	CHAT_ARGS_OPT_TARGET,  /* [PID|PATTERN] */
	CHAT_ARGS_ACTION,      /* the fields of an action (notify.h) */
};

/* A client's line, as parsed: a request of the table, or one of the
 * kinds around it. */
enum chat_req_kind {
	REQ_EMPTY,   /* an empty line: ignored, or "my login" as a name */
	REQ_TEXT,    /* a message (a "//" prefix sends a leading '/') */
#define CHAT_REQ_KIND(id, ...) REQ_##id,
	CHAT_REQUESTS(CHAT_REQ_KIND)
#undef CHAT_REQ_KIND
	REQ_UNKNOWN, /* /something else: word is the command */
	REQ_USAGE,   /* a known command with missing arguments */
};

struct chat_req {
	enum chat_req_kind kind;
	const char *word; /* the command word (without '/'), for errors */
	size_t word_len;
	const char *name; /* NAME argument */
	size_t name_len;
	const char *text; /* TEXT or REASON (may be empty) */
	size_t text_len;
	enum chat_req_kind command; /* REQ_USAGE: the command misused */
};

void chat_parse_request(const char *line, size_t len, struct chat_req *req);
/* Does the line ask to leave (as the room reads it: "/quit", "/QUIT
 * tired")?  A client that sends one ends when the room closes the
 * connection, rather than reconnect. */
bool chat_request_quits(const char *line, size_t len);

/* A request of the table, as the parser and /help see it. */
struct chat_command {
	const char *word;
	const char *usage; /* "/msg NAME TEXT" */
	const char *help;
	enum chat_args args;
	bool admin_only;
	bool needs_name;
};

/* The table's row for kind (NULL for REQ_EMPTY, REQ_TEXT, ...). */
const struct chat_command *chat_command_of(enum chat_req_kind kind);
/* The usage of a command, for "error usage" (NULL if not a command). */
const char *chat_command_usage(enum chat_req_kind kind);

/* Names: 1 to CHAT_NAME_MAX bytes of letters, digits, '_', '-', '.',
 * starting with a letter, a digit or '_'. */
bool chat_name_valid(const char *s, size_t n);
/* Case-insensitive equality of two names (ASCII). */
bool chat_name_equal(const char *a, size_t an, const char *b, size_t bn);

/*
 * Append s[0..n) to b as text that is safe on any terminal: a control
 * sequence (ESC or C1 CSI, OSC, DCS, ...; esc_sequence_len's rules) is
 * dropped whole, invalid UTF-8 becomes U+FFFD, a tab becomes a space, and
 * every other control character and dangerous code point is dropped.
 * Idempotent (what is left holds no ESC or C1 to start a sequence): the
 * server applies it to what it accepts, the client again to what it
 * shows.
 */
void chat_sanitize(struct buf *b, const char *s, size_t n);

/* A server's line, as the client sees it. */
enum chat_ev_kind {
	EV_UNKNOWN,
	EV_HELLO,   /* hello pmon-chat VERSION ROOM */
	EV_OK,      /* ok WHAT [ARGS] */
	EV_ERROR,   /* error CODE TEXT */
	EV_WHO,     /* who NAME LOGIN */
	EV_HELP,    /* help TEXT */
	EV_JOIN,    /* event TIME join NAME */
	EV_LEAVE,   /* event TIME leave NAME [REASON] */
	EV_MSG,     /* event TIME msg NAME TEXT */
	EV_ME,      /* event TIME me NAME TEXT */
	EV_ANNOUNCE,/* event TIME announce TEXT */
	EV_PRIVATE, /* event TIME private FROM TEXT */
	EV_RENAME,  /* event TIME rename OLD NEW */
	EV_SHUTDOWN,/* event TIME shutdown TEXT */
	/* Events the server formats and attributes to an account (uid):
	 * their kind word is the only thing that makes them what they are,
	 * and only the server writes it. */
	EV_ACTION,  /* event TIME action NAME UID TEXT: a kill, a reap */
	EV_CLAIM,   /* event TIME claim NAME UID TEXT: claimed, released */
	EV_NOTICE,  /* event TIME notice NAME UID TEXT: a watch speaks */
	EV_VIEW,    /* event TIME view NAME UID TEXT: a shared view's head */
	EV_VIEWROW, /* event TIME viewrow TEXT: one of its rows */
	EV_CLAIMLINE, /* claim NAME UID PID START EXPIRES WHAT [REASON] */
};

struct chat_ev {
	enum chat_ev_kind kind;
	bool history;   /* "history " prefix: replayed, not live */
	long long time; /* events: seconds since the epoch */
	const char *word, *name, *text; /* word: ok/error's first word */
	size_t word_len, name_len, text_len;
	long version;   /* hello */
	long long uid;  /* EV_ACTION ... EV_VIEW, EV_WHO: the account */
	/* EV_WHO: "who NAME LOGIN UID KIND TTY IDLE" (older servers send
	 * only NAME LOGIN: then as_len is 0); text is the login. */
	const char *as, *tty;
	size_t as_len, tty_len;
	long long idle;
};

/* Parse one server line (no newline).  Unknown lines give EV_UNKNOWN, so
 * that a newer server's additions are skipped by an older client. */
void chat_parse_event(const char *line, size_t len, struct chat_ev *ev);
/* Is ev an ok or error line whose first word is word ("who", "kicked")? */
bool chat_ev_word_is(const struct chat_ev *ev, const char *word);

/* The one-line form line mode prints for an event ("[room] NAME joined
 * the room", "NAME: text", "* NAME text" for /me, "[admin] text", ...)
 * or a who line ("[who] NAME (login LOGIN)"), sanitised; false for lines
 * that have no such form (ok, hello, ...).  Every line the server writes
 * begins with a bracketed mark ("[room] ", "[who] ", "[action] ",
 * "[claim] ", "[watch] ", "[view] ", ...) that no member's line can
 * begin with: a name cannot hold '[', and a member's text always follows
 * its name. */
bool chat_format_plain(const struct chat_ev *ev, struct buf *out);

/* Event lines as the server writes them, without the newline:
 * "event TIME KIND [NAME] [TEXT]".  name or text may be NULL. */
void chat_format_event(struct buf *b, long long time, const char *kind,
		       const char *name, const char *text, size_t text_len);

/* "event TIME KIND NAME UID TEXT": an event the server attributes to
 * the account uid (action, claim, notice, view). */
void chat_format_attributed(struct buf *b, long long time, const char *kind,
			    const char *name, unsigned uid, const char *text,
			    size_t text_len);
/* A duration for people: "42s", "5m", "2h05m", "3d04h". */
void chat_format_duration(struct buf *out, long long seconds);

#endif
