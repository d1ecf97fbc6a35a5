/*
 * gpu.c - DRM fdinfo (see gpu.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/gpu.h"
#include "util/util.h"

/* "1234 KiB" / "5 MiB" / "4096" (bytes) into bytes. */
static unsigned long long size_value(const char *v)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 10);

	while (*end == ' ')
		end++;
	if (strncmp(end, "KiB", 3) == 0)
		return n << 10;
	if (strncmp(end, "MiB", 3) == 0)
		return n << 20;
	if (strncmp(end, "GiB", 3) == 0)
		return n << 30;
	return n;
}

static bool key_is(const char *line, size_t klen, const char *key)
{
	return strlen(key) == klen && strncmp(line, key, klen) == 0;
}

static bool key_starts(const char *line, size_t klen, const char *prefix)
{
	size_t n = strlen(prefix);

	return klen > n && strncmp(line, prefix, n) == 0;
}

int drm_fdinfo_parse(const char *text, struct drm_client *c)
{
	unsigned long long resident = 0, total = 0, memory = 0;
	bool have_resident = false, have_total = false, have_driver = false;

	memset(c, 0, sizeof(*c));
	for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		const char *colon = strchr(s, ':'), *eol = strchr(s, '\n'), *v;
		size_t klen;

		if (!colon || (eol && colon > eol))
			continue;
		klen = (size_t)(colon - s);
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (key_is(s, klen, "drm-driver")) {
			size_t n = strcspn(v, "\n");

			snprintf(c->driver, sizeof(c->driver), "%.*s", (int)n, v);
			have_driver = true;
		} else if (key_is(s, klen, "drm-pdev")) {
			snprintf(c->pdev, sizeof(c->pdev), "%.*s", (int)strcspn(v, "\n"), v);
		} else if (key_is(s, klen, "drm-client-id")) {
			c->client_id = strtoull(v, NULL, 10);
			c->have_id = true;
		} else if (key_starts(s, klen, "drm-engine-capacity-")) {
			continue; /* engines of the kind, not time */
		} else if (key_starts(s, klen, "drm-engine-")) {
			c->engine_ns += strtoull(v, NULL, 10);
		} else if (key_starts(s, klen, "drm-resident-")) {
			resident += size_value(v), have_resident = true;
		} else if (key_starts(s, klen, "drm-total-")) {
			total += size_value(v), have_total = true;
		} else if (key_starts(s, klen, "drm-memory-")) {
			memory += size_value(v);
		}
	}
	c->mem_bytes = have_resident ? resident : have_total ? total : memory;
	return have_driver ? 0 : -1;
}

bool gpu_present(void)
{
	static int present = -1;

	if (present < 0)
		present = access("/dev/dri", F_OK) == 0;
	return present;
}

/* Clients seen in one process: a descriptor dup'ed (or shared by
 * threads) is the same client and counts once. */
#define SEEN_MAX 64

struct seen {
	struct drm_client c[SEEN_MAX];
	int n;
};

static bool seen_before(struct seen *s, const struct drm_client *c)
{
	for (int i = 0; c->have_id && i < s->n; i++)
		if (s->c[i].client_id == c->client_id &&
		    strcmp(s->c[i].pdev, c->pdev) == 0 &&
		    strcmp(s->c[i].driver, c->driver) == 0)
			return true;
	if (s->n < SEEN_MAX)
		s->c[s->n++] = *c;
	return false;
}

/* fd entry name of a descriptor on a DRM device?  readlink says. */
static bool is_drm(int fddir, const char *name)
{
	char target[64];
	ssize_t n = readlinkat(fddir, name, target, sizeof(target) - 1);

	if (n <= 0)
		return false;
	target[n] = '\0';
	return strncmp(target, "/dev/dri/", 9) == 0;
}

/* One fdinfo file (a few hundred bytes; its own read, so that this file
 * needs nothing of reader.c, which needs it). */
static int read_fdinfo(int procfd, pid_t pid, const char *fd, char *text, size_t size)
{
	char path[320];
	ssize_t got;
	int f;

	snprintf(path, sizeof(path), "%d/fdinfo/%s", (int)pid, fd);
	f = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	got = read(f, text, size - 1);
	close(f);
	if (got < 0)
		return -1;
	text[got] = '\0';
	return 0;
}

static void add_fd(int procfd, pid_t pid, const char *fd, struct seen *seen,
		   struct gpu_use *u, char *text, size_t size)
{
	struct drm_client c;

	if (read_fdinfo(procfd, pid, fd, text, size) < 0 ||
	    drm_fdinfo_parse(text, &c) < 0 || seen_before(seen, &c))
		return;
	u->mem_bytes += c.mem_bytes;
	u->engine_ns += c.engine_ns;
	u->clients++;
}

int gpu_read_process(int procfd, pid_t pid, struct gpu_use *u)
{
	char path[32];
	struct seen *seen;
	char *text;
	struct dirent *e;
	int fd;
	DIR *d;

	memset(u, 0, sizeof(*u));
	snprintf(path, sizeof(path), "%d/fd", (int)pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		errno = err == ENOENT ? ESRCH : err;
		return -1;
	}
	seen = xcalloc(1, sizeof(*seen));
	text = xmalloc(8192);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && is_drm(dirfd(d), e->d_name))
			add_fd(procfd, pid, e->d_name, seen, u, text, 8192);
	closedir(d);
	free(seen);
	free(text);
	return 0;
}
