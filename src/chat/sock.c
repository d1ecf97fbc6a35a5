/*
 * sock.c - where rooms live and the room's socket (sock.h): choosing the
 * socket, checking its path and directory before anything is made there,
 * the lock beside it, listening and connecting, and credentials.
 */
#include <dirent.h>
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
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "chat/sock.h"
#include "chat/systemd.h"
#include "util/util.h"

/* ---- which room ----------------------------------------------------- */

void chat_personal_socket(uid_t uid, char *out, size_t size)
{
	snprintf(out, size, CHAT_PERSONAL_DIR_FMT "/" CHAT_SOCKET_NAME,
		 (unsigned)uid);
}

const char *chat_choose_socket(const char *opt, const char *env,
			       const char *system_sock, uid_t uid,
			       char *buf, size_t size)
{
	struct stat st;

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	/* The system room when it is there for us: its socket exists and
	 * we may connect to it (write permission, as connect needs). */
	if (lstat(system_sock, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    access(system_sock, W_OK) == 0)
		return system_sock;
	chat_personal_socket(uid, buf, size);
	return buf;
}

const char *chat_socket_path(const char *opt)
{
	static char personal[64];

	return chat_choose_socket(opt, getenv(CHAT_SOCKET_ENV),
				  CHAT_SYSTEM_SOCKET, getuid(), personal,
				  sizeof(personal));
}

const char *chatd_socket_path(const char *opt, bool system)
{
	static char personal[64];
	const char *env = getenv(CHAT_SOCKET_ENV);

	if (opt && *opt)
		return opt;
	if (system)
		return CHAT_SYSTEM_SOCKET;
	if (env && *env)
		return env;
	chat_personal_socket(geteuid(), personal, sizeof(personal));
	return personal;
}

bool chat_is_system_socket(const char *path)
{
	return strcmp(path, CHAT_SYSTEM_SOCKET) == 0;
}

const char *chat_start_hint(const char *path, char *buf, size_t size)
{
	if (chat_is_system_socket(path))
		snprintf(buf, size, "the system room is root's to start, with"
			 " 'pmon chatd --system'");
	else
		snprintf(buf, size, "start one with 'pmon chatd -S %s' (or let"
			 " 'pmon chat' start it)", path);
	return buf;
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

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m)) return "a directory";
	if (S_ISREG(m)) return "a regular file";
	if (S_ISLNK(m)) return "a symbolic link";
	if (S_ISFIFO(m)) return "a FIFO";
	if (S_ISCHR(m)) return "a character device";
	if (S_ISBLK(m)) return "a block device";
	return "not a socket";
}

/* ---- the socket's path ------------------------------------------------- */

/* path cannot be looked up (EACCES): say whose directory keeps us out
 * when it can be seen, so that the user knows whom to ask. */
static int closed_dir(const char *path, char *why)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], who[96];
	struct stat st;

	chat_socket_dir(path, dir, sizeof(dir)); /* path fits: checked */
	if (lstat(dir, &st) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot check the socket path %s:"
			 " %s (a directory above it is closed to you)", path,
			 strerror(EACCES));
		return -1;
	}
	owner_desc(st.st_uid, who, sizeof(who));
	snprintf(why, CHAT_WHY_MAX, "cannot check the socket path %s: %s"
		 " (its directory %s, mode %04o, is %s's, group %u, and closed"
		 " to uid %u: a room there is for its owner and group)",
		 path, strerror(EACCES), dir, (unsigned)(st.st_mode & 07777),
		 who, (unsigned)st.st_gid, (unsigned)geteuid());
	errno = EACCES;
	return -1;
}

