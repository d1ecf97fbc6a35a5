/*
 * pressure.c - pressure stall information and the other pure arithmetic
 * of the meters (see sysparse.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/sysparse.h"

/* "avg10=1.23 avg60=4.56 avg300=7.89 total=123456" after the kind. */
static int psi_line(const char *s, struct psi_line *l)
{
	if (sscanf(s, " avg10=%lf avg60=%lf avg300=%lf total=%llu",
		   &l->avg10, &l->avg60, &l->avg300, &l->total_us) != 4)
		return -1;
	l->have = true;
	return 0;
}

int psi_parse(const char *text, struct psi *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		if (strncmp(s, "some", 4) == 0)
			(void)psi_line(s + 4, &out->some);
		else if (strncmp(s, "full", 4) == 0)
			(void)psi_line(s + 4, &out->full);
	}
	return out->some.have ? 0 : -1;
}

void cpu_use_compute(const long long delta[CPU_STATES], struct cpu_use *u)
{
	long long total = 0;

	for (int i = 0; i < CPU_STATES; i++)
		total += delta[i] > 0 ? delta[i] : 0;
	for (int i = 0; i < CPU_STATES; i++)
		u->pct[i] = total > 0 && delta[i] > 0 ?
			100.0 * (double)delta[i] / (double)total : 0;
	if (total <= 0)
		u->pct[CPU_IDLE] = 100.0;
	u->busy_pct = 100.0 - u->pct[CPU_IDLE] - u->pct[CPU_IOWAIT];
	if (u->busy_pct < 0)
		u->busy_pct = 0;
}

double counter_rate(unsigned long long before, unsigned long long now,
		    double seconds)
{
	if (now < before || seconds <= 0)
		return 0;
	return (double)(now - before) / seconds;
}

bool disk_counts(const char *name)
{
	static const char *const layered[] = {"loop", "ram", "zram", "dm-", "md", "nbd"};

	for (size_t i = 0; i < sizeof(layered) / sizeof(layered[0]); i++)
		if (strncmp(name, layered[i], strlen(layered[i])) == 0)
			return false;
	return true;
}
