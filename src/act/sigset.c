/*
 * sigset.c - signal masks as names (see sigset.h).
 */
#include "act/signals.h"
#include "act/sigset.h"

size_t sigset_list(unsigned long long mask, int *sigs, size_t max)
{
	size_t n = 0;

	for (int bit = 0; bit < 64; bit++) {
		if (!(mask & (1ull << bit)))
			continue;
		if (n < max)
			sigs[n] = bit + 1;
		n++;
	}
	return n;
}

void sigset_describe(unsigned long long mask, struct buf *out)
{
	int sigs[64];
	size_t n = sigset_list(mask, sigs, 64);
	char name[32];

	if (!n) {
		buf_puts(out, "none");
		return;
	}
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s%s", i ? ", " : "",
			   signal_name(sigs[i], name, sizeof(name)));
}
