/*
 * hidepid.c - what /proc's hidepid= lets an account see.
 *
 * With hidepid=invisible (or noaccess, ptraceable) an account sees only
 * the processes it could ptrace, unless it is root or (but with
 * ptraceable) in the mount's gid= group, root's group when none is given.
 * pmon's own commands read as the account that runs them, so the kernel
 * applies the rule; the room's server reads as itself and shares what it
 * reads, so it applies the rule for the member who asked (chat/views.c,
 * proc_readable_as).  The mode is read from /proc/self/mountinfo each
 * time: a remount can change it under a server that runs for months.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proc/proc.h"
#include "util/util.h"

static int hidepid_mode(const char *v, size_t n)
{
	static const struct { const char *word; int mode; } modes[] = {
		{"off", 0}, {"0", 0}, {"noaccess", 1}, {"1", 1},
		{"invisible", 2}, {"2", 2}, {"ptraceable", 4}, {"4", 4},
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strlen(modes[i].word) == n && !memcmp(modes[i].word, v, n))
			return modes[i].mode;
	return 2; /* a mode this pmon does not know: assume it hides */
}

/* The super options of a procfs mount ("rw,gid=4,hidepid=invisible"). */
static void hidepid_options(const char *opts, struct proc_hidepid *h)
{
	while (*opts) {
		size_t n = strcspn(opts, ",");
		long gid;

		if (n > 8 && !memcmp(opts, "hidepid=", 8))
			h->mode = hidepid_mode(opts + 8, n - 8);
		else if (n > 4 && n < 16 && !memcmp(opts, "gid=", 4)) {
			char num[16];

			memcpy(num, opts + 4, n - 4);
			num[n - 4] = '\0';
			if (parse_long(num, 0, 0x7fffffff, &gid) == 0)
				h->gid = (gid_t)gid;
		}
		opts += n + (opts[n] == ',');
	}
}

bool proc_hidepid_line(const char *line, struct proc_hidepid *h)
{
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - TYPE SRC SUPER */
	const char *p = line, *dash;
	char type[8];
	int field = 0;

	while (field < 4 && (p = strchr(p, ' ')))
		p++, field++;
	if (!p || strncmp(p, "/proc ", 6))
		return false;
	dash = strstr(p, " - ");
	if (!dash || sscanf(dash + 3, "%7s", type) != 1 || strcmp(type, "proc"))
		return false;
	p = dash + 3;
	for (field = 0; field < 2 && (p = strchr(p, ' ')); field++)
		p++;
	*h = (struct proc_hidepid){.mode = 0, .gid = 0};
	if (p) {
		char opts[512];

		snprintf(opts, sizeof(opts), "%.*s", (int)strcspn(p, " \n"), p);
		hidepid_options(opts, h);
	}
	return true;
}

int proc_hidepid(struct proc_hidepid *h)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t size = 0;
	bool found = false;

	*h = (struct proc_hidepid){0};
	if (!f)
		return -1;
	/* the last /proc mount is the one on top: the one pmon reads */
	while (getline(&line, &size, f) > 0)
		if (proc_hidepid_line(line, h))
			found = true;
	free(line);
	fclose(f);
	if (!found)
		*h = (struct proc_hidepid){0};
	return 0;
}

/* Are all of a status line's first three ids (real, effective, saved)
 * id?  "Uid:\t1000\t1000\t1000\t1000" */
static bool ids_all(const char *v, unsigned long id)
{
	for (int i = 0; i < 3; i++) {
		char *end;
		unsigned long n = strtoul(v, &end, 10);

		if (end == v || n != id)
			return false;
		v = end;
	}
	return true;
}

bool proc_readable_as(pid_t pid, uid_t uid, gid_t gid)
{
	char path[64], *line = NULL;
	size_t size = 0;
	struct stat st;
	FILE *f;
	int ok = 0;

	/* dumpable: the kernel makes /proc/PID root's when it is not */
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0 || st.st_uid != uid)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return false;
	while (ok >= 0 && ok < 2 && getline(&line, &size, f) > 0) {
		if (!strncmp(line, "Uid:", 4))
			ok = ids_all(line + 4, uid) ? ok + 1 : -1;
		else if (!strncmp(line, "Gid:", 4))
			ok = ids_all(line + 4, gid) ? ok + 1 : -1;
	}
	free(line);
	fclose(f);
	return ok == 2;
}