int chat_check_path(const char *path, char *why)
{
	size_t len = strlen(path), max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	struct stat st;

	if (len == 0 || path[len - 1] == '/') {
		snprintf(why, CHAT_WHY_MAX, "the socket path '%s' %s: it must"
			 " name the socket itself", path,
			 len ? "ends in '/'" : "is empty");
		return -1;
	}
	if (len > max) {
		snprintf(why, CHAT_WHY_MAX, "the socket path %s is %zu bytes"
			 " long; a UNIX socket's path is at most %zu bytes",
			 path, len, max);
		return -1;
	}
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == EACCES)
			return closed_dir(path, why);
		snprintf(why, CHAT_WHY_MAX, "cannot check the socket path %s:"
			 " %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, CHAT_WHY_MAX, "%s is %s, not a socket: not a room;"
			 " choose another path with -S", path,
			 file_kind(st.st_mode));
		return -1;
	}
	return 0;
}

/* ---- room directories -------------------------------------------------- */

enum dir_kind { DIR_OTHER, DIR_PERSONAL, DIR_SYSTEM };

static enum dir_kind kind_of(const char *dir, uid_t uid)
{
	char personal[64];

	snprintf(personal, sizeof(personal), CHAT_PERSONAL_DIR_FMT,
		 (unsigned)uid);
	if (strcmp(dir, personal) == 0)
		return DIR_PERSONAL;
	if (strcmp(dir, CHAT_SYSTEM_DIR) == 0)
		return DIR_SYSTEM;
	return DIR_OTHER;
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
		snprintf(why, CHAT_WHY_MAX, "the %s %s belongs to %s, not to %s:"
			 " it may be someone posing as the room; ask them to"
			 " remove it, or choose another path", what, dir, who,
			 trusted_uid ? "root or to you" : "root");
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

/* A personal room's directory is checked as tmux checks its own: ours,
 * and closed to everyone else. */
static int check_personal(const char *dir, uid_t uid, char *why)
{
	struct stat st;
	char who[96];

	if (lstat(dir, &st) < 0)
		return 0; /* for chat_check_trusted_dir to report */
	errno = EPERM;
	if (st.st_uid != uid) {
		owner_desc(st.st_uid, who, sizeof(who));
		snprintf(why, CHAT_WHY_MAX, "your room's directory %s belongs to"
			 " %s, not to you: someone made it before you did, to"
			 " keep you out of your room or to pose as it; have it"
			 " removed (by root if need be), or use -S", dir, who);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(why, CHAT_WHY_MAX, "your room's directory %s has mode"
			 " %04o; it must be 0700, closed to everyone else:"
			 " make it so (chmod 700) if you made it, or remove it",
			 dir, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	errno = 0;
	return 0;
}

/* Lock files and the socket are made only in a directory that holds
 * rooms: sockets and their .lock files, nothing else (not /etc, not a
 * home directory). */
static int check_only_rooms(const char *dir, char *why)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		snprintf(why, CHAT_WHY_MAX, "cannot read the socket directory"
			 " %s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISSOCK(st.st_mode) || (S_ISREG(st.st_mode) && n > 5 &&
					      strcmp(e->d_name + n - 5, ".lock") == 0))
			continue;
		snprintf(why, CHAT_WHY_MAX, "%s is not a room's directory: it"
			 " holds %s (%s), and a room's directory holds only"
			 " sockets and their .lock files; choose a directory"
			 " of the room's own with -S", dir, e->d_name,
			 file_kind(st.st_mode));
		errno = EPERM;
		rc = -1;
	}
	closedir(d);
	return rc;
}

/* Who owns dir and who may write it, by the rules of its kind. */
static int check_owner(const char *dir, uid_t uid, char *why)
{
	enum dir_kind k = kind_of(dir, uid);
	const char *what = k == DIR_PERSONAL ? "room directory" :
			   k == DIR_SYSTEM ? "system room's directory" :
					     "socket directory";

	struct stat st;

	/* A personal directory's own rules first: they say more. */
	if (k == DIR_PERSONAL && lstat(dir, &st) == 0 &&
	    S_ISDIR(st.st_mode) && check_personal(dir, uid, why) < 0)
		return -1;
	return chat_check_trusted_dir(dir, k == DIR_SYSTEM ? 0 : uid, what,
				      why);
}

int chat_check_dir(const char *dir, uid_t uid, char *why)
{
	if (check_owner(dir, uid, why) < 0)
		return -1;
	return check_only_rooms(dir, why);
}

