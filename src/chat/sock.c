/*
 * sock.c - the room's socket, its directory, and credentials (sock.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "chat/sock.h"
#include "util/util.h"

const char *chat_socket_path(const char *opt)
{
	const char *env = getenv(CHAT_SOCKET_ENV);

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	return CHAT_DEFAULT_SOCKET;
}

void chat_socket_dir(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(out, size, ".");
	} else if (slash == path) {
		snprintf(out, size, "/");
	} else {
		snprintf(out, size, "%.*s", (int)(slash - path), path);
	}
}

static void owner_desc(uid_t uid, char *out, size_t size)
{
	char login[64];

	chat_login_name(uid, login, sizeof(login));
	snprintf(out, size, "%s (uid %u)", login, (unsigned)uid);
}

int chat_check_trusted_dir(const char *dir, uid_t trusted_uid,
			   const char *what, char *why)
{
	struct stat st;
	char who[96];

	if (lstat(dir, &st) < 0) {
		int err = errno;

		snprintf(why, CHAT_WHY_MAX, "cannot check the %s %s: %s", what,
			 dir, strerror(err));
		errno = err;
		return -1;
	}
	errno = EPERM;
	if (S_ISLNK(st.st_mode)) {
		snprintf(why, CHAT_WHY_MAX, "the %s %s is a symbolic link, which"
			 " anyone could have planted; remove it or choose"
			 " another path", what, dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, CHAT_WHY_MAX, "%s is not a directory; remove it"
			 " or choose another path", dir);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != trusted_uid) {
		owner_desc(st.st_uid, who, sizeof(who));
		snprintf(why, CHAT_WHY_MAX, "the %s %s belongs to %s, not to root"
			 " or to you: it may be someone posing as the room;"
			 " ask them to remove it, or choose another path",
			 what, dir, who);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, CHAT_WHY_MAX, "the %s %s is writable by other"
			 " users (mode %04o), so what is in it cannot be"
			 " trusted; make it 0700 or 0750", what, dir,
			 (unsigned)(st.st_mode & 07777));
		return -1;
	}
	errno = 0;
	return 0;
}

int chat_check_dir(const char *dir, uid_t trusted_uid, char *why)
{
	return chat_check_trusted_dir(dir, trusted_uid, "socket directory",
				      why);
}

/* Can the members of gid reach a socket in the directory st describes? */
static bool group_can_enter(const struct stat *st, gid_t gid)
{
	return (st->st_mode & S_IXOTH) ||
	       (st->st_gid == gid && (st->st_mode & S_IXGRP));
}

/*
 * An existing directory must let the group reach the socket (--group), or
 * its members would get EACCES from a room that means to let them in.
 * The server's own directory is opened to the group (0750); anyone
 * else's is refused, with what to do.
 */
static int open_to_group(const char *dir, gid_t gid, char *why)
{
	struct stat st;
	char who[96];

	if (lstat(dir, &st) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot check the socket directory"
			 " %s: %s", dir, strerror(errno));
		return -1;
	}
	if (group_can_enter(&st, gid))
		return 0;
	if (st.st_uid != geteuid()) {
		owner_desc(st.st_uid, who, sizeof(who));
		snprintf(why, CHAT_WHY_MAX, "the socket directory %s (mode %04o,"
			 " group %u) keeps group %u out, and only its owner %s"
			 " may change that: have it made 0750 with group %u, or"
			 " choose another path with -S", dir,
			 (unsigned)(st.st_mode & 07777), (unsigned)st.st_gid,
			 (unsigned)gid, who, (unsigned)gid);
		return -1;
	}
	if (chown(dir, (uid_t)-1, gid) < 0 || chmod(dir, 0750) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot open the socket directory"
			 " %s to group %u: %s", dir, (unsigned)gid,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int chat_make_dir(const char *dir, gid_t gid, char *why)
{
	bool grouped = gid != (gid_t)-1;
	mode_t old = umask(0);
	int rc = mkdir(dir, grouped ? 0750 : 0700);
	int err = errno;

	umask(old);
	if (rc < 0 && err != EEXIST) {
		snprintf(why, CHAT_WHY_MAX, "cannot create the socket"
			 " directory %s: %s", dir, strerror(err));
		return -1;
	}
	if (chat_check_dir(dir, geteuid(), why) < 0)
		return -1;
	if (!grouped)
		return 0;
	/* One we just made gets the group it is for; one that was there
	 * must let the group in. */
	if (rc == 0 && chown(dir, (uid_t)-1, gid) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot give the socket directory"
			 " %s to group %u: %s", dir, (unsigned)gid,
			 strerror(errno));
		return -1;
	}
	return open_to_group(dir, gid, why);
}

