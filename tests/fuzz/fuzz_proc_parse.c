/*
 * fuzz_proc_parse.c - libFuzzer target for the parsers of /proc text that
 * any user can shape: a comm (chosen with prctl or by naming a binary) may
 * hold ") ", newlines and any byte, and sits inside stat and status.
 * Each parser is fed the same bytes; checks that a parse never reads past
 * the buffer (ASan), that comm always ends in a NUL within its array, and
 * that join_cmdline gives exactly as many bytes as it was given minus the
 * trailing NULs, with no NUL left inside.
 * FUZZ-SOURCES: src/proc/parse.c src/util/util.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The readers hand the parsers NUL-terminated text. */
	char *text = malloc(size + 1);
	struct stat_line st;
	struct status_lines sl = {0};
	struct statm_line sm;
	struct buf line = {0};
	unsigned long long a = 0, b = 0;
	size_t trimmed = size;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (parse_stat_line(text, size, &st) == 0 &&
	    memchr(st.comm, '\0', sizeof(st.comm)) == NULL)
		abort();
	parse_status(text, size, ~0u, &sl);
	if (sl.ns_levels < 0 || sl.ns_levels > PROC_NS_MAX)
		abort();
	(void)parse_statm(text, size, &sm);
	(void)parse_io(text, size, &a, &b);
	(void)parse_stat_field(text, size, 39, &a);
	(void)parse_sched_exec_start(text, size, &a);
	join_cmdline(text, size, &line);
	while (trimmed > 0 && text[trimmed - 1] == '\0')
		trimmed--;
	if (line.len != trimmed || memchr(line.data ? line.data : "", '\0', line.len))
		abort();
	buf_free(&line);
	free(text);
	return 0;
}
