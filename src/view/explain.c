/*
 * explain.c - what the letters and numbers of /proc mean (see explain.h).
 */
#include <string.h>

#include "view/explain.h"

/* The state letters of fs/proc/array.c (task_state_array) and older
 * kernels, with what each means for the operator. */
static const struct {
	char letter;
	const char *meaning;
} states[] = {
	{'R', "running: on a CPU or waiting in the run queue for one"},
	{'S', "sleeping, interruptible: waiting for an event"},
	{'D', "disk sleep, uninterruptible: waiting inside the kernel (usually "
	      "for I/O); signals, even KILL, wait until the call returns"},
	{'T', "stopped by a signal (STOP, TSTP, TTIN or TTOU): it runs again "
	      "only after a SIGCONT"},
	{'t', "stopped by a tracer (a debugger or strace) until the tracer "
	      "lets it go"},
	{'Z', "zombie: it has exited, and its parent has not yet collected "
	      "its exit status with wait()"},
	{'X', "dead: being removed"},
	{'I', "idle kernel thread: waiting for work"},
	{'P', "parked kernel thread: held while its CPU is offline"},
	{'K', "wakekill: uninterruptible, but woken by fatal signals (Linux "
	      "2.6.33-3.13)"},
	{'W', "waking (Linux 2.6.33-3.13), or paging (before 2.6)"},
};

const char *state_meaning(char state)
{
	for (size_t i = 0; i < ARRAY_LEN(states); i++)
		if (states[i].letter == state)
			return states[i].meaning;
	return NULL;
}

/* ps's STAT modifiers, in the order ps writes them. */
static const struct {
	char letter;
	const char *meaning;
} modifiers[] = {
	{'<', "high priority (nice below 0)"},
	{'N', "low priority (nice above 0)"},
	{'L', "has pages locked into memory"},
	{'s', "session leader"},
	{'l', "multi-threaded"},
	{'+', "in the foreground process group of its terminal"},
};

const char *stat_modifier_meaning(char modifier)
{
	for (size_t i = 0; i < ARRAY_LEN(modifiers); i++)
		if (modifiers[i].letter == modifier)
			return modifiers[i].meaning;
	return NULL;
}

/* include/uapi/linux/capability.h, by number. */
static const char *const caps[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid",
	"kill", "setgid", "setuid", "setpcap", "linux_immutable",
	"net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
	"sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
	"audit_write", "audit_control", "setfcap", "mac_override",
	"mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
	"perfmon", "bpf", "checkpoint_restore",
};

const char *cap_name(int cap)
{
	return cap >= 0 && cap < (int)ARRAY_LEN(caps) ? caps[cap] : NULL;
}

int cap_count(void)
{
	return (int)ARRAY_LEN(caps);
}

/* The names of the bits of mask, joined by ", " (unknown ones "cap_N"). */
static void cap_names(unsigned long long mask, struct buf *out)
{
	bool first = true;

	for (int i = 0; i < 64; i++) {
		if (!(mask & (1ull << i)))
			continue;
		if (cap_name(i))
			buf_printf(out, "%s%s", first ? "" : ", ", cap_name(i));
		else
			buf_printf(out, "%scap_%d", first ? "" : ", ", i);
		first = false;
	}
}

void caps_describe(unsigned long long mask, struct buf *out)
{
	unsigned long long all = (1ull << ARRAY_LEN(caps)) - 1;
	int set = __builtin_popcountll(mask & all);

	if (!mask) {
		buf_puts(out, "none");
		return;
	}
	if ((mask & all) == all && !(mask & ~all)) {
		buf_printf(out, "all %zu", ARRAY_LEN(caps));
		return;
	}
	/* Root's set less a few reads better as what is missing. */
	if (!(mask & ~all) && set > (int)ARRAY_LEN(caps) / 2) {
		buf_printf(out, "all %zu but ", ARRAY_LEN(caps));
		cap_names(all & ~mask, out);
		return;
	}
	cap_names(mask, out);
}

const char *sched_policy_name(int policy)
{
	static const char *const policies[] = {
		"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
		"SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", "SCHED_EXT",
	};

	return policy >= 0 && policy < (int)ARRAY_LEN(policies) ? policies[policy] : NULL;
}

const char *seccomp_mode_name(int mode)
{
	static const char *const modes[] = {
		"off", "strict (only read, write, _exit and sigreturn)", "filter",
	};

	return mode >= 0 && mode < (int)ARRAY_LEN(modes) ? modes[mode] : NULL;
}

/* ---- cgroups ---------------------------------------------------------------- */

/*
 * How container runtimes and systemd name their cgroups: a path
 * component that starts with prefix (and ends with suffix, which is cut
 * off) names the thing; an id is shortened to 12 characters as docker
 * shows it.  The first match wins, so runtimes come before the systemd
 * units they run in.
 */
