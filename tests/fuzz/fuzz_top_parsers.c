/*
 * fuzz_top_parsers.c - libFuzzer target for the parsers behind top's
 * console that read text others shape: a cgroup path (a container runtime
 * or a user's systemd unit names it), DRM fdinfo (a driver writes it, a
 * process chooses its descriptors), pressure and /proc/net/dev lines (an
 * interface name is chosen by whoever creates it), and the filter line
 * (typed).  Checks that nothing reads past the text (ASan) and that the
 * strings made always end within their arrays.
 * FUZZ-SOURCES: src/proc/cgroup.c src/proc/gpu.c src/proc/pressure.c src/proc/netdev.c src/ui/topfilter.c src/util/util.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/cgroup.h"
#include "proc/gpu.h"
#include "proc/sysparse.h"
#include "ui/topfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[160];
	struct cgroup_info ci;
	struct drm_client c;
	struct psi psi;
	struct top_filter f = {0};
	unsigned long long rx, tx;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cgroup_parse(text, &ci);
	if (!memchr(ci.path, '\0', sizeof(ci.path)) ||
	    !memchr(ci.container, '\0', sizeof(ci.container)))
		abort();
	if (drm_fdinfo_parse(text, &c) == 0 && !memchr(c.driver, '\0', sizeof(c.driver)))
		abort();
	(void)psi_parse(text, &psi);
	(void)netdev_parse(text, &rx, &tx);
	if (top_filter_set(&f, text, err, sizeof(err)) == 0)
		top_filter_free(&f);
	free(text);
	return 0;
}
