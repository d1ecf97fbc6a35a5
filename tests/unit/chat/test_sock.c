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
	chat_socket_dir("/tmp/pmon-chat/chat.sock", dir, sizeof(dir));
	assert_string_equal(dir, "/tmp/pmon-chat");
	chat_socket_dir("/sock", dir, sizeof(dir));
	assert_string_equal(dir, "/");
	chat_socket_dir("sock", dir, sizeof(dir));
	assert_string_equal(dir, ".");
}

static void test_socket_path_precedence(void **state)
{
	(void)state;
	unsetenv(CHAT_SOCKET_ENV);
	assert_string_equal(chat_socket_path(NULL), CHAT_DEFAULT_SOCKET);
	setenv(CHAT_SOCKET_ENV, "/run/x.sock", 1);
	assert_string_equal(chat_socket_path(NULL), "/run/x.sock");
	assert_string_equal(chat_socket_path("/opt/y"), "/opt/y");
	unsetenv(CHAT_SOCKET_ENV);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_dir),
		cmocka_unit_test(test_socket_path_precedence),
		cmocka_unit_test(test_dir_checks),
		cmocka_unit_test(test_foreign_owner),
		cmocka_unit_test(test_peer_allowed),
	};

	return cmocka_run_group_tests(tests, make_base, remove_base);
}
