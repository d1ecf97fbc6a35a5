/*
 * test_sock.c - the trust checks of the chat socket's directory, the
 * socket path's parts, and who the server lets in (src/chat/sock.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chat/sock.h"

static char base[64];

static int make_base(void **state)
{
	(void)state;
	strcpy(base, "/tmp/test-chat-sock.XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int remove_base(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_socket_dir(void **state)
{
	char dir[64];

	(void)state;
	chat_socket_dir("/run/pmon/chat.sock", dir, sizeof(dir));
	assert_string_equal(dir, "/run/pmon");
	chat_socket_dir("/sock", dir, sizeof(dir));
	assert_string_equal(dir, "/");
	chat_socket_dir("sock", dir, sizeof(dir));
	assert_string_equal(dir, ".");
}

static void test_socket_path_precedence(void **state)
{
	char sys[128], buf[64];
	int fd;

	(void)state;
	/* no system room: the personal one */
	snprintf(sys, sizeof(sys), "%s/system.sock", base);
	assert_string_equal(chat_choose_socket(NULL, NULL, sys, 1234, buf,
					       sizeof(buf)),
			    "/tmp/pmon-1234/chat.sock");
	/* a system room we may use */
	fd = chat_listen(sys, (gid_t)-1, buf);
	assert_true(fd >= 0);
	assert_string_equal(chat_choose_socket(NULL, NULL, sys, 1234, buf,
					       sizeof(buf)), sys);
	/* -S, then the environment, come first */
	assert_string_equal(chat_choose_socket(NULL, "/run/x.sock", sys, 1234,
					       buf, sizeof(buf)),
			    "/run/x.sock");
	assert_string_equal(chat_choose_socket("/opt/y", "/run/x.sock", sys,
					       1234, buf, sizeof(buf)),
			    "/opt/y");
	close(fd);
	unlink(sys);
	assert_string_equal(chatd_socket_path("/opt/y", true), "/opt/y");
	assert_string_equal(chatd_socket_path(NULL, true), CHAT_SYSTEM_SOCKET);
	assert_true(chat_is_system_socket(CHAT_SYSTEM_SOCKET));
}

/* Each wrong path is refused before anything is made, with its reason. */
static void test_path_checks(void **state)
{
	char path[256], why[CHAT_WHY_MAX];

	(void)state;
	assert_int_equal(chat_check_path("/tmp/x/", why), -1);
	assert_non_null(strstr(why, "ends in '/'"));
	assert_int_equal(chat_check_path(base, why), -1);
	assert_non_null(strstr(why, "is a directory, not a socket"));
	assert_int_equal(chat_check_path("/dev/null", why), -1);
	assert_non_null(strstr(why, "is a character device, not a socket"));
	snprintf(path, sizeof(path), "%s/file", base);
	fclose(fopen(path, "w"));
	assert_int_equal(chat_check_path(path, why), -1);
	assert_non_null(strstr(why, "is a regular file, not a socket"));
	unlink(path);
	memset(path, 'a', 108);
	path[0] = '/';
	path[108] = '\0';
	assert_int_equal(chat_check_path(path, why), -1);
	assert_non_null(strstr(why, "is 108 bytes long; a UNIX socket's path is at most 107 bytes"));
	path[107] = '\0';
	assert_int_equal(chat_check_path(path, why), 0); /* missing: fine */
}

