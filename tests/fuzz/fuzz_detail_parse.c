/*
 * fuzz_detail_parse.c - libFuzzer target for the parsers behind `pmon
 * inspect` and `pmon orphans`: the whole of /proc/PID/status (a comm any
 * user chooses sits in its Name line), /proc/PID/syscall, limits, io, an
 * epoll descriptor's fdinfo, children lists, descriptor targets (a path
 * any user chooses), and the socket tables of /proc/PID/net (a unix
 * socket's path is chosen by whoever binds it), and the cgroup paths
 * containers are recognised in (a delegated subtree's names are its
 * user's).  Each is fed the same
 * bytes; checks that nothing is read past the buffer (ASan), that the
 * counts stay within their arrays, and that limit names end in a NUL.
 * FUZZ-SOURCES: src/proc/detail_parse.c src/view/explain.c src/util/util.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/inspect.h"
#include "view/explain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The readers hand the parsers NUL-terminated text. */
	char *text = malloc(size + 1);
	struct status_detail sd;
	struct syscall_line sc;
	struct limit_row rows[4];
	struct io_detail io;
	struct buf sock = {0};
	pid_t *pids = NULL;
	size_t n = 0, nrows;
	bool closed;
	static const char *const protos[] = {"TCP", "TCP6", "UDP", "unix"};

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	parse_status_detail(text, size, &sd);
	if (sd.ns_levels < 0 || sd.ns_levels > PROC_NS_MAX)
		abort();
	status_detail_free(&sd);
	(void)parse_syscall_line(text, size, &sc);
	nrows = parse_limits(text, size, rows, 4);
	for (size_t i = 0; i < nrows; i++)
		if (!memchr(rows[i].name, '\0', sizeof(rows[i].name)) ||
		    !memchr(rows[i].unit, '\0', sizeof(rows[i].unit)))
			abort();
	if (nrows > 4)
		abort();
	parse_io_detail(text, size, &io);
	(void)parse_epoll_watched(text, size);
	parse_pid_list(text, size, &pids, &n);
	for (size_t i = 0; i < n; i++)
		if (pids[i] <= 0)
			abort();
	(void)fd_target_is_terminal(text, &closed);
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		(void)parse_socket_table(text, size, protos[i], 4711, &sock);
	buf_reset(&sock);
	(void)cgroup_container(text, &sock);
	buf_free(&sock);
	free(pids);
	free(text);
	return 0;
}
