/*
 * sock.h - where the room's socket lives and who may be trusted there:
 * which room to join, the checks of a socket path and of a room's
 * directory (as tmux checks its socket directory), creating the listening
 * socket with its mode set by the umask at bind time, the lock file
 * beside it, and the credentials of the process at the other end
 * (SO_PEERCRED).
 */
#ifndef PMON_CHAT_SOCK_H
#define PMON_CHAT_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Where rooms live.  The system room is root's (`pmon chatd --system`),
 * in a directory of root's; a personal room is one account's, in
 * /tmp/pmon-UID, which must be that account's and closed to everyone
 * else (as tmux's /tmp/tmux-UID), so that nobody can make it first and
 * lock its owner out or pose as the room.
 */
#define CHAT_SYSTEM_DIR "/run/pmon"
#define CHAT_SOCKET_NAME "chat.sock"
#define CHAT_SYSTEM_SOCKET CHAT_SYSTEM_DIR "/" CHAT_SOCKET_NAME
#define CHAT_PERSONAL_DIR_FMT "/tmp/pmon-%u"
#define CHAT_PERSONAL_SOCKET_DOC "/tmp/pmon-UID/" CHAT_SOCKET_NAME
#define CHAT_SOCKET_ENV "PMON_CHAT_SOCKET"

/* Messages for the user: one sentence, what went wrong and what to do. */
#define CHAT_WHY_MAX 512

/* The socket pmon chat joins: -S PATH, else $PMON_CHAT_SOCKET, else the
 * system room's when its socket is there and we may connect to it, else
 * our personal room's. */
const char *chat_socket_path(const char *opt);
/* The same choice with its inputs given (for tests): the system room's
 * socket, the uid of the personal room, and buf for its path. */
const char *chat_choose_socket(const char *opt, const char *env,
			       const char *system_sock, uid_t uid,
			       char *buf, size_t size);
/* The socket pmon chatd serves: -S PATH, else the system room's with
 * --system, else $PMON_CHAT_SOCKET, else the personal room's. */
const char *chatd_socket_path(const char *opt, bool system);
void chat_personal_socket(uid_t uid, char *out, size_t size);
bool chat_is_system_socket(const char *path);
/* How to open a room on path, for someone who found none there. */
const char *chat_start_hint(const char *path, char *buf, size_t size);

/* The directory part of path, into out. */
void chat_socket_dir(const char *path, char *out, size_t size);

/*
 * Check a socket path before anything is made for it: not empty, not
 * ending in '/', short enough for sun_path, and either missing or a
 * socket (not a directory, a regular file, /dev/null...).  Returns 0, or
 * -1 with why filled in.
 */
int chat_check_path(const char *path, char *why);

/*
 * Check a room's directory: a real directory (not a symbolic link), owned
 * by root or by uid (the system room's: by root; uid's personal one: by
 * uid, mode 0700), writable by nobody else, holding nothing but rooms
 * (sockets and their .lock files).  Returns 0; -1 with errno ENOENT if it
 * does not exist; -1 with why filled in (errno EPERM) if it is not fit.
 */
int chat_check_dir(const char *dir, uid_t uid, char *why);
/* The ownership and mode checks alone, for any directory; what names it
 * in why ("log's directory"). */
int chat_check_trusted_dir(const char *dir, uid_t trusted_uid,
			   const char *what, char *why);

/*
 * Create the directory if it is missing (mode 0700; the system room's
 * 0755; 0750 with its group set to gid when gid is not (gid_t)-1) and
 * check it.  With a gid, an existing directory that keeps the group out
 * is made 0750 with that group if it is ours, and refused if not.
 * Returns 0, or -1 with why filled in.
 */
int chat_make_dir(const char *dir, gid_t gid, char *why);

/* Open and lock (flock, waiting) PATH.lock beside the socket, after
 * checking path and its directory.  Returns the descriptor, or -1 with
 * why filled in. */
int chat_lock(const char *path, char *why);
/* Remove PATH.lock unless someone holds it (a server that stops). */
void chat_remove_lock(const char *path);

/*
 * Bind and listen on path, with mode 0600 (0660 and group gid when gid is
 * not (gid_t)-1) given by the umask during bind.  A socket file already
 * there is replaced only if nobody answers on it and it is ours.  Returns
 * the listening descriptor (non-blocking), or -1 with why filled in.
 */
int chat_listen(const char *path, gid_t gid, char *why);

/*
 * Socket activation (systemd's pmon-chatd.socket, or
 * systemd-socket-activate): the listening socket systemd passed
 * (sd_listen_fds), made non-blocking.  CHAT_NOT_ACTIVATED when none was
 * passed; -1 with why filled in when what was passed is not exactly one
 * listening UNIX stream socket bound to path.  systemd made the socket
 * and its directory: the caller still checks the directory as a room's.
 */
#define CHAT_NOT_ACTIVATED (-2)
int chat_listen_activated(const char *path, char *why);
/* Was this process given sockets by systemd (without taking them)? */
bool chat_socket_activated(void);

/* Connect to path.  Returns the descriptor, or -1 with errno. */
int chat_connect(const char *path);
/* The same without waiting: a server whose backlog is full (stalled)
 * gives EAGAIN at once instead of a connect that blocks. */
int chat_connect_nonblock(const char *path);
/* The same, waiting at most timeout_s (> 0) for a server whose backlog
 * is full (errno EAGAIN then); 0 waits as long as it takes. */
int chat_connect_within(const char *path, double timeout_s);

/* The uid, gid and pid of the process at the other end of fd. */
int chat_peer_cred(int fd, uid_t *uid, gid_t *gid, pid_t *pid);
/* Was gid among the supplementary groups of the other end of fd when it
 * connected (SO_PEERGROUPS)?  False when the kernel cannot say. */
bool chat_peer_in_group(int fd, gid_t gid);

/* The login name of uid, or "uidN" when it has no account. */
void chat_login_name(uid_t uid, char *out, size_t size);
/* Off: chat_login_name says "uidN" at once, without asking NSS, which can
 * block for seconds (LDAP, sssd).  The server turns lookups off before
 * its loop runs, so that no message of its (a log refused on SIGHUP, say)
 * can stall the room; the room's own lookups go through resolve.c. */
void chat_login_lookups(bool on);

/* Is uid (primary group gid) root, owner, or a member of group (by gid,
 * or by its account's groups: in_group, which the caller looked up)? */
bool chat_peer_allowed(uid_t uid, gid_t gid, uid_t owner, bool has_group,
		       gid_t group, bool in_group);

#endif
