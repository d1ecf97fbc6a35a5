/*
 * sock.h - where the room's socket lives and who may be trusted there:
 * the default path, the private directory's checks (as tmux checks its
 * socket directory), creating the listening socket with its mode set by
 * the umask at bind time, the lock file beside it, and the credentials
 * of the process at the other end (SO_PEERCRED).
 */
#ifndef PMON_CHAT_SOCK_H
#define PMON_CHAT_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CHAT_DEFAULT_SOCKET "/tmp/pmon-chat/chat.sock"
#define CHAT_SOCKET_ENV "PMON_CHAT_SOCKET"

/* Messages for the user: one sentence, what went wrong and what to do. */
#define CHAT_WHY_MAX 512

/* -S PATH, else $PMON_CHAT_SOCKET, else the default. */
const char *chat_socket_path(const char *opt);

/* The directory part of path, into out. */
void chat_socket_dir(const char *path, char *out, size_t size);

/*
 * Check the socket's directory: a real directory (not a symbolic link),
 * owned by root or by trusted_uid, writable by nobody else.  Returns 0;
 * -1 with errno ENOENT if it does not exist; -1 with why filled in
 * (errno EPERM) if it cannot be trusted.
 */
int chat_check_dir(const char *dir, uid_t trusted_uid, char *why);
/* The same checks for any directory; what names it in why ("log's
 * directory"). */
int chat_check_trusted_dir(const char *dir, uid_t trusted_uid,
			   const char *what, char *why);

/*
 * Create the directory (mode 0700, or 0750 with its group set to gid when
 * gid is not (gid_t)-1) if it is missing, and check it.  With a gid, an
 * existing directory that keeps the group out is made 0750 with that
 * group if it is ours, and refused if not.  Returns 0, or -1 with why
 * filled in.
 */
int chat_make_dir(const char *dir, gid_t gid, char *why);

/* Open and lock (flock, waiting) PATH.lock beside the socket.  Returns the
 * descriptor, or -1 with why filled in. */
int chat_lock(const char *path, char *why);

/*
 * Bind and listen on path, with mode 0600 (0660 and group gid when gid is
 * not (gid_t)-1) given by the umask during bind.  A socket file already
 * there is replaced only if nobody answers on it and it is ours.  Returns
 * the listening descriptor (non-blocking), or -1 with why filled in.
 */
int chat_listen(const char *path, gid_t gid, char *why);

/* Connect to path.  Returns the descriptor, or -1 with errno. */
int chat_connect(const char *path);

/* The uid, gid and pid of the process at the other end of fd. */
int chat_peer_cred(int fd, uid_t *uid, gid_t *gid, pid_t *pid);

/* The login name of uid, or "uidN" when it has no account. */
void chat_login_name(uid_t uid, char *out, size_t size);

/* Is uid (primary group gid) root, owner, or a member of group (by gid,
 * or by its account's groups: in_group, which the caller looked up)? */
bool chat_peer_allowed(uid_t uid, gid_t gid, uid_t owner, bool has_group,
		       gid_t group, bool in_group);

#endif