/* Can the members of gid reach a socket in the directory st describes?
 * If it is the directory's group, the group's bits decide, not others'. */
static bool group_can_enter(const struct stat *st, gid_t gid)
{
	return st->st_gid == gid ? (st->st_mode & S_IXGRP) != 0 :
				   (st->st_mode & S_IXOTH) != 0;
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

/* The mode a new room directory gets: the system room's is open to all
 * (its socket decides who may connect), others to their owner alone. */
static mode_t new_dir_mode(enum dir_kind k, bool grouped)
{
	if (grouped)
		return 0750;
	return k == DIR_SYSTEM ? 0755 : 0700;
}

int chat_make_dir(const char *dir, gid_t gid, char *why)
{
	bool grouped = gid != (gid_t)-1;
	enum dir_kind k = kind_of(dir, geteuid());
	mode_t old;
	int rc, err;

	if (grouped && k == DIR_PERSONAL) {
		snprintf(why, CHAT_WHY_MAX, "%s is your personal room, closed to"
			 " everyone else: a room for a group needs another"
			 " path (-S) or --system", dir);
		return -1;
	}
	old = umask(0);
	rc = mkdir(dir, new_dir_mode(k, grouped));
	err = errno;
	umask(old);
	if (rc < 0 && err != EEXIST) {
		snprintf(why, CHAT_WHY_MAX, "cannot create the socket"
			 " directory %s: %s", dir, strerror(err));
		return -1;
	}
	if (check_owner(dir, geteuid(), why) < 0)
		return -1;
	/* One we just made gets the group it is for; one that was there
	 * must let the group in. */
	if (grouped && rc == 0 && chown(dir, (uid_t)-1, gid) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot give the socket directory"
			 " %s to group %u: %s", dir, (unsigned)gid,
			 strerror(errno));
		return -1;
	}
	if (grouped && open_to_group(dir, gid, why) < 0)
		return -1;
	return check_only_rooms(dir, why);
}

/* ---- the lock ---------------------------------------------------------- */

/* Open and lock path.lock, waiting; 0 with *fd, 1 if the file went away
 * while we waited (try again), -1 with why. */
static int lock_once(const char *lock, int *fd, char *why)
{
	struct stat held, now;

	*fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot open the lock file %s: %s",
			 lock, strerror(errno));
		return -1;
	}
	while (flock(*fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		snprintf(why, CHAT_WHY_MAX, "cannot lock %s: %s", lock,
			 strerror(errno));
		close(*fd);
		return -1;
	}
	/* A server removes the lock file when it stops: the one we waited
	 * on may be gone, and a newer one the lock that counts. */
	if (fstat(*fd, &held) == 0 && lstat(lock, &now) == 0 &&
	    held.st_dev == now.st_dev && held.st_ino == now.st_ino)
		return 0;
	close(*fd);
	return 1;
}

int chat_lock(const char *path, char *why)
{
	char dir[PATH_MAX], lock[128]; /* a checked path: at most 107 bytes */
	int fd, rc;

	/* Only the socket's own name, in a room's directory: never
	 * /etc/passwd.lock for -S /etc/passwd. */
	chat_socket_dir(path, dir, sizeof(dir));
	if (chat_check_path(path, why) < 0 ||
	    chat_check_dir(dir, geteuid(), why) < 0)
		return -1;
	snprintf(lock, sizeof(lock), "%s.lock", path);
	while ((rc = lock_once(lock, &fd, why)) == 1)
		;
	return rc < 0 ? -1 : fd;
}

void chat_remove_lock(const char *path)
{
	char lock[128];
	struct stat held, now;
	int fd;

	if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock))
		return;
	fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	/* Held: someone is starting a server; it is theirs to keep. */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &held) == 0 &&
	    lstat(lock, &now) == 0 && held.st_dev == now.st_dev &&
	    held.st_ino == now.st_ino)
		unlink(lock);
	close(fd);
}

/* ---- the socket -------------------------------------------------------- */

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