static void test_dir_checks(void **state)
{
	char path[128], why[CHAT_WHY_MAX];

	(void)state;
	/* made by us: fine */
	snprintf(path, sizeof(path), "%s/ok", base);
	assert_int_equal(chat_make_dir(path, (gid_t)-1, why), 0);
	assert_int_equal(chat_check_dir(path, geteuid(), why), 0);
	/* missing: ENOENT */
	snprintf(path, sizeof(path), "%s/missing", base);
	assert_int_equal(chat_check_dir(path, geteuid(), why), -1);
	assert_int_equal(errno, ENOENT);
	/* writable by others */
	snprintf(path, sizeof(path), "%s/open", base);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, 01777), 0);
	assert_int_equal(chat_check_dir(path, geteuid(), why), -1);
	assert_non_null(strstr(why, "writable by other users"));
	/* ... and an existing directory is never changed */
	assert_int_equal(chat_make_dir(path, (gid_t)-1, why), -1);
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 01777);
	}
	/* a symbolic link */
	snprintf(path, sizeof(path), "%s/link", base);
	{
		char target[128];

		snprintf(target, sizeof(target), "%s/ok", base);
		assert_int_equal(symlink(target, path), 0);
	}
	assert_int_equal(chat_check_dir(path, geteuid(), why), -1);
	assert_non_null(strstr(why, "symbolic link"));
	/* not a directory */
	snprintf(path, sizeof(path), "%s/file", base);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fclose(f);
	}
	assert_int_equal(chat_check_dir(path, geteuid(), why), -1);
	assert_non_null(strstr(why, "not a directory"));
}

/* Someone else's directory (needs root to make one). */
static void test_foreign_owner(void **state)
{
	char path[128], why[CHAT_WHY_MAX];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(path, sizeof(path), "%s/theirs", base);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chown(path, 60002, 60002), 0);
	assert_int_equal(chat_check_dir(path, 0, why), -1);
	assert_non_null(strstr(why, "posing as the room"));
	/* trusted when it is the caller's own */
	assert_int_equal(chat_check_dir(path, 60002, why), 0);
}

static void test_peer_allowed(void **state)
{
	(void)state;
	assert_true(chat_peer_allowed(0, 0, 1000, false, 0, false));
	assert_true(chat_peer_allowed(1000, 1000, 1000, false, 0, false));
	assert_false(chat_peer_allowed(60001, 60001, 1000, false, 0, false));
	assert_false(chat_peer_allowed(60001, 60001, 1000, true, 60100, false));
	/* the group: as the primary group, or among the account's */
	assert_true(chat_peer_allowed(60001, 60100, 1000, true, 60100, false));
	assert_true(chat_peer_allowed(60001, 60001, 1000, true, 60100, true));
	/* an account's groups count only for a room with a group */
	assert_false(chat_peer_allowed(60001, 60001, 1000, false, 0, true));
}

/* A room's directory holds rooms only: no lock file is made in /etc. */
static void test_only_rooms(void **state)
{
	char dir[128], path[160], why[CHAT_WHY_MAX];
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/etc", base);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/passwd", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/new.sock", dir);
	assert_int_equal(chat_check_dir(dir, geteuid(), why), -1);
	assert_non_null(strstr(why, "holds passwd (a regular file)"));
	assert_int_equal(chat_lock(path, why), -1);
	snprintf(path, sizeof(path), "%s/new.sock.lock", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* sockets and their locks are what it may hold */
	snprintf(dir, sizeof(dir), "%s/rooms", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/a.sock", dir);
	fd = chat_lock(path, why);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chat_check_dir(dir, geteuid(), why), 0);
}

/* A personal room's directory is its owner's, 0700 (needs root). */
static void test_personal_dir(void **state)
{
	uid_t uid = 70000 + (uid_t)(getpid() % 10000);
	char dir[64], why[CHAT_WHY_MAX];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "/tmp/pmon-%u", (unsigned)uid);
	rmdir(dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	/* root's, not uid's */
	assert_int_equal(chat_check_dir(dir, uid, why), -1);
	assert_non_null(strstr(why, "belongs to root (uid 0), not to you"));
	assert_int_equal(chown(dir, uid, uid), 0);
	assert_int_equal(chat_check_dir(dir, uid, why), 0);
	assert_int_equal(chmod(dir, 0750), 0);
	assert_int_equal(chat_check_dir(dir, uid, why), -1);
	assert_non_null(strstr(why, "has mode 0750; it must be 0700"));
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_dir),
		cmocka_unit_test(test_socket_path_precedence),
		cmocka_unit_test(test_path_checks),
		cmocka_unit_test(test_only_rooms),
		cmocka_unit_test(test_personal_dir),
		cmocka_unit_test(test_dir_checks),
		cmocka_unit_test(test_foreign_owner),
		cmocka_unit_test(test_peer_allowed),
	};

	return cmocka_run_group_tests(tests, make_base, remove_base);
}
