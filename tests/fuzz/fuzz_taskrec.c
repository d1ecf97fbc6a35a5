/*
 * fuzz_taskrec.c - libFuzzer target for the reader of BPF passes
 * (taskrec.c): what a pin holds is bytes pmon did not write when the pin
 * is not pmon's, or of another version, and the walk's order is any
 * order.  Whatever the bytes, a decode never reads or writes past them
 * (ASan), and a pass it accepts is in pid order with every process found
 * by taskrec_find and filled as from /proc; decoding the same bytes twice
 * into one pass (as a watch does, with the spare array) gives the same.
 * FUZZ-SOURCES: src/proc/taskrec.c src/proc/proc.c src/proc/procstat.c src/proc/parse.c src/util/util.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/taskrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct proc_clock clk = {
	.boot_time = 1700000000.0, .uptime = 1000.0, .now = 1700001000,
	.hz = 100, .page_kb = 4,
};

static void check(const struct taskrec_pass *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct taskrec *r = &p->procs[i];
		struct proc out;

		if (i > 0 && p->procs[i - 1].pid >= r->pid)
			abort();
		if (taskrec_find(p, r->pid) != r)
			abort();
		taskrec_fill(r, TASKREC_HAVE, &clk, &out);
		if (strlen(taskrec_name(r)) >= 64)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the reader's buffers are 8-byte aligned, and one byte longer */
	uint64_t *buf = malloc(size / 8 * 8 + 8);
	struct taskrec_pass p = {0};
	size_t n0 = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (int pass = 0; pass < 2; pass++) {
		if (taskrec_decode(buf, size, &p) < 0)
			break;
		if (pass == 1 && p.n != n0)
			abort();
		n0 = p.n;
		check(&p);
		memcpy(buf, data, size); /* the decode writes NULs into names */
	}
	taskrec_pass_free(&p);
	free(buf);
	return 0;
}