/* socket(2) flags (SOCK_NONBLOCK or 0), and how long a blocking
 * connect may wait (0: as long as it takes). */
static int connect_with(const char *path, int flags, double timeout_s)
{
	struct sockaddr_un sa;
	int fd, err;

	if (fill_addr(path, &sa) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return -1;
	/* A UNIX stream connect waits on a full backlog for as long as the
	 * send timeout says (unix_stream_connect), then fails with EAGAIN. */
	if (timeout_s > 0) {
		struct timeval tv = {
			.tv_sec = (time_t)timeout_s,
			.tv_usec = (suseconds_t)((timeout_s - (double)(time_t)timeout_s) * 1e6),
		};

		if (tv.tv_sec == 0 && tv.tv_usec == 0)
			tv.tv_usec = 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int chat_connect_within(const char *path, double timeout_s)
{
	return connect_with(path, 0, timeout_s);
}

int chat_connect(const char *path)
{
	return connect_with(path, 0, 0);
}

int chat_connect_nonblock(const char *path)
{
	return connect_with(path, SOCK_NONBLOCK, 0);
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

	if (chat_check_path(path, why) < 0 || fill_addr(path, &sa) < 0)
		return -1;
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

/* Whether systemd passed sockets is first asked of the environment, so
 * that libsystemd is loaded only when it did (systemd.h). */
static bool sockets_passed(void)
{
	return getenv("LISTEN_FDS") != NULL;
}

bool chat_socket_activated(void)
{
	const char *why;
	const struct systemd_api *sd;

	if (!sockets_passed())
		return false;
	sd = systemd_load(&why);
	/* Passed but not loadable: chat_listen_activated says why. */
	return !sd || sd->listen_fds(0) > 0;
}

int chat_listen_activated(const char *path, char *why)
{
	const char *load_why;
	const struct systemd_api *sd;
	int n, fd = SD_LISTEN_FDS_START, flags;

	if (!sockets_passed())
		return CHAT_NOT_ACTIVATED;
	sd = systemd_load(&load_why);
	if (!sd) {
		snprintf(why, CHAT_WHY_MAX, "systemd passed a socket, but"
			 " libsystemd (Debian: libsystemd0) cannot be loaded: %s",
			 load_why);
		return -1;
	}
	n = sd->listen_fds(1);
	if (n == 0)
		return CHAT_NOT_ACTIVATED;
	if (n < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot take the socket systemd"
			 " passed: %s", strerror(-n));
		return -1;
	}
	if (n != 1) {
		snprintf(why, CHAT_WHY_MAX, "systemd passed %d sockets; pmon"
			 " chatd takes one (one ListenStream= line)", n);
		return -1;
	}
	/* Bound to the room's own path, so that the room's checks (its
	 * directory, the path clients trust) are about this socket. */
	if (sd->is_socket_unix(fd, SOCK_STREAM, 1, path, 0) <= 0) {
		snprintf(why, CHAT_WHY_MAX, "the socket systemd passed is not a"
			 " listening UNIX stream socket on %s: ListenStream="
			 " must name the room's path", path);
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(why, CHAT_WHY_MAX, "cannot set up the socket systemd"
			 " passed: %s", strerror(errno));
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

bool chat_peer_in_group(int fd, gid_t gid)
{
	gid_t some[64], *groups = some;
	socklen_t len = sizeof(some);
	bool in = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE) /* a kernel without it: cannot say */
			return false;
		groups = xmalloc(len); /* len is now what it takes */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
			len = 0;
	}
	for (size_t i = 0; i < len / sizeof(gid_t) && !in; i++)
		in = groups[i] == gid;
	if (groups != some)
		free(groups);
	return in;
}

/* Off in the server once its loop runs (see chat_login_lookups). */
static bool lookups = true;

void chat_login_lookups(bool on)
{
	lookups = on;
}

void chat_login_name(uid_t uid, char *out, size_t size)
{
	struct passwd *pw = lookups ? getpwuid(uid) : NULL;

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