static const struct {
	const char *prefix, *suffix, *what;
	bool id;
} cgroup_names[] = {
	{"docker-", ".scope", "docker container", true},
	{"libpod-", ".scope", "podman container", true},
	{"cri-containerd-", ".scope", "containerd container", true},
	{"crio-", ".scope", "CRI-O container", true},
	{"lxc.payload.", "", "LXC container", false},
	{"machine-", ".scope", "systemd machine", false},
	{"session-", ".scope", "login session", false},
	{"", ".service", "systemd service", false},
};

/* The component of path at the one parent directory named dir ("docker",
 * "lxc"): "/docker/ID" is a docker container under cgroup v1. */
static bool under_dir(const char *comp, size_t n, const char *prev, size_t pn,
		      struct buf *out)
{
	static const struct {
		const char *dir, *what;
		bool id;
	} dirs[] = {
		{"docker", "docker container", true},
		{"lxc", "LXC container", false},
		{"machine", "systemd machine", false},
	};

	for (size_t i = 0; prev && i < ARRAY_LEN(dirs); i++) {
		if (pn != strlen(dirs[i].dir) || memcmp(prev, dirs[i].dir, pn) != 0)
			continue;
		buf_printf(out, "%s ", dirs[i].what);
		buf_append(out, comp, dirs[i].id && n > 12 ? 12 : n);
		return true;
	}
	return false;
}

static bool component_names(const char *comp, size_t n, struct buf *out)
{
	for (size_t i = 0; i < ARRAY_LEN(cgroup_names); i++) {
		size_t pl = strlen(cgroup_names[i].prefix);
		size_t sl = strlen(cgroup_names[i].suffix);
		size_t len;

		if (n <= pl + sl || memcmp(comp, cgroup_names[i].prefix, pl) != 0 ||
		    memcmp(comp + n - sl, cgroup_names[i].suffix, sl) != 0)
			continue;
		len = n - pl - sl;
		if (cgroup_names[i].id && len > 12)
			len = 12;
		buf_printf(out, "%s ", cgroup_names[i].what);
		/* A service keeps its suffix: "nginx.service". */
		buf_append(out, comp + pl, *cgroup_names[i].prefix ? len : n);
		return true;
	}
	return false;
}

/* The innermost component of one cgroup path that names something. */
static bool path_names(const char *path, const char *end, struct buf *out)
{
	const char *comps[64], *ends[64];
	size_t n = 0;

	for (const char *p = path; p < end && n < ARRAY_LEN(comps);) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *e = slash ? slash : end;

		if (e > p) {
			comps[n] = p;
			ends[n++] = e;
		}
		p = e + 1;
	}
	/* Outermost first: a container's cgroup holds its own subgroups
	 * (a service inside it), and the container is the news. */
	for (size_t i = 0; i < n; i++) {
		/* kubepods[/class]/pod<uid>/<container>, in v1 and v2 alike */
		if (strncmp(comps[i], "kubepods", 8) == 0) {
			const char *pod = NULL, *pe = NULL;

			for (size_t j = i; j < n && !pod; j++) {
				/* past "kubepods" itself, the component with "pod" */
				const char *from = comps[j] + (strncmp(comps[j], "kubepods", 8) ? 0 : 8);
				const char *hit = from < ends[j] ?
					memmem(from, (size_t)(ends[j] - from), "pod", 3) : NULL;

				if (hit) {
					pod = hit + 3;
					pe = ends[j];
				}
			}
			buf_puts(out, "kubernetes pod ");
			if (pod && pe - pod >= 6 && strncmp(pe - 6, ".slice", 6) == 0)
				pe -= 6;
			buf_append(out, pod ? pod : "?", pod ? (size_t)(pe - pod) : 1);
			return true;
		}
		if (under_dir(comps[i], (size_t)(ends[i] - comps[i]),
			      i ? comps[i - 1] : NULL,
			      i ? (size_t)(ends[i - 1] - comps[i - 1]) : 0, out) ||
		    component_names(comps[i], (size_t)(ends[i] - comps[i]), out))
			return true;
	}
	return false;
}

bool cgroup_container(const char *cgroup, struct buf *out)
{
	const char *line = cgroup;

	while (line && *line) {
		const char *end = strchr(line, ';');
		const char *path = memchr(line, ':', end ? (size_t)(end - line) : strlen(line));

		if (!end)
			end = line + strlen(line);
		/* "N:controllers:/path": the path after the second colon. */
		if (path)
			path = memchr(path + 1, ':', (size_t)(end - path - 1));
		if (path && path_names(path + 1, end, out))
			return true;
		line = *end ? end + 1 : NULL;
	}
	return false;
}