int chat_lock(const char *path, char *why)
{
	char lock[160]; /* socket paths are at most 107 bytes */
	int fd;

	if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock)) {
		snprintf(why, CHAT_WHY_MAX, "the socket path is too long");
		return -1;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot open the lock file %s: %s",
			 lock, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		snprintf(why, CHAT_WHY_MAX, "cannot lock %s: %s", lock,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int fill_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

int chat_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, err;

	if (fill_addr(path, &sa) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* A socket file is in the way: fine if it is a dead server's and ours. */
static int remove_stale(const char *path, char *why)
{
	struct stat st;
	int fd = chat_connect(path);

	if (fd >= 0) {
		close(fd);
		snprintf(why, CHAT_WHY_MAX, "a server is already listening on"
			 " %s", path);
		errno = EADDRINUSE;
		return -1;
	}
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		char who[96];

		owner_desc(st.st_uid, who, sizeof(who));
		snprintf(why, CHAT_WHY_MAX, "%s exists and is %s of %s: not"
			 " removing it; remove it yourself or use -S", path,
			 S_ISSOCK(st.st_mode) ? "a socket" : "not a socket",
			 who);
		errno = EEXIST;
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(why, CHAT_WHY_MAX, "cannot remove the stale socket"
			 " %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int chat_listen(const char *path, gid_t gid, char *why)
{
	bool grouped = gid != (gid_t)-1;
	struct sockaddr_un sa;
	mode_t old;
	int fd, rc, err;

	if (fill_addr(path, &sa) < 0) {
		snprintf(why, CHAT_WHY_MAX, "the socket path %s is too long"
			 " (at most %zu bytes)", path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	if (remove_stale(path, why) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot make a socket: %s",
			 strerror(errno));
		return -1;
	}
	/* The mode comes from the umask at creation: no window in which
	 * the socket is more open than it should be. */
	old = umask(grouped ? 0117 : 0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	umask(old);
	if (rc < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot bind %s: %s", path,
			 strerror(err));
		close(fd);
		return -1;
	}
	/* Before listen(), nobody can connect: safe to set the group. */
	if (grouped && chown(path, (uid_t)-1, gid) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot give %s to group %u: %s",
			 path, (unsigned)gid, strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	if (listen(fd, SOMAXCONN) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot listen on %s: %s", path,
			 strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	return fd;
}

int chat_peer_cred(int fd, uid_t *uid, gid_t *gid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	*uid = cred.uid;
	*gid = cred.gid;
	*pid = cred.pid;
	return 0;
}

void chat_login_name(uid_t uid, char *out, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name[0])
		snprintf(out, size, "%s", pw->pw_name);
	else
		snprintf(out, size, "uid%u", (unsigned)uid);
}

bool chat_peer_allowed(uid_t uid, gid_t gid, uid_t owner, bool has_group,
		       gid_t group, bool in_group)
{
	if (uid == 0 || uid == owner)
		return true;
	/* The kernel passes only the primary group with SO_PEERCRED: the
	 * others come from the account (in_group). */
	return has_group && (gid == group || in_group);
}
